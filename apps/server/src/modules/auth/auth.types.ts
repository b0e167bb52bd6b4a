import type { ApiTokenScope, UserRole, UserStatus } from '@miyu/protocol';
import type { SessionEntity } from './entities/session.entity.js';
import type { UserEntity } from './entities/user.entity.js';

/** Who is acting: passed explicitly into every service method that checks access. */
export interface Actor {
  userId: string;
  role: UserRole;
  sessionId: string;
}

export interface AuthenticatedSession {
  user: UserEntity;
  session: SessionEntity;
}

/** Who a request authenticated as: a session (cookie) or an API token acting for its user. */
export interface RequestAuth {
  user: UserEntity;
  session: SessionEntity | null;
  token: { id: string; scopes: ApiTokenScope[] } | null;
}

export interface ClientInfo {
  ip: string | null;
  userAgent: string | null;
}

export function actorOf(auth: RequestAuth | AuthenticatedSession): Actor {
  const sessionId = auth.session ? auth.session.id : `token:${(auth as RequestAuth).token?.id ?? 'unknown'}`;
  return { userId: auth.user.id, role: auth.user.role, sessionId };
}

export const SESSIONS_REVOKED_EVENT = 'auth.sessions.revoked';

export type SessionRevokeReason = 'signed_out' | 'revoked' | 'user_disabled' | 'password_changed' | 'expired';

export interface SessionsRevokedEvent {
  userId: string;
  sessionIds: string[];
  reason: SessionRevokeReason;
}

export const USER_DISABLED_EVENT = 'users.disabled';

export interface UserDisabledEvent {
  userId: string;
}

/** Emitted after an account was created or its name, employee number, email or phone changed (after the commit). */
export const USER_PROFILE_CHANGED_EVENT = 'users.profile-changed';

export interface UserProfileChangedEvent {
  userId: string;
}

/** Emitted after any change of an account's status (disabled or enabled again), after the commit. */
export const USER_STATUS_CHANGED_EVENT = 'users.status-changed';

export interface UserStatusChangedEvent {
  userId: string;
  status: UserStatus;
}
