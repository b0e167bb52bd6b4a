import { createContext, useContext } from 'react';
import type { AuthState, SessionRevokedEvent, UserDto } from '@miyu/protocol';

/** Why the user is looking at the sign-in page; shown there as a notice. */
export type SignOutReason = SessionRevokedEvent['reason'];

export type AuthStatus = 'loading' | 'error' | 'needsSetup' | 'signedOut' | 'signedIn';

export interface AuthContextValue {
  status: AuthStatus;
  auth: AuthState | null;
  error: unknown;
  notice: SignOutReason | null;
  /** Store the state a successful login or setup returned. */
  signedIn: (state: AuthState) => void;
  /** Forget the local session (after logout, or when the server says it has ended). */
  signedOut: (reason: SignOutReason | null) => void;
  updateUser: (user: UserDto) => void;
  clearNotice: () => void;
  retry: () => void;
}

export const AuthContext = createContext<AuthContextValue | null>(null);

export function useAuth(): AuthContextValue {
  const value = useContext(AuthContext);
  if (!value) throw new Error('useAuth outside AuthProvider');
  return value;
}

/** For screens that only render when signed in. */
export function useSignedInAuth(): AuthState {
  const { auth } = useAuth();
  if (!auth) throw new Error('useSignedInAuth without a session');
  return auth;
}
