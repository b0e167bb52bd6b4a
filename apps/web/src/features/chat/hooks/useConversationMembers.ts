import { useQuery } from '@tanstack/react-query';
import type { ChatEngine } from '../engine/chatEngine';

/** The user ids of a conversation's current members (for @mentions), refreshed with the conversation. */
export function useConversationMembers(engine: ChatEngine, conversationId: string): string[] {
  const members = useQuery({
    queryKey: ['chat', 'members', conversationId],
    queryFn: () => engine.memberIds(conversationId),
    staleTime: 30_000,
  });
  return members.data ?? [];
}
