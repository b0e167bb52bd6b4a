import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import type { AuthState, SetupStatus, UserDto } from '@miyu/protocol';
import { authKeys, isSessionEnded } from '../api/auth.api';
import { useSessionQuery, useSetupStatusQuery } from '../api/auth.queries';
import { AuthContext, type AuthContextValue, type AuthStatus, type SignOutReason } from '../hooks/useAuth';

function isAuthQueryKey(key: readonly unknown[]): boolean {
  return key[0] === authKeys.session[0] || key[0] === authKeys.setupStatus[0];
}

/**
 * Owns "who is signed in". The session lives in the query cache (so the API client can read the CSRF token
 * from it); this provider derives a status from it and drops every other cached query on sign-out.
 */
export function AuthProvider({ children }: { children: ReactNode }) {
  const queryClient = useQueryClient();
  const { i18n } = useTranslation();
  const setupQuery = useSetupStatusQuery();
  const sessionQuery = useSessionQuery();
  const [notice, setNotice] = useState<SignOutReason | null>(null);
  const explicitSignOut = useRef(false);

  const auth = sessionQuery.data ?? null;
  let status: AuthStatus;
  if (setupQuery.isPending || sessionQuery.isPending) status = 'loading';
  else if (setupQuery.isError) status = 'error';
  else if (setupQuery.data.needsSetup) status = 'needsSetup';
  else if (sessionQuery.isError && !sessionQuery.data) status = 'error';
  else status = auth ? 'signedIn' : 'signedOut';

  const signedIn = useCallback(
    (state: AuthState) => {
      explicitSignOut.current = false;
      setNotice(null);
      queryClient.setQueryData<SetupStatus>(authKeys.setupStatus, { needsSetup: false });
      queryClient.setQueryData<AuthState | null>(authKeys.session, state);
    },
    [queryClient],
  );

  const signedOut = useCallback(
    (reason: SignOutReason | null) => {
      explicitSignOut.current = true;
      setNotice(reason);
      queryClient.setQueryData<AuthState | null>(authKeys.session, null);
      queryClient.removeQueries({ predicate: (query) => !isAuthQueryKey(query.queryKey) });
    },
    [queryClient],
  );

  const updateUser = useCallback(
    (user: UserDto) => {
      queryClient.setQueryData<AuthState | null>(authKeys.session, (prev) => (prev ? { ...prev, user } : prev));
    },
    [queryClient],
  );

  const retry = useCallback(() => {
    void queryClient.refetchQueries({ predicate: (query) => isAuthQueryKey(query.queryKey) });
  }, [queryClient]);

  const clearNotice = useCallback(() => setNotice(null), []);

  // A session that vanished on a routine re-check (expired, revoked while the socket was down) gets a notice too.
  const previousStatus = useRef<AuthStatus>(status);
  useEffect(() => {
    if (previousStatus.current === 'signedIn' && status === 'signedOut' && !explicitSignOut.current) {
      setNotice('expired');
      queryClient.removeQueries({ predicate: (query) => !isAuthQueryKey(query.queryKey) });
    }
    previousStatus.current = status;
  }, [status, queryClient]);

  // Any other call that finds the session gone sends the user back to sign-in.
  useEffect(() => {
    const onError = (error: unknown) => {
      if (isSessionEnded(error) && queryClient.getQueryData(authKeys.session)) signedOut('expired');
    };
    const unsubscribeQueries = queryClient.getQueryCache().subscribe((event) => {
      if (event.type === 'updated' && event.action.type === 'error') onError(event.action.error);
    });
    const unsubscribeMutations = queryClient.getMutationCache().subscribe((event) => {
      if (event.type === 'updated' && event.action.type === 'error') onError(event.action.error);
    });
    return () => {
      unsubscribeQueries();
      unsubscribeMutations();
    };
  }, [queryClient, signedOut]);

  // The account's language wins over the one picked on this browser before signing in.
  const userLocale = auth?.user.locale;
  useEffect(() => {
    if (userLocale && i18n.language !== userLocale) void i18n.changeLanguage(userLocale);
  }, [userLocale, i18n]);

  const value = useMemo<AuthContextValue>(
    () => ({
      status,
      auth,
      error: setupQuery.error ?? sessionQuery.error,
      notice,
      signedIn,
      signedOut,
      updateUser,
      clearNotice,
      retry,
    }),
    [status, auth, setupQuery.error, sessionQuery.error, notice, signedIn, signedOut, updateUser, clearNotice, retry],
  );

  return <AuthContext value={value}>{children}</AuthContext>;
}
