import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { CreateUserRequest, UpdateUserRequest } from '@miyu/protocol';
import { useApi } from '../../../lib/services';
import {
  adminUserKeys,
  createUser,
  listUsers,
  revokeUserSessions,
  setUserPassword,
  updateUser,
  type UserListParams,
} from './adminUsers.api';

export function useUserListQuery(params: UserListParams) {
  const api = useApi();
  return useQuery({
    queryKey: adminUserKeys.list(params),
    queryFn: ({ signal }) => listUsers(api, params, signal),
    placeholderData: keepPreviousData,
  });
}

export function useCreateUserMutation() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateUserRequest) => createUser(api, body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: adminUserKeys.all }),
  });
}

export function useUpdateUserMutation() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, patch }: { id: string; patch: UpdateUserRequest }) => updateUser(api, id, patch),
    onSettled: () => queryClient.invalidateQueries({ queryKey: adminUserKeys.all }),
  });
}

export function useSetUserPasswordMutation() {
  const api = useApi();
  return useMutation({ mutationFn: (v: { id: string; password: string }) => setUserPassword(api, v.id, v.password) });
}

export function useRevokeUserSessionsMutation() {
  const api = useApi();
  return useMutation({ mutationFn: (id: string) => revokeUserSessions(api, id) });
}
