/** Admin console sections; only `users` is built so far, the rest show a placeholder. */
export const ADMIN_SECTIONS = ['users', 'org', 'policy', 'audit', 'compliance', 'integrations'] as const;
export type AdminSection = (typeof ADMIN_SECTIONS)[number];
