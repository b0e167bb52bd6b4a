import type { ApiTokenScope, UserRole } from '@miyu/protocol';

const AUDITOR_SCOPES: readonly ApiTokenScope[] = ['compliance:export', 'audit:read'];
const ADMIN_SCOPES: readonly ApiTokenScope[] = ['audit:read'];

/** The scopes a role may put on its tokens (the server enforces the same: API_TOKEN_SCOPE_FORBIDDEN). */
export function tokenScopesFor(role: UserRole): readonly ApiTokenScope[] {
  if (role === 'auditor') return AUDITOR_SCOPES;
  if (role === 'admin') return ADMIN_SCOPES;
  return [];
}

export type TokenState = 'active' | 'expired' | 'revoked';

/** Revoked wins over expired: it says someone ended it. */
export function tokenState(token: { expiresAt: string; revokedAt: string | null }, now: number): TokenState {
  if (token.revokedAt) return 'revoked';
  return Date.parse(token.expiresAt) <= now ? 'expired' : 'active';
}
