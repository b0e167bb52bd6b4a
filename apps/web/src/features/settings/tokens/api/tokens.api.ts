import { z } from 'zod';
import {
  API_TOKEN_PREFIX,
  type ApiTokenDto,
  apiTokenSchema,
  type CreateApiTokenRequest,
  type CreatedApiToken,
} from '@miyu/protocol';
import type { ApiClient } from '../../../../lib/apiClient';

export const tokenKeys = {
  all: ['account', 'tokens'] as const,
};

const BASE = '/api/tokens';

/** The list, as a bare array or wrapped as `{ tokens }`. */
const tokenListSchema = z.union([
  z.array(apiTokenSchema),
  z.object({ tokens: z.array(apiTokenSchema) }).transform((value) => value.tokens),
]);

const createdTokenSchema = apiTokenSchema.extend({
  token: z.string().startsWith(API_TOKEN_PREFIX),
});

export function listTokens(api: ApiClient, signal?: AbortSignal): Promise<ApiTokenDto[]> {
  return api.get(BASE, tokenListSchema, { signal });
}

/** The answer is the only time the token itself is seen: the server keeps its hash. */
export function createToken(api: ApiClient, body: CreateApiTokenRequest): Promise<CreatedApiToken> {
  return api.post(BASE, createdTokenSchema, { body });
}

export function revokeToken(api: ApiClient, tokenId: string): Promise<void> {
  return api.delete(`${BASE}/${encodeURIComponent(tokenId)}`);
}
