import { z } from 'zod';
import {
  userPageSchema,
  userSchema,
  type CreateUserRequest,
  type UpdateUserRequest,
  type UserDto,
  type UserPage,
} from '@miyu/protocol';
import type { ApiClient } from '../../../lib/apiClient';

export interface UserListParams {
  q: string;
  limit: number;
  offset: number;
}

export const adminUserKeys = {
  all: ['admin', 'users'] as const,
  list: (params: UserListParams) => ['admin', 'users', 'list', params] as const,
};

const revokedSchema = z.object({ revoked: z.number().int() });

export function listUsers(api: ApiClient, params: UserListParams, signal?: AbortSignal): Promise<UserPage> {
  return api.get('/api/admin/users', userPageSchema, {
    query: { q: params.q.trim() || undefined, limit: params.limit, offset: params.offset },
    signal,
  });
}

export function createUser(api: ApiClient, body: CreateUserRequest): Promise<UserDto> {
  return api.post('/api/admin/users', userSchema, { body });
}

export function updateUser(api: ApiClient, id: string, body: UpdateUserRequest): Promise<UserDto> {
  return api.patch(`/api/admin/users/${encodeURIComponent(id)}`, userSchema, { body });
}

export function setUserPassword(api: ApiClient, id: string, password: string): Promise<void> {
  return api.send('POST', `/api/admin/users/${encodeURIComponent(id)}/password`, { body: { password } });
}

export async function revokeUserSessions(api: ApiClient, id: string): Promise<number> {
  return (await api.post(`/api/admin/users/${encodeURIComponent(id)}/sessions/revoke`, revokedSchema)).revoked;
}
