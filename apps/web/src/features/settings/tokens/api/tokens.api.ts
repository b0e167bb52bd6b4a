import { z } from 'zod';
import {
  API_TOKEN_PREFIX,
  type ApiTokenDto,
  apiTokenSchema,
  type CreateApiTokenRequest,
  type CreatedApiToken,
  type CreateServiceTokenRequest,
} from '@miyu/protocol';
import type { ApiClient } from '../../../../lib/apiClient';

/** Personal tokens (Settings → API tokens) or the org's service tokens (Admin → Integrations). */
export type TokenSource = 'personal' | 'service';

export const tokenKeys = {
  of: (source: TokenSource) => ['tokens', source] as const,
};

const BASES: Record<TokenSource, string> = { personal: '/api/tokens', service: '/api/admin/service-tokens' };

/** The list, as a bare array or wrapped as `{ tokens }`. */
const tokenListSchema = z.union([
  z.array(apiTokenSchema),
  z.object({ tokens: z.array(apiTokenSchema) }).transform((value) => value.tokens),
]);

const createdTokenSchema = apiTokenSchema.extend({
  token: z.string().startsWith(API_TOKEN_PREFIX),
});

export function listTokens(api: ApiClient, source: TokenSource, signal?: AbortSignal): Promise<ApiTokenDto[]> {
  return api.get(BASES[source], tokenListSchema, { signal });
}

/** The answer is the only time the token itself is seen: the server keeps its hash. */
export function createToken(
  api: ApiClient,
  source: TokenSource,
  body: CreateApiTokenRequest | CreateServiceTokenRequest,
): Promise<CreatedApiToken> {
  return api.post(BASES[source], createdTokenSchema, { body });
}

export function revokeToken(api: ApiClient, source: TokenSource, tokenId: string): Promise<void> {
  return api.delete(`${BASES[source]}/${encodeURIComponent(tokenId)}`);
}
