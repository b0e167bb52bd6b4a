import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { CreateApiTokenRequest } from '@miyu/protocol';
import { useApi } from '../../../../lib/services';
import { createToken, listTokens, revokeToken, tokenKeys } from './tokens.api';

export function useApiTokensQuery() {
  const api = useApi();
  return useQuery({ queryKey: tokenKeys.all, queryFn: ({ signal }) => listTokens(api, signal) });
}

/**
 * Creates a token. The caller takes the token from `onSuccess` and resets the mutation, so the secret is not kept
 * in the mutation cache.
 */
export function useCreateApiTokenMutation() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: CreateApiTokenRequest) => createToken(api, body),
    onSettled: () => queryClient.invalidateQueries({ queryKey: tokenKeys.all }),
  });
}

export function useRevokeApiTokenMutation() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (tokenId: string) => revokeToken(api, tokenId),
    onSettled: () => queryClient.invalidateQueries({ queryKey: tokenKeys.all }),
  });
}
