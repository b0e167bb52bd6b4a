export { AdminLayout } from './containers/AdminLayout';
export { AdminUsersScreen } from './containers/AdminUsersScreen';
export { AdminPlaceholder } from './containers/AdminPlaceholder';
export { AdminMessagingScreen } from './containers/AdminMessagingScreen';
export { AdminWordPolicyPage } from './wordPolicy';
export { ADMIN_SECTIONS, type AdminSection } from './sections';
export { useUserListQuery } from './api/adminUsers.queries';
