import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import {
  ErrorCode,
  type ReceiptCursors,
  type ReceiptListPage,
  type ReceiptsPolicy,
  type ReceiptSummary,
  type ReceiptUpdatedEvent,
} from '@miyu/protocol';
import { GroupCommit } from '../../common/timing/group-commit.js';
import { DomainError } from '../../common/errors/domain-error.js';
import type { Actor } from '../auth/auth.types.js';
import { ConversationsService } from '../messaging/conversations.service.js';
import { MessagesService } from '../messaging/messages.service.js';
import { MessagingError } from '../messaging/messaging.errors.js';
import { type AdvancedCursors, cursorKey, type CursorMove, ReceiptsRepository } from './receipts.repository.js';
import { logger } from '../../common/logging/json-logger.js';

/** Emitted after a batch of cursor moves commits; the gateway tells the devices (coalesced). */
export const RECEIPTS_MOVED_EVENT = 'receipts.moved';
export interface ReceiptsMovedEvent {
  /** Each reader's new cursors, for their own devices. */
  own: ReceiptUpdatedEvent[];
  /** Per conversation, the senders whose messages were newly read or received there. */
  senders: Array<{ conversationId: string; userIds: string[] }>;
}

/** How long the org's receipts policy is trusted before it is read again (reports are frequent, changes rare). */
const POLICY_TTL_MS = 1000;

interface Report {
  conversationId: string;
  userId: string;
  seq: number;
  kind: 'read' | 'delivered';
}

/**
 * Read receipts (issue 7). Members report what their devices showed or received; cursors only move forward.
 * Reports arriving together are applied in one statement (group commit), and their notifications are emitted once
 * per batch. Only the sender of a message sees who has and has not read it. When the org makes receipts optional,
 * a person who hides theirs is neither shown to others nor shown others' reads (Zulip's rule).
 */
@Injectable()
export class ReceiptsService {
  private readonly batch = new GroupCommit<Report, ReceiptCursors | null>((reports) => this.apply(reports), 1000, 1);
  private policy: { value: ReceiptsPolicy; at: number } | null = null;

  constructor(
    private readonly repo: ReceiptsRepository,
    private readonly conversations: ConversationsService,
    private readonly messages: MessagesService,
    private readonly events: EventEmitter2,
  ) {}

  /** A device's report; resolves with the member's cursors once committed. */
  async report(
    actor: Pick<Actor, 'userId'>,
    conversationId: string,
    seq: number,
    kind: 'read' | 'delivered',
  ): Promise<ReceiptCursors> {
    const cursors = await this.batch.submit({ conversationId, userId: actor.userId, seq, kind });
    if (!cursors) throw MessagingError.notFound();
    return cursors;
  }

  /** One batch: merged per member and conversation, advanced in one statement, announced once. */
  private async apply(reports: readonly Report[]): Promise<Array<ReceiptCursors | null>> {
    const moves = new Map<string, CursorMove>();
    for (const r of reports) {
      const key = cursorKey(r.conversationId, r.userId);
      const move = moves.get(key) ?? { conversationId: r.conversationId, userId: r.userId, readTo: 0, deliveredTo: 0 };
      if (r.kind === 'read') move.readTo = Math.max(move.readTo, r.seq);
      move.deliveredTo = Math.max(move.deliveredTo, r.seq);
      moves.set(key, move);
    }
    const advanced = await this.repo.advanceMany([...moves.values()]);
    const changed = [...advanced.values()].filter(
      (a) => a.before.readSeq !== a.after.readSeq || a.before.deliveredSeq !== a.after.deliveredSeq,
    );
    // The cursors are committed: telling devices is best effort and never fails the reports.
    if (changed.length > 0) await this.announce(changed).catch((error: unknown) => logFailure(error));
    return reports.map((r) => advanced.get(cursorKey(r.conversationId, r.userId))?.after ?? null);
  }

  private async announce(changed: readonly AdvancedCursors[]): Promise<void> {
    // Others learn of a move only when the reader's receipts are visible; then only the senders concerned who see
    // receipts themselves.
    const optional = (await this.receiptsPolicy()) === 'optional';
    const senders = await this.repo.sendersOf(
      changed.filter((a) => !optional || !a.hidesReceipts),
      optional,
    );
    const event: ReceiptsMovedEvent = {
      own: changed.map((a) => ({ conversationId: a.conversationId, userId: a.userId, ...a.after })),
      senders: [...senders].map(([conversationId, userIds]) => ({ conversationId, userIds })),
    };
    this.events.emit(RECEIPTS_MOVED_EVENT, event);
  }

  private async receiptsPolicy(): Promise<ReceiptsPolicy> {
    const now = Date.now();
    if (!this.policy || now - this.policy.at > POLICY_TTL_MS)
      this.policy = { value: (await this.messages.settings()).receiptsPolicy, at: now };
    return this.policy.value;
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

function logFailure(error: unknown): void {
  logger.event('error', 'receipts', 'announcing cursor moves failed', {
    error: error instanceof Error ? error.message : String(error),
  });
}
