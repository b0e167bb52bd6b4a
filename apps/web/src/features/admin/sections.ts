/** Admin console sections; `users`, `org`, `import`, `messaging` and `policy` are built, the rest show a placeholder. */
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
