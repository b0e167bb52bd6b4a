import { Injectable } from '@nestjs/common';
import {
  DEFAULT_MESSAGING_SETTINGS,
  MENTION_ALL_OPEN_MAX_MEMBERS,
  type MessagingSettings,
  type MessagingSettingsPatch,
} from '@miyu/protocol';
import { DataSource, type EntityManager, IsNull, LessThan, MoreThan } from 'typeorm';
import { MessagingSettingsEntity } from './entities/messaging-settings.entity.js';
import { MessageEntity } from './entities/message.entity.js';
import { prepared } from '../../database/prepared.js';

export interface NewMessage {
  conversationId: string;
  clientMsgId: string;
  senderUserId: string;
  senderDeviceId: string;
  envelope: Buffer;
  mentionsAll: boolean;
  /**
   * The compliance escrow wrap of the envelope's sender-key session, to file beside the session id (escrow_sessions)
   * in the same transaction; set only for a session this process has not filed yet.
   */
  escrow?: { sessionId: Buffer; wrap: Buffer; keyId: string } | null;
  /** The socket it came from (not stored): the push after the commit skips it. */
  originSocketId?: string | null;
}

export type PersistOutcome =
  | { kind: 'stored'; message: MessageEntity }
  | { kind: 'duplicate'; seq: number; serverTs: Date }
  | { kind: 'not_member' }
  | { kind: 'mention_all_forbidden' };

export interface PersistedBatch {
  /** One per send, in the batch's order. */
  outcomes: PersistOutcome[];
  /** The active members of each conversation of the batch, read under its lock: who to push new messages to. */
  members: Map<string, string[]>;
}

/** A send batch in one statement (migration 1765440000000-send-batch), prepared once per connection. */
export const SEND_BATCH_SQL = `SELECT * FROM miyu_send_batch($1::uuid[], $2::uuid[], $3::uuid[], $4::uuid[], $5::bytea[],
  $6::boolean[], $7::bytea[], $8::bytea[], $9::uuid[], $10::timestamptz, $11::integer)`;

interface BatchRow {
  /** The send's place in the batch, 1-based; null on `members` rows. */
  r_i: string | null;
  r_kind: 'not_member' | 'duplicate' | 'mention_all_forbidden' | 'copy' | 'stored' | 'members';
  r_conversation_id: string;
  r_seq: string | null;
  r_server_ts: Date | null;
  r_members: string[] | null;
}

/**
 * Group commit: persists many concurrent sends in ONE statement, whatever the batch size (miyu_send_batch): lock
 * the batch's conversations, check membership and the @all rule, find sends already stored (idempotent resends),
 * assign consecutive seqs per conversation, insert all, and return each conversation's active members (who
 * receives). Seqs have no gaps.
 */
@Injectable()
export class MessagesRepository {
  constructor(private readonly dataSource: DataSource) {}

  async persistBatch(batch: NewMessage[]): Promise<PersistedBatch> {
    const serverTs = new Date();
    const rows = await prepared<BatchRow>(this.dataSource, 'miyu_send_batch', SEND_BATCH_SQL, [
      batch.map((m) => m.conversationId),
      batch.map((m) => m.clientMsgId),
      batch.map((m) => m.senderUserId),
      batch.map((m) => m.senderDeviceId),
      batch.map((m) => m.envelope),
      batch.map((m) => m.mentionsAll),
      batch.map((m) => m.escrow?.sessionId ?? null),
      batch.map((m) => m.escrow?.wrap ?? null),
      batch.map((m) => m.escrow?.keyId ?? null),
      serverTs,
      MENTION_ALL_OPEN_MAX_MEMBERS,
    ]);
    const members = new Map<string, string[]>();
    const decided: BatchRow[] = new Array(batch.length);
    for (const r of rows) {
      if (r.r_kind === 'members') members.set(r.r_conversation_id, r.r_members ?? []);
      else decided[Number(r.r_i) - 1] = r;
    }
    const outcomes = decided.map((r, i): PersistOutcome | null => {
      const m = batch[i]!;
      switch (r.r_kind) {
        case 'stored':
          return { kind: 'stored', message: storedMessage(m, r.r_seq!, serverTs) };
        case 'duplicate':
          return { kind: 'duplicate', seq: Number(r.r_seq), serverTs: r.r_server_ts! };
        case 'not_member':
          return { kind: 'not_member' };
        case 'mention_all_forbidden':
          return { kind: 'mention_all_forbidden' };
        default:
          return null; // a later copy: answered like the first, below
      }
    });
    const firstOf = new Map<string, PersistOutcome>();
    batch.forEach((m, i) => {
      const key = `${m.conversationId}/${m.clientMsgId}`;
      if (outcomes[i] && !firstOf.has(key)) firstOf.set(key, outcomes[i]);
    });
    return {
      outcomes: batch.map((m, i) => {
        const own = outcomes[i];
        if (own) return own;
        const first = firstOf.get(`${m.conversationId}/${m.clientMsgId}`)!;
        return first.kind === 'stored'
          ? { kind: 'duplicate' as const, seq: Number(first.message.seq), serverTs: first.message.serverTs }
          : first;
      }),
      members,
    };
  }

  findMessage(conversationId: string, seq: number): Promise<MessageEntity | null> {
    return this.dataSource.getRepository(MessageEntity).findOneBy({ conversationId, seq: String(seq) });
  }

  /** Marks a message recalled (once) and files the timeline entry, in one transaction; null if already recalled. */
  async recall(
    conversationId: string,
    seq: number,
    by: string,
    appendEntry: (manager: EntityManager) => Promise<MessageEntity>,
  ): Promise<MessageEntity | null> {
    return this.dataSource.transaction(async (manager) => {
      const result = await manager
        .getRepository(MessageEntity)
        .update({ conversationId, seq: String(seq), recalledAt: IsNull() }, { recalledAt: new Date(), recalledBy: by });
      if (!result.affected) return null;
      return appendEntry(manager);
    });
  }

  /** Whether the account is an active admin right now. */
  async isActiveAdmin(userId: string): Promise<boolean> {
    const rows = (await this.dataSource.query(
      `SELECT 1 FROM users WHERE id = $1 AND role = 'admin' AND status = 'active'`,
      [userId],
    )) as unknown[];
    return rows.length > 0;
  }

  async recallWindowMinutes(): Promise<number> {
    return (await this.settings()).recallWindowMinutes;
  }

  async settings(): Promise<MessagingSettings> {
    const row = await this.dataSource.getRepository(MessagingSettingsEntity).findOneBy({ id: 1 });
    if (!row) return { ...DEFAULT_MESSAGING_SETTINGS };
    return {
      recallWindowMinutes: row.recallWindowMinutes,
      notificationPreviews: row.notificationPreviews,
      watermarkEnabled: row.watermarkEnabled,
      watermarkFields: row.watermarkFields,
      receiptsPolicy: row.receiptsPolicy,
    };
  }

  async updateSettings(patch: MessagingSettingsPatch): Promise<void> {
    const next = { ...(await this.settings()), ...patch };
    await this.dataSource
      .getRepository(MessagingSettingsEntity)
      .upsert({ id: 1, ...next, updatedAt: new Date() }, ['id']);
  }

  since(conversationId: string, afterSeq: number, limit: number): Promise<MessageEntity[]> {
    return this.dataSource.getRepository(MessageEntity).find({
      where: { conversationId, seq: MoreThan(String(afterSeq)) },
      order: { seq: 'ASC' },
      take: limit,
    });
  }

  async before(conversationId: string, beforeSeq: number | undefined, limit: number): Promise<MessageEntity[]> {
    const rows = await this.dataSource.getRepository(MessageEntity).find({
      where: beforeSeq === undefined ? { conversationId } : { conversationId, seq: LessThan(String(beforeSeq)) },
      order: { seq: 'DESC' },
      take: limit,
    });
    return rows.reverse();
  }
}

/** The entity of a send the batch stored (what the statement wrote, without reading it back). */
function storedMessage(m: NewMessage, seq: string, serverTs: Date): MessageEntity {
  return Object.assign(new MessageEntity(), {
    conversationId: m.conversationId,
    seq,
    clientMsgId: m.clientMsgId,
    senderUserId: m.senderUserId,
    senderDeviceId: m.senderDeviceId,
    envelope: m.envelope,
    system: null,
    serverTs,
    recalledAt: null,
    recalledBy: null,
    mentionsAll: m.mentionsAll,
  } satisfies MessageEntity);
}
