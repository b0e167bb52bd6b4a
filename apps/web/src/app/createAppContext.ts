import { QueryClient } from '@tanstack/react-query';
import type { AuthState } from '@miyu/protocol';
import { createApiClient, isApiError, type ApiClient } from '../lib/apiClient';
import { authKeys } from '../features/auth';

/** Client errors will not get better by asking again; network trouble and 5xx might. */
export function shouldRetry(failureCount: number, error: unknown): boolean {
  if (isApiError(error) && error.status >= 400 && error.status < 500) return false;
  return failureCount < 2;
}

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: { retry: shouldRetry, staleTime: 10_000, refetchOnWindowFocus: false },
      mutations: { retry: false },
    },
  });
}

/** The API client reads the CSRF token from the cached session, the single place it is kept. */
export function createAppApiClient(queryClient: QueryClient, fetchImpl?: typeof fetch): ApiClient {
  return createApiClient({
    getCsrfToken: () => queryClient.getQueryData<AuthState | null>(authKeys.session)?.csrfToken ?? null,
    fetch: fetchImpl,
  });
}
