import type { UserRole } from '@miyu/protocol';

/** Admin console sections. */
export const ADMIN_SECTIONS = [
  'users',
  'org',
  'import',
  'messaging',
  'policy',
  'audit',
  'compliance',
  'integrations',
] as const;
export type AdminSection = (typeof ADMIN_SECTIONS)[number];

/** Auditors read the audit log and administer nothing; admins see every section; members see none. */
const AUDITOR_SECTIONS: readonly AdminSection[] = ['audit'];

/** The sections a role may open, in nav order. */
export function adminSectionsFor(role: UserRole): readonly AdminSection[] {
  if (role === 'admin') return ADMIN_SECTIONS;
  if (role === 'auditor') return AUDITOR_SECTIONS;
  return [];
}

/** Whether the role sees the admin console at all (the nav rail entry). */
export function canOpenAdmin(role: UserRole): boolean {
  return adminSectionsFor(role).length > 0;
}
