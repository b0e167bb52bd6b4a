import { z } from 'zod';
import {
  sessionSchema,
  totpConfirmResponseSchema,
  totpEnrollResponseSchema,
  userSchema,
  type Locale,
  type SessionDto,
  type TotpConfirmResponse,
  type TotpEnrollResponse,
  type UserDto,
} from '@miyu/protocol';
import type { ApiClient } from '../../../lib/apiClient';

export const accountKeys = {
  sessions: ['account', 'sessions'] as const,
};

const revokedSchema = z.object({ revoked: z.number().int() });

export function updateProfile(api: ApiClient, patch: { displayName?: string; locale?: Locale }): Promise<UserDto> {
  return api.patch('/api/auth/profile', userSchema, { body: patch });
}

export function changePassword(api: ApiClient, body: { currentPassword: string; newPassword: string }) {
  return api.send('POST', '/api/auth/password', { body });
}

export function listSessions(api: ApiClient): Promise<SessionDto[]> {
  return api.get('/api/auth/sessions', z.array(sessionSchema));
}

export function revokeSession(api: ApiClient, sessionId: string): Promise<void> {
  return api.delete(`/api/auth/sessions/${encodeURIComponent(sessionId)}`);
}

export async function revokeOtherSessions(api: ApiClient): Promise<number> {
  return (await api.post('/api/auth/sessions/revoke-others', revokedSchema)).revoked;
}

export function startTotpEnrollment(api: ApiClient): Promise<TotpEnrollResponse> {
  return api.post('/api/auth/totp/enroll', totpEnrollResponseSchema);
}

export function confirmTotp(api: ApiClient, code: string): Promise<TotpConfirmResponse> {
  return api.post('/api/auth/totp/confirm', totpConfirmResponseSchema, { body: { code } });
}

export function disableTotp(api: ApiClient, password: string): Promise<void> {
  return api.send('POST', '/api/auth/totp/disable', { body: { password } });
}
