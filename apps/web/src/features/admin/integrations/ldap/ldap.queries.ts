import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { PutLdapConfigRequest } from '@miyu/protocol';
import { useApi } from '../../../../lib/services';
import { getLdapConfig, ldapKeys, previewLdapSync, runLdapSync, saveLdapConfig } from './ldap.api';

export function useLdapConfigQuery() {
  const api = useApi();
  return useQuery({ queryKey: ldapKeys.config, queryFn: ({ signal }) => getLdapConfig(api, signal) });
}

export function useSaveLdapConfigMutation() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: PutLdapConfigRequest) => saveLdapConfig(api, body),
    onSuccess: (config) => queryClient.setQueryData(ldapKeys.config, config),
  });
}

export function usePreviewLdapSyncMutation() {
  const api = useApi();
  return useMutation({ mutationFn: () => previewLdapSync(api) });
}

/** A sync changes the last-sync line of the configuration: read it again afterwards. */
export function useRunLdapSyncMutation() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => runLdapSync(api),
    onSettled: () => queryClient.invalidateQueries({ queryKey: ldapKeys.config }),
  });
}
