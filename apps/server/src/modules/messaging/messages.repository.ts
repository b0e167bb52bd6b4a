import { Injectable } from '@nestjs/common';
import { DEFAULT_RECALL_WINDOW_MINUTES } from '@miyu/protocol';
import { DataSource, type EntityManager, IsNull, LessThan, MoreThan } from 'typeorm';
import { MessagingSettingsEntity } from './entities/messaging-settings.entity.js';
import { MessageEntity } from './entities/message.entity.js';

export interface NewMessage {
  conversationId: string;
  clientMsgId: string;
  senderUserId: string;
  senderDeviceId: string;
  envelope: Buffer;
}

export type PersistOutcome =
  | { kind: 'stored'; message: MessageEntity }
  | { kind: 'duplicate'; seq: number; serverTs: Date }
  | { kind: 'not_member' };

/**
 * Group commit: persists many concurrent sends in ONE transaction. Per conversation (in id order, so two batches
 * never deadlock) it takes the conversation row lock, finds sends already stored (idempotent resends), then
 * assigns consecutive seqs to the rest and inserts them in one statement. Seqs have no gaps.
 */
@Injectable()
export class MessagesRepository {
  constructor(private readonly dataSource: DataSource) {}

  async persistBatch(batch: NewMessage[]): Promise<PersistOutcome[]> {
    return this.dataSource.transaction(async (manager) => {
      const outcomes: PersistOutcome[] = new Array(batch.length);
      const byConversation = new Map<string, number[]>();
      batch.forEach((m, i) => {
        const list = byConversation.get(m.conversationId) ?? [];
        list.push(i);
        byConversation.set(m.conversationId, list);
      });
      for (const conversationId of [...byConversation.keys()].sort()) {
        const indexes = byConversation.get(conversationId)!;
        const locked = (await manager.query(`SELECT last_seq FROM conversations WHERE id = $1 FOR UPDATE`, [
          conversationId,
        ])) as Array<{ last_seq: string }>;
        if (locked.length === 0) {
          for (const i of indexes) outcomes[i] = { kind: 'not_member' };
          continue;
        }
        const senders = [...new Set(indexes.map((i) => batch[i]!.senderUserId))];
        const members = (await manager.query(
          `SELECT user_id FROM conversation_members WHERE conversation_id = $1 AND user_id = ANY($2::uuid[]) AND left_at IS NULL`,
          [conversationId, senders],
        )) as Array<{ user_id: string }>;
        const memberSet = new Set(members.map((m) => m.user_id));
        const clientIds = indexes.map((i) => batch[i]!.clientMsgId);
        const existing = (await manager.query(
          `SELECT client_msg_id, seq, server_ts FROM messages WHERE conversation_id = $1 AND client_msg_id = ANY($2::uuid[])`,
          [conversationId, clientIds],
        )) as Array<{ client_msg_id: string; seq: string; server_ts: Date }>;
        const known = new Map(existing.map((e) => [e.client_msg_id, { seq: Number(e.seq), serverTs: e.server_ts }]));

        const fresh: number[] = [];
        const firstInBatch = new Map<string, number>();
        for (const i of indexes) {
          const m = batch[i]!;
          const prior = known.get(m.clientMsgId);
          if (prior) outcomes[i] = { kind: 'duplicate', ...prior };
          else if (!memberSet.has(m.senderUserId)) outcomes[i] = { kind: 'not_member' };
          else if (firstInBatch.has(m.clientMsgId))
            continue; // resolved below, after the first copy is stored
          else {
            firstInBatch.set(m.clientMsgId, i);
            fresh.push(i);
          }
        }
        if (fresh.length > 0) {
          const [updated] = (await manager.query(
            `UPDATE conversations SET last_seq = last_seq + $2 WHERE id = $1 RETURNING last_seq`,
            [conversationId, fresh.length],
          )) as [Array<{ last_seq: string }>, number];
          const last = Number(updated[0]!.last_seq);
          const serverTs = new Date();
          const rows = fresh.map((i, k) =>
            Object.assign(new MessageEntity(), {
              conversationId,
              seq: String(last - fresh.length + 1 + k),
              clientMsgId: batch[i]!.clientMsgId,
              senderUserId: batch[i]!.senderUserId,
              senderDeviceId: batch[i]!.senderDeviceId,
              envelope: batch[i]!.envelope,
              system: null,
              serverTs,
            }),
          );
          await manager.getRepository(MessageEntity).insert(rows);
          fresh.forEach((i, k) => (outcomes[i] = { kind: 'stored', message: rows[k]! }));
        }
        for (const i of indexes) {
          if (outcomes[i]) continue;
          const first = outcomes[firstInBatch.get(batch[i]!.clientMsgId)!]!;
          outcomes[i] =
            first.kind === 'stored'
              ? { kind: 'duplicate', seq: Number(first.message.seq), serverTs: first.message.serverTs }
              : first;
        }
      }
      return outcomes;
    });
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
    const row = await this.dataSource.getRepository(MessagingSettingsEntity).findOneBy({ id: 1 });
    return row?.recallWindowMinutes ?? DEFAULT_RECALL_WINDOW_MINUTES;
  }

  async setRecallWindowMinutes(minutes: number): Promise<void> {
    await this.dataSource
      .getRepository(MessagingSettingsEntity)
      .upsert({ id: 1, recallWindowMinutes: minutes, updatedAt: new Date() }, ['id']);
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
