import { Injectable } from '@nestjs/common';
import {
  DEFAULT_MESSAGING_SETTINGS,
  MENTION_ALL_OPEN_MAX_MEMBERS,
  type MemberRole,
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

/** The hot statements of a batch, prepared once per connection (database/prepared.ts). */
export const MESSAGE_BATCH_SQL = {
  lock: `SELECT id FROM conversations WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
  members: `SELECT conversation_id, user_id, role FROM conversation_members
             WHERE conversation_id = ANY($1::uuid[]) AND left_at IS NULL`,
  existing: `SELECT m.conversation_id, m.client_msg_id, m.seq, m.server_ts FROM messages m
               JOIN unnest($1::uuid[], $2::uuid[]) AS s(conversation_id, client_msg_id)
                 ON m.conversation_id = s.conversation_id AND m.client_msg_id = s.client_msg_id`,
  advance: `UPDATE conversations c SET last_seq = c.last_seq + v.n
              FROM unnest($1::uuid[], $2::int[]) AS v(id, n) WHERE c.id = v.id
            RETURNING c.id, c.last_seq`,
  insert: `INSERT INTO messages (conversation_id, seq, client_msg_id, sender_user_id, sender_device_id, envelope,
                                 server_ts, mentions_all)
           SELECT conversation_id, seq, client_msg_id, sender_user_id, sender_device_id, envelope, $7, mentions_all
             FROM unnest($1::uuid[], $2::bigint[], $3::uuid[], $4::uuid[], $5::uuid[], $6::bytea[], $8::boolean[])
               AS x(conversation_id, seq, client_msg_id, sender_user_id, sender_device_id, envelope, mentions_all)`,
  escrow: `INSERT INTO escrow_sessions (session_id, conversation_id, sender_user_id, sender_device_id, key_id, wrap,
                                        first_seq)
           SELECT * FROM unnest($1::bytea[], $2::uuid[], $3::uuid[], $4::uuid[], $5::uuid[], $6::bytea[], $7::bigint[])
           ON CONFLICT (session_id) DO NOTHING`,
} as const;

/**
 * Group commit: persists many concurrent sends in ONE transaction with a constant number of prepared statements,
 * whatever the batch size: lock the batch's conversations (in id order, so concurrent batches never deadlock),
 * read their members (who may send, and who receives), find sends already stored (idempotent resends), assign
 * consecutive seqs per conversation, insert all. Seqs have no gaps.
 */
@Injectable()
export class MessagesRepository {
  constructor(private readonly dataSource: DataSource) {}

  async persistBatch(batch: NewMessage[]): Promise<PersistedBatch> {
    return this.dataSource.transaction(async (manager) => {
      const outcomes: Array<PersistOutcome | undefined> = new Array(batch.length);
      const conversationIds = [...new Set(batch.map((m) => m.conversationId))].sort();
      const locked = await prepared<{ id: string }>(manager, 'messages_lock', MESSAGE_BATCH_SQL.lock, [
        conversationIds,
      ]);
      const exists = new Set(locked.map((r) => r.id));
      const memberRows = await prepared<{ conversation_id: string; user_id: string; role: MemberRole }>(
        manager,
        'messages_members',
        MESSAGE_BATCH_SQL.members,
        [conversationIds],
      );
      const roleOf = new Map(memberRows.map((m) => [`${m.conversation_id}/${m.user_id}`, m.role]));
      const members = new Map<string, string[]>();
      for (const r of memberRows) {
        const list = members.get(r.conversation_id) ?? [];
        list.push(r.user_id);
        members.set(r.conversation_id, list);
      }
      const mayMentionAll = (m: NewMessage) =>
        (members.get(m.conversationId)?.length ?? 0) <= MENTION_ALL_OPEN_MAX_MEMBERS ||
        roleOf.get(`${m.conversationId}/${m.senderUserId}`) !== 'member';
      const existing = await prepared<{ conversation_id: string; client_msg_id: string; seq: string; server_ts: Date }>(
        manager,
        'messages_existing',
        MESSAGE_BATCH_SQL.existing,
        [batch.map((m) => m.conversationId), batch.map((m) => m.clientMsgId)],
      );
      const known = new Map(
        existing.map((e) => [`${e.conversation_id}/${e.client_msg_id}`, { seq: Number(e.seq), serverTs: e.server_ts }]),
      );

      // Decide each send; the first copy of a clientMsgId in the batch is stored, later copies reuse its ack.
      const fresh: number[] = [];
      const firstCopy = new Map<string, number>();
      batch.forEach((m, i) => {
        const key = `${m.conversationId}/${m.clientMsgId}`;
        const prior = known.get(key);
        if (!exists.has(m.conversationId) || !roleOf.has(`${m.conversationId}/${m.senderUserId}`)) {
          outcomes[i] = { kind: 'not_member' };
        } else if (prior) {
          outcomes[i] = { kind: 'duplicate', ...prior };
        } else if (m.mentionsAll && !mayMentionAll(m)) {
          outcomes[i] = { kind: 'mention_all_forbidden' };
        } else if (!firstCopy.has(key)) {
          firstCopy.set(key, i);
          fresh.push(i);
        }
      });

      if (fresh.length > 0) {
        const rows = await this.insert(
          manager,
          fresh.map((i) => batch[i]!),
        );
        fresh.forEach((i, k) => (outcomes[i] = { kind: 'stored', message: rows[k]! }));
      }
      const done = batch.map((m, i) => {
        const outcome = outcomes[i];
        if (outcome) return outcome;
        const first = outcomes[firstCopy.get(`${m.conversationId}/${m.clientMsgId}`)!]!;
        return first.kind === 'stored'
          ? { kind: 'duplicate' as const, seq: Number(first.message.seq), serverTs: first.message.serverTs }
          : first;
      });
      return { outcomes: done, members };
    });
  }

  /** Assigns the next seqs of each conversation to `sends` (in order) and inserts them with their escrow wraps. */
  private async insert(manager: EntityManager, sends: NewMessage[]): Promise<MessageEntity[]> {
    const counts = new Map<string, number>();
    for (const m of sends) counts.set(m.conversationId, (counts.get(m.conversationId) ?? 0) + 1);
    const ids = [...counts.keys()];
    const updated = await prepared<{ id: string; last_seq: string }>(
      manager,
      'messages_advance',
      MESSAGE_BATCH_SQL.advance,
      [ids, ids.map((id) => counts.get(id)!)],
    );
    const nextSeq = new Map(updated.map((u) => [u.id, Number(u.last_seq) - counts.get(u.id)! + 1]));
    const serverTs = new Date();
    const rows = sends.map((m) => {
      const seq = nextSeq.get(m.conversationId)!;
      nextSeq.set(m.conversationId, seq + 1);
      return Object.assign(new MessageEntity(), {
        conversationId: m.conversationId,
        seq: String(seq),
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
    });
    await prepared(manager, 'messages_insert', MESSAGE_BATCH_SQL.insert, [
      rows.map((r) => r.conversationId),
      rows.map((r) => r.seq),
      rows.map((r) => r.clientMsgId),
      rows.map((r) => r.senderUserId),
      rows.map((r) => r.senderDeviceId),
      rows.map((r) => r.envelope),
      serverTs,
      rows.map((r) => r.mentionsAll),
    ]);
    await this.fileEscrows(
      manager,
      sends.map((message, k) => ({ message, seq: rows[k]!.seq })),
    );
    return rows;
  }

  /** Escrow wraps of sessions first seen in this batch; a session filed before keeps its first row. */
  private async fileEscrows(
    manager: EntityManager,
    stored: Array<{ message: NewMessage; seq: string }>,
  ): Promise<void> {
    const withEscrow = stored.filter((s) => s.message.escrow);
    if (withEscrow.length === 0) return;
    const e = withEscrow.map((s) => ({ ...s.message.escrow!, m: s.message, seq: s.seq }));
    await prepared(manager, 'messages_escrow', MESSAGE_BATCH_SQL.escrow, [
      e.map((x) => x.sessionId),
      e.map((x) => x.m.conversationId),
      e.map((x) => x.m.senderUserId),
      e.map((x) => x.m.senderDeviceId),
      e.map((x) => x.keyId),
      e.map((x) => x.wrap),
      e.map((x) => x.seq),
    ]);
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
