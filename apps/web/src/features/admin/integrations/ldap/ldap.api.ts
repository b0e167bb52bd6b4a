import {
  type LdapConfigDto,
  ldapConfigSchema,
  type LdapSyncResult,
  ldapSyncResultSchema,
  type PutLdapConfigRequest,
} from '@miyu/protocol';
import type { ApiClient } from '../../../../lib/apiClient';

export const ldapKeys = { config: ['admin', 'ldap'] as const };

const BASE = '/api/admin/ldap';

export function getLdapConfig(api: ApiClient, signal?: AbortSignal): Promise<LdapConfigDto> {
  return api.get(BASE, ldapConfigSchema, { signal });
}

/** Leaving `bindPassword` out keeps the stored password (the server never returns it). */
export function saveLdapConfig(api: ApiClient, body: PutLdapConfigRequest): Promise<LdapConfigDto> {
  return api.put(BASE, ldapConfigSchema, { body });
}

/** The dry-run diff: reads the directory, changes nothing. */
export function previewLdapSync(api: ApiClient): Promise<LdapSyncResult> {
  return api.post(`${BASE}/preview`, ldapSyncResultSchema);
}

export function runLdapSync(api: ApiClient): Promise<LdapSyncResult> {
  return api.post(`${BASE}/sync`, ldapSyncResultSchema);
}
