import { useQueries } from '@tanstack/react-query';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { personCardSchema } from '@miyu/protocol';
import { isApiError } from '../../../lib/apiClient';
import { useApi } from '../../../lib/services';

/**
 * Display names for the people a chat view mentions, from the directory's person cards (cached; people hidden
 * from the viewer by the directory show as "unknown person").
 */
export function usePeopleNames(userIds: readonly string[]): (userId: string) => string {
  const api = useApi();
  const { t } = useTranslation();
  const idsKey = [...new Set(userIds)].sort().join(',');
  const unique = useMemo(() => (idsKey ? idsKey.split(',') : []), [idsKey]);
  // `combine` results are structurally shared: the list is a new object only when a name changed.
  const names = useQueries({
    queries: unique.map((id) => ({
      queryKey: ['chat', 'person', id],
      queryFn: ({ signal }: { signal: AbortSignal }) =>
        api.get(`/api/directory/people/${encodeURIComponent(id)}`, personCardSchema, { signal }),
      staleTime: 5 * 60_000,
      retry: (count: number, error: unknown) => !(isApiError(error) && error.status < 500) && count < 2,
    })),
    combine: (results) => results.map((r) => r.data?.displayName ?? null),
  });
  return useMemo(() => {
    const byId = new Map(unique.map((id, i) => [id, names[i] ?? null]));
    return (userId: string) => byId.get(userId) ?? t('chats.unknownPerson');
  }, [unique, names, t]);
}
