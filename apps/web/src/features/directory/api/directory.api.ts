import { z } from 'zod';
import {
  departmentGroupSchema,
  departmentMemberPageSchema,
  departmentNodeSchema,
  departmentPageSchema,
  departmentSchema,
  directorySettingsSchema,
  importReportSchema,
  personCardSchema,
  searchPageSchema,
  type CreateDepartmentGroupRequest,
  type CreateDepartmentRequest,
  type DepartmentDto,
  type DepartmentGroupDto,
  type DepartmentMemberPage,
  type DepartmentNodeDto,
  type DepartmentPageDto,
  type DirectorySettingsDto,
  type ImportReport,
  type MoveDepartmentRequest,
  type PersonCardDto,
  type ReorderDepartmentsRequest,
  type SearchPage,
  type SetManagerRequest,
  type SetMembershipRequest,
  type TransferPersonRequest,
  type UpdateDepartmentRequest,
} from '@miyu/protocol';
import type { ApiClient } from '../../../lib/apiClient';

export type ImportFormat = 'csv' | 'xlsx';

export const directoryKeys = {
  all: ['directory'] as const,
  children: (parentId: string | null) => ['directory', 'children', parentId] as const,
  department: (id: string) => ['directory', 'department', id] as const,
  members: (id: string, limit: number, offset: number) => ['directory', 'members', id, limit, offset] as const,
  person: (id: string) => ['directory', 'person', id] as const,
  search: (q: string, limit: number) => ['directory', 'search', q, limit] as const,
  groups: ['directory', 'groups'] as const,
  settings: ['directory', 'settings'] as const,
};

const id = encodeURIComponent;
const departmentDtoArray = z.array(departmentSchema);
const ADMIN = '/api/admin/directory';

// ---- everyone ----

export function listChildDepartments(
  api: ApiClient,
  parentId: string | null,
  signal?: AbortSignal,
): Promise<DepartmentNodeDto[]> {
  return api.get('/api/directory/departments', z.array(departmentNodeSchema), {
    query: { parentId: parentId ?? undefined },
    signal,
  });
}

export function getDepartmentPage(
  api: ApiClient,
  departmentId: string,
  signal?: AbortSignal,
): Promise<DepartmentPageDto> {
  return api.get(`/api/directory/departments/${id(departmentId)}`, departmentPageSchema, { signal });
}

export function listDepartmentMembers(
  api: ApiClient,
  departmentId: string,
  params: { limit: number; offset: number },
  signal?: AbortSignal,
): Promise<DepartmentMemberPage> {
  return api.get(`/api/directory/departments/${id(departmentId)}/members`, departmentMemberPageSchema, {
    query: { limit: params.limit, offset: params.offset },
    signal,
  });
}

export function getPersonCard(api: ApiClient, personId: string, signal?: AbortSignal): Promise<PersonCardDto> {
  return api.get(`/api/directory/people/${id(personId)}`, personCardSchema, { signal });
}

export function searchDirectory(
  api: ApiClient,
  params: { q: string; limit: number },
  signal?: AbortSignal,
): Promise<SearchPage> {
  return api.get('/api/directory/search', searchPageSchema, {
    query: { q: params.q, limit: params.limit, offset: 0 },
    signal,
  });
}

// ---- admins ----

export function createDepartment(api: ApiClient, body: CreateDepartmentRequest): Promise<DepartmentDto> {
  return api.post(`${ADMIN}/departments`, departmentSchema, { body });
}

export function updateDepartment(
  api: ApiClient,
  departmentId: string,
  body: UpdateDepartmentRequest,
): Promise<DepartmentDto> {
  return api.patch(`${ADMIN}/departments/${id(departmentId)}`, departmentSchema, { body });
}

export function moveDepartment(
  api: ApiClient,
  departmentId: string,
  body: MoveDepartmentRequest,
): Promise<DepartmentDto> {
  return api.post(`${ADMIN}/departments/${id(departmentId)}/move`, departmentSchema, { body });
}

export function reorderDepartments(api: ApiClient, body: ReorderDepartmentsRequest): Promise<DepartmentDto[]> {
  return api.post(`${ADMIN}/departments/reorder`, departmentDtoArray, { body });
}

export function deleteDepartment(api: ApiClient, departmentId: string): Promise<void> {
  return api.delete(`${ADMIN}/departments/${id(departmentId)}`);
}

export function setMembership(
  api: ApiClient,
  departmentId: string,
  userId: string,
  body: SetMembershipRequest,
): Promise<PersonCardDto> {
  return api.put(`${ADMIN}/departments/${id(departmentId)}/members/${id(userId)}`, personCardSchema, { body });
}

export function removeMembership(api: ApiClient, departmentId: string, userId: string): Promise<void> {
  return api.delete(`${ADMIN}/departments/${id(departmentId)}/members/${id(userId)}`);
}

export function transferPerson(api: ApiClient, userId: string, body: TransferPersonRequest): Promise<PersonCardDto> {
  return api.post(`${ADMIN}/people/${id(userId)}/transfer`, personCardSchema, { body });
}

export function setManager(api: ApiClient, userId: string, body: SetManagerRequest): Promise<PersonCardDto> {
  return api.put(`${ADMIN}/people/${id(userId)}/manager`, personCardSchema, { body });
}

export function listDepartmentGroups(api: ApiClient, includeArchived: boolean): Promise<DepartmentGroupDto[]> {
  return api.get(`${ADMIN}/groups`, z.array(departmentGroupSchema), {
    query: { includeArchived: includeArchived ? 'true' : undefined },
  });
}

export function createDepartmentGroup(api: ApiClient, body: CreateDepartmentGroupRequest): Promise<DepartmentGroupDto> {
  return api.post(`${ADMIN}/groups`, departmentGroupSchema, { body });
}

export function archiveDepartmentGroup(api: ApiClient, groupId: string): Promise<DepartmentGroupDto> {
  return api.post(`${ADMIN}/groups/${id(groupId)}/archive`, departmentGroupSchema);
}

export function getDirectorySettings(api: ApiClient): Promise<DirectorySettingsDto> {
  return api.get(`${ADMIN}/settings`, directorySettingsSchema);
}

export function updateDirectorySettings(api: ApiClient, body: DirectorySettingsDto): Promise<DirectorySettingsDto> {
  return api.put(`${ADMIN}/settings`, directorySettingsSchema, { body });
}

const CONTENT_TYPES: Record<ImportFormat, string> = {
  csv: 'text/csv',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** The format an upload is read as, from its name; null for anything else. */
export function importFormatOf(fileName: string): ImportFormat | null {
  const lower = fileName.toLowerCase();
  if (lower.endsWith('.csv')) return 'csv';
  if (lower.endsWith('.xlsx')) return 'xlsx';
  return null;
}

export function importDirectory(
  api: ApiClient,
  file: Blob,
  format: ImportFormat,
  dryRun: boolean,
): Promise<ImportReport> {
  return api.post(`${ADMIN}/import`, importReportSchema, {
    query: { format, dryRun: dryRun ? 'true' : 'false' },
    file: { data: file, contentType: CONTENT_TYPES[format] },
  });
}

export function exportUrl(format: ImportFormat): string {
  return `${ADMIN}/export?format=${format}`;
}
