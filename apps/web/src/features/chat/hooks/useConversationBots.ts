import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { conversationBotsSchema } from '@miyu/protocol';
import { useApi } from '../../../lib/services';

/**
 * Which senders of a conversation are bots (incoming webhooks): their messages were encrypted by the server on
 * receipt, so the timeline badges them as "sent by an integration, not end-to-end from its origin".
 */
export function useConversationBots(conversationId: string): (userId: string | null) => boolean {
  const api = useApi();
  const { data } = useQuery({
    queryKey: ['chat', 'bots', conversationId],
    queryFn: ({ signal }) =>
      api.get(`/api/conversations/${encodeURIComponent(conversationId)}/bots`, conversationBotsSchema, { signal }),
    staleTime: 60_000,
  });
  return useMemo(() => {
    const ids = new Set((data?.bots ?? []).map((b) => b.userId));
    return (userId: string | null) => userId !== null && ids.has(userId);
  }, [data]);
}
