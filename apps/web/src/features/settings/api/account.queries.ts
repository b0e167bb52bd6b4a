import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { Locale } from '@miyu/protocol';
import { useApi } from '../../../lib/services';
import { useAuth } from '../../auth';
import {
  accountKeys,
  changePassword,
  confirmTotp,
  disableTotp,
  listSessions,
  revokeOtherSessions,
  revokeSession,
  startTotpEnrollment,
  updateProfile,
} from './account.api';

export function useUpdateProfileMutation() {
  const api = useApi();
  const { updateUser } = useAuth();
  return useMutation({
    mutationFn: (patch: { displayName?: string; locale?: Locale }) => updateProfile(api, patch),
    onSuccess: (user) => updateUser(user),
  });
}

export function useChangePasswordMutation() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: { currentPassword: string; newPassword: string }) => changePassword(api, body),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: accountKeys.sessions }),
  });
}

export function useSessionsQuery() {
  const api = useApi();
  return useQuery({ queryKey: accountKeys.sessions, queryFn: () => listSessions(api) });
}

export function useRevokeSessionMutation() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (sessionId: string) => revokeSession(api, sessionId),
    onSettled: () => queryClient.invalidateQueries({ queryKey: accountKeys.sessions }),
  });
}

export function useRevokeOtherSessionsMutation() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => revokeOtherSessions(api),
    onSettled: () => queryClient.invalidateQueries({ queryKey: accountKeys.sessions }),
  });
}

export function useStartTotpMutation() {
  const api = useApi();
  return useMutation({ mutationFn: () => startTotpEnrollment(api) });
}

export function useConfirmTotpMutation() {
  const api = useApi();
  return useMutation({ mutationFn: (code: string) => confirmTotp(api, code) });
}

export function useDisableTotpMutation() {
  const api = useApi();
  return useMutation({ mutationFn: (password: string) => disableTotp(api, password) });
}
