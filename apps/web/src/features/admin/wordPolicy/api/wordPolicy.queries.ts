import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { FilterImport, FilterOptionsDto, FilterRuleInput, WordPolicyStatus } from '@miyu/protocol';
import { useApi } from '../../../../lib/services';
import {
  addAllowedPhrase,
  addRule,
  commitImport,
  deleteAllowedPhrase,
  deleteRule,
  getStatus,
  hitStats,
  type HitFilter,
  type HitStatsBy,
  listAllowedPhrases,
  listHits,
  listRules,
  previewImport,
  type RuleListParams,
  setOptions,
  testText,
  updateRule,
  wordPolicyKeys,
} from './wordPolicy.api';

export function useWordPolicyStatusQuery() {
  const api = useApi();
  return useQuery({ queryKey: wordPolicyKeys.status, queryFn: ({ signal }) => getStatus(api, signal) });
}

export function useRuleListQuery(params: RuleListParams) {
  const api = useApi();
  return useQuery({
    queryKey: wordPolicyKeys.rules(params),
    queryFn: ({ signal }) => listRules(api, params, signal),
    placeholderData: keepPreviousData,
  });
}

export function useAllowedPhrasesQuery() {
  const api = useApi();
  return useQuery({ queryKey: wordPolicyKeys.whitelist, queryFn: ({ signal }) => listAllowedPhrases(api, signal) });
}

export function useHitListQuery(filter: HitFilter, limit: number, offset: number) {
  const api = useApi();
  return useQuery({
    queryKey: wordPolicyKeys.hits(filter, limit, offset),
    queryFn: ({ signal }) => listHits(api, filter, limit, offset, signal),
    placeholderData: keepPreviousData,
  });
}

export function useHitStatsQuery(filter: HitFilter, by: HitStatsBy) {
  const api = useApi();
  return useQuery({
    queryKey: wordPolicyKeys.hitStats(filter, by),
    queryFn: ({ signal }) => hitStats(api, filter, by, signal),
    placeholderData: keepPreviousData,
  });
}

/** Every change publishes a new policy version: the status, the rules and the whitelist are all stale after it. */
function usePublishingMutation<V, R>(mutationFn: (variables: V) => Promise<R>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: wordPolicyKeys.all }),
  });
}

export function useSaveRuleMutation() {
  const api = useApi();
  return usePublishingMutation(({ id, input }: { id: string | null; input: FilterRuleInput }) =>
    id === null ? addRule(api, input) : updateRule(api, id, input),
  );
}

export function useDeleteRuleMutation() {
  const api = useApi();
  return usePublishingMutation((id: string) => deleteRule(api, id));
}

export function useAddAllowedPhraseMutation() {
  const api = useApi();
  return usePublishingMutation((phrase: string) => addAllowedPhrase(api, phrase));
}

export function useDeleteAllowedPhraseMutation() {
  const api = useApi();
  return usePublishingMutation((id: string) => deleteAllowedPhrase(api, id));
}

export function useSetOptionsMutation() {
  const api = useApi();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (patch: Partial<FilterOptionsDto>) => setOptions(api, patch),
    onSuccess: ({ version }, patch) => {
      // The switches read the status: show the saved value now rather than after the refetch.
      queryClient.setQueryData<WordPolicyStatus>(wordPolicyKeys.status, (status) =>
        status ? { ...status, version, options: { ...status.options, ...patch } } : status,
      );
      return queryClient.invalidateQueries({ queryKey: wordPolicyKeys.all });
    },
  });
}

export function usePreviewImportMutation() {
  const api = useApi();
  return useMutation({ mutationFn: (file: File) => previewImport(api, file) });
}

export function useCommitImportMutation() {
  const api = useApi();
  return usePublishingMutation((body: FilterImport) => commitImport(api, body));
}

export function useTestTextMutation() {
  const api = useApi();
  return useMutation({ mutationFn: (text: string) => testText(api, text) });
}
