import {
  authMethodsSchema,
  authStateSchema,
  type AuthMethods,
  setupStatusSchema,
  type AuthState,
  type LoginRequest,
  type SetupAdminRequest,
  type SetupStatus,
} from '@miyu/protocol';
import { isApiError, type ApiClient } from '../../../lib/apiClient';

export const authKeys = {
  session: ['auth', 'session'] as const,
  setupStatus: ['setup', 'status'] as const,
  methods: ['auth', 'methods'] as const,
};

/** Codes that mean "this browser holds no live session". */
export const SESSION_ENDED_CODES: readonly string[] = ['UNAUTHENTICATED', 'SESSION_EXPIRED'];

export function isSessionEnded(error: unknown): boolean {
  return isApiError(error) && error.status === 401 && SESSION_ENDED_CODES.includes(error.code);
}

export function fetchSetupStatus(api: ApiClient): Promise<SetupStatus> {
  return api.get('/api/setup/status', setupStatusSchema);
}

/** The current session, or null when there is none (a 401 is an answer here, not a failure). */
export async function fetchSession(api: ApiClient): Promise<AuthState | null> {
  try {
    return await api.get('/api/auth/session', authStateSchema);
  } catch (error) {
    if (isSessionEnded(error)) return null;
    throw error;
  }
}

/** What the login screen offers: the password form and/or single sign-on (public). */
export function fetchAuthMethods(api: ApiClient): Promise<AuthMethods> {
  return api.get('/api/auth/methods', authMethodsSchema);
}

export function login(api: ApiClient, request: LoginRequest): Promise<AuthState> {
  return api.post('/api/auth/login', authStateSchema, { body: request });
}

export function logout(api: ApiClient): Promise<void> {
  return api.send('POST', '/api/auth/logout');
}

export function setupAdmin(api: ApiClient, request: SetupAdminRequest): Promise<AuthState> {
  return api.post('/api/setup/admin', authStateSchema, { body: request });
}
