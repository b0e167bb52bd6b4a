import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { encodeEnvelope, safeParseEnvelope } from '@miyu/crypto';
import {
  MAX_SYNC_PAGE,
  type MessageSend,
  type MessagingSettings,
  type MessagingSettingsPatch,
  type MessageSendAck,
  type SyncChanges,
  type SyncPage,
  type TimelineMessage,
} from '@miyu/protocol';
import { changedFields } from '../../common/audit/changed-fields.js';
import { ForbiddenError } from '../../common/errors/domain-error.js';
import { logger } from '../../common/logging/json-logger.js';
import type { Actor } from '../auth/auth.types.js';
import { AUDIT_EVENT, type AuditRecord } from '../audit/audit.events.js';
import { ConversationsRepository } from './conversations.repository.js';
import { ConversationsService } from './conversations.service.js';
import { GroupCommit } from '../../common/timing/group-commit.js';
import { MessagingError } from './messaging.errors.js';
import { TIMELINE_APPENDED_EVENT, type TimelineAppendedEvent } from './messaging.events.js';
import type { MessageEntity } from './entities/message.entity.js';
import { MessagesRepository, type NewMessage, type PersistOutcome } from './messages.repository.js';
import { toTimelineMessage } from './timeline.mapper.js';
import { CurrentWordPolicy } from '../word-policy/current-policy.js';
import { WordPolicyError } from '../word-policy/word-policy.errors.js';
import { ComplianceError } from '../compliance/compliance.errors.js';
import { RetentionResolver } from '../compliance/retention-resolver.js';

export interface Sender {
  userId: string;
  deviceId: string | null;
  /** The client's address and user agent (from the socket's handshake), for the audit log. */
  ip?: string | null;
  userAgent?: string | null;
  /** The socket the send came on: it gets the ack, not the push. */
  socketId?: string | null;
}

/** Session ids whose escrow wrap this process has filed (sessions rotate every ≤ 100 messages). */
const MAX_FILED_ESCROWS = 20_000;
/** A resend answered from the store pushes the message again while it is this recent (see repushIfRecent). */
const REPUSH_WINDOW_MS = 5 * 60_000;
const MAX_REPUSHED = 10_000;

const MESSAGING_SETTINGS = [
  'recallWindowMinutes',
  'notificationPreviews',
  'watermarkEnabled',
  'watermarkFields',
  'receiptsPolicy',
] as const satisfies ReadonlyArray<keyof MessagingSettings>;

/**
 * The delivery contract (ARCHITECTURE §4): a send is acked with its seq only after it is committed; resends with the
 * same clientMsgId get the original ack; fan-out happens after commit.
 */
@Injectable()
export class MessagesService {
  private readonly commits: GroupCommit<NewMessage, PersistOutcome>;
  private readonly filedEscrows = new Set<string>();
  private readonly repushed = new Set<string>();

  constructor(
    private readonly messages: MessagesRepository,
    private readonly conversationsRepo: ConversationsRepository,
    private readonly conversations: ConversationsService,
    private readonly events: EventEmitter2,
    private readonly policy: CurrentWordPolicy,
    private readonly retention: RetentionResolver,
  ) {
    // Up to 4 overlapping batches: conversation rows are locked in id order, so they cannot deadlock.
    this.commits = new GroupCommit((batch) => this.persist(batch), 500, 4);
  }

  async send(sender: Sender, request: MessageSend): Promise<MessageSendAck> {
    if (!sender.deviceId) throw MessagingError.deviceRequired();
    const parsed = safeParseEnvelope(request.envelope);
    if (!parsed.ok) throw MessagingError.envelopeInvalid(parsed.error.message);
    const e = parsed.envelope;
    // The envelope authenticates these fields; they must also be the ones the server files it under.
    if (e.conversationId !== request.conversationId) throw MessagingError.envelopeInvalid('conversationId differs');
    if (e.clientMsgId !== request.clientMsgId) throw MessagingError.envelopeInvalid('clientMsgId differs');
    if (e.senderUserId !== sender.userId) throw MessagingError.envelopeInvalid('senderUserId is not you');
    if (e.senderDeviceId !== sender.deviceId) throw MessagingError.envelopeInvalid('senderDeviceId is not this device');
    // The client checked the text against the policy version it names; an older one than the current is refused.
    const current = await this.policy.version();
    if (e.policyVersion < current) throw WordPolicyError.stale(current);
    // Retention (ARCHITECTURE §6): a retained conversation's sessions carry the escrow wrap, others never do.
    const retention = await this.retention.forConversation(request.conversationId);
    if (retention.retained && !e.escrow) throw ComplianceError.escrowRequired();
    if (!retention.retained && e.escrow) throw ComplianceError.escrowNotExpected();
    const sessionKey = e.escrow ? Buffer.from(e.sessionId).toString('hex') : null;
    const escrow =
      e.escrow && retention.key && !this.filedEscrows.has(sessionKey!)
        ? { sessionId: Buffer.from(e.sessionId), wrap: Buffer.from(e.escrow), keyId: retention.key.id }
        : null;
    const envelope = Buffer.from(encodeEnvelope(e));
    const outcome = await this.commits.submit({
      conversationId: request.conversationId,
      clientMsgId: request.clientMsgId,
      senderUserId: sender.userId,
      senderDeviceId: sender.deviceId,
      envelope,
      mentionsAll: request.mentionsAll ?? false,
      escrow,
      originSocketId: sender.socketId ?? null,
    });
    if (escrow && outcome.kind === 'stored') {
      if (this.filedEscrows.size >= MAX_FILED_ESCROWS) this.filedEscrows.clear();
      this.filedEscrows.add(sessionKey!);
    }
    if (outcome.kind === 'not_member') throw MessagingError.notFound();
    if (outcome.kind === 'mention_all_forbidden') throw MessagingError.mentionAllForbidden();
    if (outcome.kind === 'duplicate') {
      this.repushIfRecent(request.conversationId, outcome.seq, outcome.serverTs);
      return { seq: outcome.seq, serverTs: outcome.serverTs.toISOString() };
    }
    // After the commit, off the transaction: metadata only (the audit writer batches these).
    const seq = Number(outcome.message.seq);
    this.audit({
      action: 'message.sent',
      actor: { userId: sender.userId, deviceId: sender.deviceId, ip: sender.ip, userAgent: sender.userAgent },
      entity: { type: 'message', id: `${request.conversationId}:${seq}` },
      context: {
        conversationId: request.conversationId,
        seq,
        clientMsgId: request.clientMsgId,
        bytes: envelope.length,
        mentionsAll: outcome.message.mentionsAll,
      },
    });
    return { seq, serverTs: outcome.message.serverTs.toISOString() };
  }

  /** The sender may recall within the window; an admin may recall any message at any time. */
  async recall(
    actor: Pick<Actor, 'userId' | 'role'> & Partial<Pick<Sender, 'deviceId' | 'ip' | 'userAgent'>>,
    conversationId: string,
    seq: number,
  ): Promise<{ seq: number }> {
    // Org admins moderate any conversation; everyone else must be in it. A socket carries the role of its handshake,
    // so an admin's is confirmed against the account now (a demoted admin's open socket must not keep the power).
    const isAdmin = actor.role === 'admin' && (await this.messages.isActiveAdmin(actor.userId));
    if (!isAdmin) await this.conversations.requireMember(actor, conversationId);
    const message = await this.messages.findMessage(conversationId, seq);
    if (!message || message.system) throw MessagingError.messageNotFound();
    if (message.senderUserId !== actor.userId && !isAdmin) throw MessagingError.recallForbidden();
    if (!isAdmin) {
      const minutes = await this.messages.recallWindowMinutes();
      if (Date.now() - message.serverTs.getTime() > minutes * 60_000) throw MessagingError.recallWindowPassed(minutes);
    }
    const entry = await this.messages.recall(conversationId, seq, actor.userId, (manager) =>
      this.conversationsRepo.appendSystemEvent(
        conversationId,
        { type: 'message_recalled', seq, by: actor.userId },
        manager,
      ),
    );
    if (entry) {
      const recipientUserIds = await this.conversationsRepo.activeMemberIds(conversationId);
      const event: TimelineAppendedEvent = { conversationId, messages: [entry], recipientUserIds };
      this.events.emit(TIMELINE_APPENDED_EVENT, event);
      this.audit({
        action: 'message.recalled',
        actor: { userId: actor.userId, deviceId: actor.deviceId, ip: actor.ip, userAgent: actor.userAgent },
        entity: { type: 'message', id: `${conversationId}:${seq}` },
        context: {
          conversationId,
          seq,
          senderUserId: message.senderUserId,
          byAdmin: message.senderUserId !== actor.userId,
        },
      });
    }
    return { seq };
  }

  settings(): Promise<MessagingSettings> {
    return this.messages.settings();
  }

  async updateSettings(actor: Pick<Actor, 'role'>, settings: MessagingSettingsPatch): Promise<MessagingSettings> {
    if (actor.role !== 'admin') throw new ForbiddenError();
    const before = await this.messages.settings();
    await this.messages.updateSettings(settings);
    this.audit({
      action: 'messaging_settings.updated',
      entity: { type: 'settings', id: 'messaging', name: 'messaging' },
      context: { changes: changedFields(before, settings, MESSAGING_SETTINGS) ?? {} },
    });
    return this.settings();
  }

  async since(
    actor: Pick<Actor, 'userId'>,
    conversationId: string,
    afterSeq: number,
    limit = MAX_SYNC_PAGE,
  ): Promise<SyncPage> {
    const { conversation } = await this.conversations.requireMember(actor, conversationId);
    const rows = await this.messages.since(conversationId, afterSeq, Math.min(limit, MAX_SYNC_PAGE));
    return { messages: rows.map(toTimelineMessage), lastSeq: Number(conversation.lastSeq) };
  }

  async history(
    actor: Pick<Actor, 'userId'>,
    conversationId: string,
    before: number | undefined,
    limit: number,
  ): Promise<TimelineMessage[]> {
    await this.conversations.requireMember(actor, conversationId);
    return (await this.messages.before(conversationId, before, limit)).map(toTimelineMessage);
  }

  async changes(actor: Pick<Actor, 'userId'>): Promise<SyncChanges> {
    return { conversations: await this.conversationsRepo.lastSeqsForUser(actor.userId) };
  }

  /**
   * A client resends when it got no ack; the process that committed the first copy may have died before pushing
   * it (multi-node failover), and then members online elsewhere would see it only at their next sync. So a resend
   * answered from the store pushes the message again: once per message per process, while it is recent (a client
   * cannot make a process push old messages over and over). Clients drop a seq they already have.
   */
  private repushIfRecent(conversationId: string, seq: number, serverTs: Date): void {
    const key = `${conversationId}/${seq}`;
    if (Date.now() - serverTs.getTime() > REPUSH_WINDOW_MS || this.repushed.has(key)) return;
    if (this.repushed.size >= MAX_REPUSHED) this.repushed.clear();
    this.repushed.add(key);
    this.repush(conversationId, seq).catch((err: unknown) =>
      logger.event('warn', 'messaging', 'push of a resent message failed', { conversationId, seq, err }),
    );
  }

  private async repush(conversationId: string, seq: number): Promise<void> {
    const message = await this.messages.findMessage(conversationId, seq);
    if (!message || message.recalledAt) return;
    const recipientUserIds = await this.conversationsRepo.activeMemberIds(conversationId);
    const event: TimelineAppendedEvent = { conversationId, messages: [message], recipientUserIds };
    this.events.emit(TIMELINE_APPENDED_EVENT, event);
  }

  private audit(record: AuditRecord): void {
    this.events.emit(AUDIT_EVENT, record);
  }

  private async persist(batch: NewMessage[]): Promise<PersistOutcome[]> {
    const { outcomes, members } = await this.messages.persistBatch(batch);
    // After commit: fan out what was newly stored, one event per conversation.
    const stored = new Map<string, { messages: MessageEntity[]; origins: Array<string | null> }>();
    outcomes.forEach((o, i) => {
      if (o.kind !== 'stored') return;
      const entry = stored.get(o.message.conversationId) ?? { messages: [], origins: [] };
      entry.messages.push(o.message);
      entry.origins.push(batch[i]!.originSocketId ?? null);
      stored.set(o.message.conversationId, entry);
    });
    for (const [conversationId, { messages, origins }] of stored) {
      const event: TimelineAppendedEvent = {
        conversationId,
        messages,
        recipientUserIds: members.get(conversationId) ?? [],
        originSocketIds: origins,
      };
      this.events.emit(TIMELINE_APPENDED_EVENT, event);
    }
    return outcomes;
  }
}
