import { useEffect } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type {
  CreateRetentionScopeRequest,
  SetRetentionPolicyRequest,
  UploadComplianceKeyRequest,
} from '@miyu/protocol';
import { useApi } from '../../../../lib/services';
import { useSocket } from '../../../realtime';
import {
  addScope,
  complianceKeys,
  endScope,
  getOverview,
  removePolicy,
  runRetention,
  saveSettings,
  setPolicy,
  uploadKey,
} from './compliance.api';

/** The overview, read again when the server says compliance settings changed (another admin, another tab). */
export function useComplianceOverviewQuery() {
  const api = useApi();
  const queryClient = useQueryClient();
  const socket = useSocket();
  useEffect(() => {
    if (!socket) return;
    const onChanged = () => void queryClient.invalidateQueries({ queryKey: complianceKeys.all });
    socket.on('compliance:changed', onChanged);
    return () => {
      socket.off('compliance:changed', onChanged);
    };
  }, [socket, queryClient]);
  return useQuery({ queryKey: complianceKeys.overview, queryFn: ({ signal }) => getOverview(api, signal) });
}

/** Every change shows up in the overview: read it again once the change is done (or refused). */
function useOverviewMutation<V, R>(mutationFn: (variables: V) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn,
    onSettled: () => queryClient.invalidateQueries({ queryKey: complianceKeys.all }),
  });
}

export function useSaveComplianceSettingsMutation() {
  const api = useApi();
  return useOverviewMutation((organisationName: string) => saveSettings(api, organisationName));
}

export function useUploadComplianceKeyMutation() {
  const api = useApi();
  return useOverviewMutation((body: UploadComplianceKeyRequest) => uploadKey(api, body));
}

export function useAddRetentionScopeMutation() {
  const api = useApi();
  return useOverviewMutation((body: CreateRetentionScopeRequest) => addScope(api, body));
}

export function useEndRetentionScopeMutation() {
  const api = useApi();
  return useOverviewMutation((scopeId: string) => endScope(api, scopeId));
}

export function useSetRetentionPolicyMutation() {
  const api = useApi();
  return useOverviewMutation((body: SetRetentionPolicyRequest) => setPolicy(api, body));
}

export function useRemoveRetentionPolicyMutation() {
  const api = useApi();
  return useOverviewMutation((policyId: string) => removePolicy(api, policyId));
}

/** The overview's "last run" changes with every run. */
export function useRunRetentionMutation() {
  const api = useApi();
  return useOverviewMutation(() => runRetention(api));
}
