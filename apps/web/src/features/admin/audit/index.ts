export { AdminAuditPage } from './AdminAuditPage';
