/** Admin console sections; `users`, `org` and `import` are built, the rest show a placeholder. */
export const ADMIN_SECTIONS = ['users', 'org', 'import', 'policy', 'audit', 'compliance', 'integrations'] as const;
export type AdminSection = (typeof ADMIN_SECTIONS)[number];
