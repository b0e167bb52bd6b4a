import { z } from 'zod';

/**
 * Typing indicators and presence: ephemeral, rate-limited, never persisted (docs/attachments.md § Presence).
 */
export const MAX_PRESENCE_QUERY = 200;
/** A socket may send at most one typing:update per conversation per this many milliseconds. */
export const TYPING_MIN_INTERVAL_MS = 1000;

export const typingUpdateSchema = z.strictObject({
  conversationId: z.uuid(),
  typing: z.boolean(),
});
export type TypingUpdate = z.infer<typeof typingUpdateSchema>;

export interface TypingChangedEvent {
  conversationId: string;
  userId: string;
  typing: boolean;
}

export const presenceQuerySchema = z.strictObject({
  userIds: z.array(z.uuid()).min(1).max(MAX_PRESENCE_QUERY),
});
export type PresenceQuery = z.infer<typeof presenceQuerySchema>;

export interface PresenceSnapshot {
  /** The asked-for users that have at least one connected socket (on any server process). */
  online: string[];
}
