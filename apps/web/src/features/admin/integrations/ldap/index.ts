export { LdapSyncCard } from './LdapSyncCard';
