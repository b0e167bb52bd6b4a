export { AdminLayout } from './containers/AdminLayout';
export { AdminUsersScreen } from './containers/AdminUsersScreen';
export { AdminMessagingScreen } from './containers/AdminMessagingScreen';
export { AdminWordPolicyPage } from './wordPolicy';
export { AdminAuditPage } from './audit';
export { AdminCompliancePage } from './compliance';
export { AdminIntegrationsPage } from './integrations';
export { ADMIN_SECTIONS, type AdminSection, adminSectionsFor, canOpenAdmin } from './sections';
export { useUserListQuery } from './api/adminUsers.queries';
