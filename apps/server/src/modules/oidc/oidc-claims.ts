import type { OidcMatchBy } from '@miyu/protocol';
import { OidcError } from './oidc.errors.js';
import type { VerifiedClaims } from './oidc-client.js';

/** What Miyu takes from a provider's claims: the matching key and, for provisioning, the profile. */
export interface MappedIdentity {
  matchBy: OidcMatchBy;
  key: string;
  email: string | null;
  employeeNo: string | null;
  displayName: string | null;
}

const MAX_VALUE = 256;

function text(value: unknown): string | null {
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed && trimmed.length <= MAX_VALUE && !hasControl(trimmed) ? trimmed : null;
}

function hasControl(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return true;
  }
  return false;
}

/**
 * Maps verified claims. Matching by email needs an `email` the provider has not marked unverified
 * (`email_verified: false` is refused: anyone could otherwise claim a colleague's address at a lax provider).
 */
export function mapClaims(
  claims: VerifiedClaims,
  mapping: { matchBy: OidcMatchBy; employeeNoClaim: string; nameClaim: string },
): MappedIdentity {
  const rawEmail = text(claims.email);
  const email = rawEmail && /^[^\s@]+@[^\s@]+$/.test(rawEmail) ? rawEmail.toLowerCase() : null;
  const employeeNo = text(claims[mapping.employeeNoClaim]);
  const displayName = text(claims[mapping.nameClaim]);
  if (mapping.matchBy === 'email') {
    if (!email) throw OidcError.claimMissing('email');
    if (claims.email_verified === false) throw OidcError.claimMissing('email_verified');
    return { matchBy: 'email', key: email, email, employeeNo, displayName };
  }
  if (!employeeNo) throw OidcError.claimMissing(mapping.employeeNoClaim);
  return { matchBy: 'employeeNo', key: employeeNo, email, employeeNo, displayName };
}
