import { useMutation, useQuery } from '@tanstack/react-query';
import type { LoginRequest, SetupAdminRequest } from '@miyu/protocol';
import { useApi } from '../../../lib/services';
import { authKeys, fetchAuthMethods, fetchSession, fetchSetupStatus, login, logout, setupAdmin } from './auth.api';

export function useSetupStatusQuery() {
  const api = useApi();
  return useQuery({
    queryKey: authKeys.setupStatus,
    queryFn: () => fetchSetupStatus(api),
    staleTime: Infinity,
    retry: 1,
  });
}

export function useSessionQuery() {
  const api = useApi();
  return useQuery({
    queryKey: authKeys.session,
    queryFn: () => fetchSession(api),
    // Re-checked when the window regains focus, so a session revoked elsewhere is noticed even offline from the socket.
    staleTime: 30_000,
    refetchOnWindowFocus: true,
    retry: 1,
  });
}

/** Sign-in methods; while loading or when the server is older or unreachable, the password form alone is shown. */
export function useAuthMethodsQuery() {
  const api = useApi();
  return useQuery({
    queryKey: authKeys.methods,
    queryFn: () => fetchAuthMethods(api),
    staleTime: 60_000,
    retry: false,
  });
}

export function useLoginMutation() {
  const api = useApi();
  return useMutation({ mutationFn: (request: LoginRequest) => login(api, request) });
}

export function useSetupAdminMutation() {
  const api = useApi();
  return useMutation({ mutationFn: (request: SetupAdminRequest) => setupAdmin(api, request) });
}

export function useLogoutMutation() {
  const api = useApi();
  return useMutation({ mutationFn: () => logout(api) });
}
