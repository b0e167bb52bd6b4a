import { Injectable } from '@nestjs/common';
import { ErrorCode, TYPING_MIN_INTERVAL_MS, type TypingChangedEvent, type TypingUpdate } from '@miyu/protocol';
import { DomainError } from '../../common/errors/domain-error.js';
import type { Actor } from '../auth/auth.types.js';
import { ConversationsService } from '../messaging/conversations.service.js';
import { TypingLimiter } from './typing-limiter.js';

/** Typing indicators: rules and recipients. Ephemeral: nothing is written anywhere. */
@Injectable()
export class PresenceService {
  private readonly limiter = new TypingLimiter(TYPING_MIN_INTERVAL_MS);

  constructor(private readonly conversations: ConversationsService) {}

  /**
   * Checks the rate limit (before any database work) and membership; returns the event and the users to tell:
   * the other members (the sender's own sockets are not told).
   */
  async typing(
    actor: Actor,
    socketId: string,
    update: TypingUpdate,
  ): Promise<{ event: TypingChangedEvent; recipientUserIds: string[] }> {
    if (!this.limiter.allow(socketId, update.conversationId)) {
      const retryAfterMs = this.limiter.retryAfterMs(socketId, update.conversationId);
      throw new DomainError(ErrorCode.RATE_LIMITED, 'At most one typing update per conversation per second.', {
        retryAfterSeconds: Math.max(1, Math.ceil(retryAfterMs / 1000)),
      });
    }
    const members = await this.conversations.members(actor, update.conversationId);
    return {
      event: { conversationId: update.conversationId, userId: actor.userId, typing: update.typing },
      recipientUserIds: members.map((m) => m.userId).filter((id) => id !== actor.userId),
    };
  }

  socketGone(socketId: string): void {
    this.limiter.forget(socketId);
  }
}
