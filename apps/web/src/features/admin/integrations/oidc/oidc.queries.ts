import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { OidcConfigUpdate } from '@miyu/protocol';
import { useApi } from '../../../../lib/services';
import { getOidcConfig, oidcKeys, saveOidcConfig } from './oidc.api';

export function useOidcConfigQuery() {
  const api = useApi();
  return useQuery({ queryKey: oidcKeys.config, queryFn: ({ signal }) => getOidcConfig(api, signal) });
}

/** Saving changes what the login screen offers: its methods are read again. */
export function useSaveOidcConfigMutation() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: OidcConfigUpdate) => saveOidcConfig(api, body),
    onSuccess: (config) => {
      queryClient.setQueryData(oidcKeys.config, config);
      void queryClient.invalidateQueries({ queryKey: ['auth', 'methods'] });
    },
  });
}
