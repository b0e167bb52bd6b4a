import { Injectable } from '@nestjs/common';
import type { ReceiptCursors } from '@miyu/protocol';
import { DataSource } from 'typeorm';

/**
 * SQL: who may appear in receipts, with parameter `index` = "the org allows hiding" (receipts optional): then
 * people who hide theirs are left out of lists and counts; when receipts are enforced, everyone counts.
 */
const visible = (index: number) => `(NOT $${index}::boolean OR NOT u.hide_read_receipts)`;

/**
 * Read and delivered cursors (conversation_members.read_seq / delivered_seq). Advancing is one UPDATE that never
 * moves a cursor back and never past the conversation's last seq; lists and counts are ranges of
 * conversation_members_read_idx, whatever the group size.
 */
@Injectable()
export class ReceiptsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Moves a member's cursor forward; null when the user is not an active member. Returns both cursors before/after. */
  async advance(
    conversationId: string,
    userId: string,
    kind: 'read' | 'delivered',
    seq: number,
  ): Promise<{ before: ReceiptCursors; after: ReceiptCursors } | null> {
    const rows = (await this.dataSource.query(
      `WITH target AS (
         SELECT m.conversation_id, m.user_id, m.read_seq, m.delivered_seq, least($3::bigint, c.last_seq) AS upto
           FROM conversation_members m JOIN conversations c ON c.id = m.conversation_id
          WHERE m.conversation_id = $1 AND m.user_id = $2 AND m.left_at IS NULL
          FOR UPDATE OF m)
       UPDATE conversation_members m
          SET read_seq = CASE WHEN $4 THEN greatest(m.read_seq, t.upto) ELSE m.read_seq END,
              delivered_seq = greatest(m.delivered_seq, t.upto)
         FROM target t
        WHERE m.conversation_id = t.conversation_id AND m.user_id = t.user_id
       RETURNING t.read_seq AS old_read, t.delivered_seq AS old_delivered, m.read_seq, m.delivered_seq`,
      [conversationId, userId, seq, kind === 'read'],
    )) as [Array<{ old_read: string; old_delivered: string; read_seq: string; delivered_seq: string }>, number];
    const row = rows[0]?.[0];
    if (!row) return null;
    return {
      before: { readSeq: Number(row.old_read), deliveredSeq: Number(row.old_delivered) },
      after: { readSeq: Number(row.read_seq), deliveredSeq: Number(row.delivered_seq) },
    };
  }

  /**
   * Senders (other than `except`) of the messages in (from, to]: the people a cursor move concerns. With
   * `hideOptOuts`, senders who hide their own receipts are left out (they see nobody's).
   */
  /** Senders (other than `except`) of the messages in any of the half-open seq ranges `(from, to]`. */
  async sendersIn(
    conversationId: string,
    ranges: ReadonlyArray<readonly [from: number, to: number]>,
    except: string,
    hideOptOuts: boolean,
  ): Promise<string[]> {
    const moved = ranges.filter(([from, to]) => to > from);
    if (moved.length === 0) return [];
    const params: unknown[] = [conversationId, except, hideOptOuts];
    const within = moved.map(([from, to]) => {
      params.push(from, to);
      return `(msg.seq > $${params.length - 1} AND msg.seq <= $${params.length})`;
    });
    const rows = (await this.dataSource.query(
      `SELECT DISTINCT msg.sender_user_id FROM messages msg JOIN users u ON u.id = msg.sender_user_id
        WHERE msg.conversation_id = $1 AND (${within.join(' OR ')}) AND msg.sender_user_id <> $2
          AND ${visible(3)}`,
      params,
    )) as Array<{ sender_user_id: string }>;
    return rows.map((r) => r.sender_user_id);
  }

  async messageSender(conversationId: string, seq: number): Promise<string | null | undefined> {
    const rows = (await this.dataSource.query(
      `SELECT sender_user_id FROM messages WHERE conversation_id = $1 AND seq = $2`,
      [conversationId, seq],
    )) as Array<{ sender_user_id: string | null }>;
    return rows[0] === undefined ? undefined : rows[0].sender_user_id;
  }

  /** Members other than the sender who have (or have not) read `seq`, by name, a page at a time. */
  async list(
    conversationId: string,
    seq: number,
    senderUserId: string,
    state: 'read' | 'unread',
    hideOptOuts: boolean,
    limit: number,
    offset: number,
  ): Promise<{ items: Array<{ userId: string }>; total: number }> {
    const cond = state === 'read' ? 'm.read_seq >= $2' : 'm.read_seq < $2';
    const base = `FROM conversation_members m JOIN users u ON u.id = m.user_id
                  WHERE m.conversation_id = $1 AND m.left_at IS NULL AND m.user_id <> $3 AND ${cond}
                    AND ${visible(4)}`;
    const [items, total] = await Promise.all([
      this.dataSource.query(`SELECT m.user_id ${base} ORDER BY u.display_name, m.user_id LIMIT $5 OFFSET $6`, [
        conversationId,
        seq,
        senderUserId,
        hideOptOuts,
        limit,
        offset,
      ]) as Promise<Array<{ user_id: string }>>,
      this.dataSource.query(`SELECT count(*)::int AS n ${base}`, [
        conversationId,
        seq,
        senderUserId,
        hideOptOuts,
      ]) as Promise<Array<{ n: number }>>,
    ]);
    return { items: items.map((r) => ({ userId: r.user_id })), total: total[0]?.n ?? 0 };
  }

  /** For each seq, how many members other than the sender have read it; and how many members that could be. */
  async summary(
    conversationId: string,
    seqs: number[],
    senderUserId: string,
    hideOptOuts: boolean,
  ): Promise<{ members: number; items: Array<{ seq: number; read: number; delivered: number }> }> {
    const rows = (await this.dataSource.query(
      `SELECT s.seq::bigint AS seq,
              (SELECT count(*)::int FROM conversation_members m JOIN users u ON u.id = m.user_id
                WHERE m.conversation_id = $1 AND m.left_at IS NULL AND m.user_id <> $3 AND m.read_seq >= s.seq
                  AND ${visible(4)}) AS read,
              (SELECT count(*)::int FROM conversation_members m JOIN users u ON u.id = m.user_id
                WHERE m.conversation_id = $1 AND m.left_at IS NULL AND m.user_id <> $3 AND m.delivered_seq >= s.seq
                  AND ${visible(4)}) AS delivered
         FROM unnest($2::bigint[]) AS s(seq)
         JOIN messages msg ON msg.conversation_id = $1 AND msg.seq = s.seq AND msg.sender_user_id = $3`,
      [conversationId, seqs, senderUserId, hideOptOuts],
    )) as Array<{ seq: string; read: number; delivered: number }>;
    const members = (await this.dataSource.query(
      `SELECT count(*)::int AS n FROM conversation_members m JOIN users u ON u.id = m.user_id
        WHERE m.conversation_id = $1 AND m.left_at IS NULL AND m.user_id <> $2 AND ${visible(3)}`,
      [conversationId, senderUserId, hideOptOuts],
    )) as Array<{ n: number }>;
    return {
      members: members[0]?.n ?? 0,
      items: rows.map((r) => ({ seq: Number(r.seq), read: r.read, delivered: r.delivered })),
    };
  }

  async hidesReceipts(userId: string): Promise<boolean> {
    const rows = (await this.dataSource.query(`SELECT hide_read_receipts FROM users WHERE id = $1`, [
      userId,
    ])) as Array<{
      hide_read_receipts: boolean;
    }>;
    return rows[0]?.hide_read_receipts ?? false;
  }

  async setHidesReceipts(userId: string, hide: boolean): Promise<void> {
    await this.dataSource.query(`UPDATE users SET hide_read_receipts = $2 WHERE id = $1`, [userId, hide]);
  }
}
