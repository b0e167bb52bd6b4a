export { AdminCompliancePage } from './AdminCompliancePage';
