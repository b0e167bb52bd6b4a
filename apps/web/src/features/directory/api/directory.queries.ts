import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  CreateDepartmentGroupRequest,
  DirectorySettingsDto,
  CreateDepartmentRequest,
  MoveDepartmentRequest,
  ReorderDepartmentsRequest,
  SetManagerRequest,
  SetMembershipRequest,
  TransferPersonRequest,
  UpdateDepartmentRequest,
} from '@miyu/protocol';
import { useApi } from '../../../lib/services';
import {
  archiveDepartmentGroup,
  createDepartment,
  createDepartmentGroup,
  deleteDepartment,
  directoryKeys,
  getDepartmentPage,
  getDirectorySettings,
  getPersonCard,
  importDirectory,
  listChildDepartments,
  listDepartmentGroups,
  listDepartmentMembers,
  moveDepartment,
  removeMembership,
  reorderDepartments,
  searchDirectory,
  setManager,
  setMembership,
  transferPerson,
  updateDepartment,
  updateDirectorySettings,
  type ImportFormat,
} from './directory.api';

/** Children of one node of the org chart; only asked for once the node is expanded (`enabled`). */
export function useChildDepartmentsQuery(parentId: string | null, enabled = true) {
  const api = useApi();
  return useQuery({
    queryKey: directoryKeys.children(parentId),
    queryFn: ({ signal }) => listChildDepartments(api, parentId, signal),
    enabled,
  });
}

export function useDepartmentPageQuery(departmentId: string | null) {
  const api = useApi();
  return useQuery({
    queryKey: directoryKeys.department(departmentId ?? ''),
    queryFn: ({ signal }) => getDepartmentPage(api, departmentId ?? '', signal),
    enabled: departmentId !== null,
  });
}

export function useDepartmentMembersQuery(departmentId: string, limit: number, offset: number) {
  const api = useApi();
  return useQuery({
    queryKey: directoryKeys.members(departmentId, limit, offset),
    queryFn: ({ signal }) => listDepartmentMembers(api, departmentId, { limit, offset }, signal),
    placeholderData: keepPreviousData,
  });
}

export function usePersonCardQuery(personId: string | null) {
  const api = useApi();
  return useQuery({
    queryKey: directoryKeys.person(personId ?? ''),
    queryFn: ({ signal }) => getPersonCard(api, personId ?? '', signal),
    enabled: personId !== null,
  });
}

/** Ranked search; `q` should already be debounced. Empty queries ask nothing. */
export function useDirectorySearchQuery(q: string, limit: number) {
  const api = useApi();
  const trimmed = q.trim();
  return useQuery({
    queryKey: directoryKeys.search(trimmed, limit),
    queryFn: ({ signal }) => searchDirectory(api, { q: trimmed, limit }, signal),
    enabled: trimmed.length > 0,
    placeholderData: keepPreviousData,
  });
}

export function useDepartmentGroupsQuery(includeArchived: boolean) {
  const api = useApi();
  return useQuery({
    queryKey: [...directoryKeys.groups, includeArchived],
    queryFn: () => listDepartmentGroups(api, includeArchived),
  });
}

/** Any change to the directory can move counts anywhere in the tree: refetch what is on screen. */
function useInvalidateDirectory() {
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: directoryKeys.all });
}

export function useDirectoryAdminMutations() {
  const api = useApi();
  const invalidate = useInvalidateDirectory();
  const onSettled = () => invalidate();
  return {
    create: useMutation({ mutationFn: (body: CreateDepartmentRequest) => createDepartment(api, body), onSettled }),
    update: useMutation({
      mutationFn: ({ id, patch }: { id: string; patch: UpdateDepartmentRequest }) => updateDepartment(api, id, patch),
      onSettled,
    }),
    move: useMutation({
      mutationFn: ({ id, body }: { id: string; body: MoveDepartmentRequest }) => moveDepartment(api, id, body),
      onSettled,
    }),
    reorder: useMutation({ mutationFn: (body: ReorderDepartmentsRequest) => reorderDepartments(api, body), onSettled }),
    remove: useMutation({ mutationFn: (id: string) => deleteDepartment(api, id), onSettled }),
    setMembership: useMutation({
      mutationFn: ({
        departmentId,
        userId,
        body,
      }: {
        departmentId: string;
        userId: string;
        body: SetMembershipRequest;
      }) => setMembership(api, departmentId, userId, body),
      onSettled,
    }),
    removeMembership: useMutation({
      mutationFn: ({ departmentId, userId }: { departmentId: string; userId: string }) =>
        removeMembership(api, departmentId, userId),
      onSettled,
    }),
    transfer: useMutation({
      mutationFn: ({ userId, body }: { userId: string; body: TransferPersonRequest }) =>
        transferPerson(api, userId, body),
      onSettled,
    }),
    setManager: useMutation({
      mutationFn: ({ userId, body }: { userId: string; body: SetManagerRequest }) => setManager(api, userId, body),
      onSettled,
    }),
    createGroup: useMutation({
      mutationFn: (body: CreateDepartmentGroupRequest) => createDepartmentGroup(api, body),
      onSettled,
    }),
    archiveGroup: useMutation({ mutationFn: (id: string) => archiveDepartmentGroup(api, id), onSettled }),
  };
}

export function useImportMutation() {
  const api = useApi();
  const invalidate = useInvalidateDirectory();
  return useMutation({
    mutationFn: ({ file, format, dryRun }: { file: Blob; format: ImportFormat; dryRun: boolean }) =>
      importDirectory(api, file, format, dryRun),
    onSuccess: (report) => {
      if (!report.dryRun) void invalidate();
    },
  });
}

export function useDirectorySettingsQuery() {
  const api = useApi();
  return useQuery({ queryKey: directoryKeys.settings, queryFn: () => getDirectorySettings(api) });
}

export function useUpdateDirectorySettingsMutation() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: DirectorySettingsDto) => updateDirectorySettings(api, body),
    onSuccess: (settings) => {
      queryClient.setQueryData(directoryKeys.settings, settings);
      // Person cards change with this setting.
      void queryClient.invalidateQueries({ queryKey: ['directory', 'person'] });
    },
  });
}
