import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { CreateApiTokenRequest, CreateServiceTokenRequest } from '@miyu/protocol';
import { useApi } from '../../../../lib/services';
import { createToken, listTokens, revokeToken, tokenKeys, type TokenSource } from './tokens.api';

export function useApiTokensQuery(source: TokenSource) {
  const api = useApi();
  return useQuery({ queryKey: tokenKeys.of(source), queryFn: ({ signal }) => listTokens(api, source, signal) });
}

/**
 * Creates a token. The caller takes the token from `onSuccess` and resets the mutation, so the secret is not kept
 * in the mutation cache.
 */
export function useCreateApiTokenMutation(source: TokenSource) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateApiTokenRequest | CreateServiceTokenRequest) => createToken(api, source, body),
    onSettled: () => queryClient.invalidateQueries({ queryKey: tokenKeys.of(source) }),
  });
}

export function useRevokeApiTokenMutation(source: TokenSource) {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (tokenId: string) => revokeToken(api, source, tokenId),
    onSettled: () => queryClient.invalidateQueries({ queryKey: tokenKeys.of(source) }),
  });
}
