import { type OidcConfig, oidcConfigSchema, type OidcConfigUpdate } from '@miyu/protocol';
import type { ApiClient } from '../../../../lib/apiClient';

export const oidcKeys = { config: ['admin', 'oidc'] as const };

const BASE = '/api/admin/oidc';

export function getOidcConfig(api: ApiClient, signal?: AbortSignal): Promise<OidcConfig> {
  return api.get(BASE, oidcConfigSchema, { signal });
}

/** Leaving `clientSecret` out keeps the stored secret (the server never returns it). */
export function saveOidcConfig(api: ApiClient, body: OidcConfigUpdate): Promise<OidcConfig> {
  return api.put(BASE, oidcConfigSchema, { body });
}
