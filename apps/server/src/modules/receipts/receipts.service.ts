import { Injectable } from '@nestjs/common';
import {
  ErrorCode,
  type ReceiptCursors,
  type ReceiptListPage,
  type ReceiptSummary,
  type ReceiptUpdatedEvent,
} from '@miyu/protocol';
import { DomainError } from '../../common/errors/domain-error.js';
import type { Actor } from '../auth/auth.types.js';
import { ConversationsService } from '../messaging/conversations.service.js';
import { MessagesService } from '../messaging/messages.service.js';
import { MessagingError } from '../messaging/messaging.errors.js';
import { ReceiptsRepository } from './receipts.repository.js';

/** Where a cursor move must be told: the reader's own devices, and (when visible) the senders it concerns. */
export interface ReceiptFanOut {
  cursors: ReceiptCursors;
  event: ReceiptUpdatedEvent | null;
  ownUserId: string;
  senderUserIds: string[];
}

/**
 * Read receipts (issue 7). Members report what their devices showed or received; cursors only move forward.
 * Only the sender of a message sees who has and has not read it. When the org makes receipts optional, a person
 * who hides theirs is neither shown to others nor shown others' reads (Zulip's rule).
 */
@Injectable()
export class ReceiptsService {
  constructor(
    private readonly repo: ReceiptsRepository,
    private readonly conversations: ConversationsService,
    private readonly messages: MessagesService,
  ) {}

  async report(
    actor: Pick<Actor, 'userId'>,
    conversationId: string,
    seq: number,
    kind: 'read' | 'delivered',
  ): Promise<ReceiptFanOut> {
    const moved = await this.repo.advance(conversationId, actor.userId, kind, seq);
    if (!moved) throw MessagingError.notFound();
    const { before, after } = moved;
    const changed = before.readSeq !== after.readSeq || before.deliveredSeq !== after.deliveredSeq;
    if (!changed) return { cursors: after, event: null, ownUserId: actor.userId, senderUserIds: [] };
    const event: ReceiptUpdatedEvent = { conversationId, userId: actor.userId, ...after };
    // Others learn of it only when this reader's receipts are visible; then only the senders concerned who see
    // receipts themselves.
    const { receiptsPolicy } = await this.messages.settings();
    const optional = receiptsPolicy === 'optional';
    let senders: string[] = [];
    if (!optional || !(await this.repo.hidesReceipts(actor.userId))) {
      // Only the senders of messages whose state changed: newly read, or newly delivered.
      senders = await this.repo.sendersIn(
        conversationId,
        [
          [before.readSeq, after.readSeq],
          [before.deliveredSeq, after.deliveredSeq],
        ],
        actor.userId,
        optional,
      );
    }
    return { cursors: after, event, ownUserId: actor.userId, senderUserIds: senders };
  }

  /** Who has read (or not) one of the actor's own messages. */
  async list(
    actor: Pick<Actor, 'userId'>,
    conversationId: string,
    seq: number,
    query: { state: 'read' | 'unread'; limit: number; offset: number },
  ): Promise<ReceiptListPage> {
    const hideOptOuts = await this.checkSender(actor, conversationId, [seq]);
    return this.repo.list(conversationId, seq, actor.userId, query.state, hideOptOuts, query.limit, query.offset);
  }

  /** Read counts for several of the actor's own messages (the "ring"); others' seqs are left out. */
  async summary(actor: Pick<Actor, 'userId'>, conversationId: string, seqs: number[]): Promise<ReceiptSummary> {
    const hideOptOuts = await this.checkSender(actor, conversationId, []);
    return this.repo.summary(conversationId, seqs, actor.userId, hideOptOuts);
  }

  async getHidden(actor: Pick<Actor, 'userId'>): Promise<{ hideReadReceipts: boolean }> {
    return { hideReadReceipts: await this.repo.hidesReceipts(actor.userId) };
  }

  /** The person's own choice (honoured only while the org makes receipts optional). */
  async setHidden(actor: Pick<Actor, 'userId'>, hide: boolean): Promise<{ hideReadReceipts: boolean }> {
    await this.repo.setHidesReceipts(actor.userId, hide);
    return { hideReadReceipts: hide };
  }

  /** Member; sender of every given seq; and not hiding their own receipts under an optional policy. */
  private async checkSender(actor: Pick<Actor, 'userId'>, conversationId: string, seqs: number[]): Promise<boolean> {
    await this.conversations.requireMember(actor, conversationId);
    for (const seq of seqs) {
      const sender = await this.repo.messageSender(conversationId, seq);
      if (sender === undefined) throw MessagingError.messageNotFound();
      if (sender !== actor.userId) throw notAvailable();
    }
    const optional = (await this.messages.settings()).receiptsPolicy === 'optional';
    if (optional && (await this.repo.hidesReceipts(actor.userId))) throw notAvailable();
    return optional;
  }
}

function notAvailable(): DomainError {
  return new DomainError(
    ErrorCode.RECEIPTS_NOT_AVAILABLE,
    'Only the sender of a message sees who has read it (and not while hiding their own read receipts).',
  );
}
