export { AdminIntegrationsPage } from './AdminIntegrationsPage';
