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
export interface CursorMove {
  conversationId: string;
  userId: string;
  readTo: number;
  deliveredTo: number;
}

export interface AdvancedCursors {
  conversationId: string;
  userId: string;
  before: ReceiptCursors;
  after: ReceiptCursors;
  /** The member hides their read receipts (honoured only while the org makes them optional). */
  hidesReceipts: boolean;
}

/**
 * Senders of the messages in seq ranges `(from_seq, to_seq]` of conversations, other than each range's reader
 * ($5: leave out senders hiding their receipts). One messages_pkey range per row (tested with EXPLAIN); `OFFSET 0`
 * keeps the planner from flattening the LATERAL subquery into a join that may scan all messages when its estimate
 * of the ranges is off (seen with fresh statistics).
 */
export const SENDERS_OF_SQL = `
  SELECT DISTINCT r.conversation_id, msg.sender_user_id
    FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::bigint[]) AS r(conversation_id, reader, from_seq, to_seq)
    CROSS JOIN LATERAL (
      SELECT m.sender_user_id FROM messages m
       WHERE m.conversation_id = r.conversation_id AND m.seq > r.from_seq AND m.seq <= r.to_seq
      OFFSET 0) msg
    JOIN users u ON u.id = msg.sender_user_id
   WHERE msg.sender_user_id <> r.reader AND ${visible(5)}`;

export const cursorKey = (conversationId: string, userId: string) => `${conversationId}/${userId}`;

@Injectable()
export class ReceiptsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /**
   * Moves many members' cursors forward in one statement (rows locked in key order, so concurrent batches cannot
   * deadlock): read up to `readTo` (0: no read) and delivered up to `deliveredTo`, never back and never past the
   * conversation's last seq. Members who are not (or no longer) in the conversation are simply absent.
   */
  async advanceMany(moves: readonly CursorMove[]): Promise<Map<string, AdvancedCursors>> {
    if (moves.length === 0) return new Map();
    const [rows] = (await this.dataSource.query(
      `WITH input AS (
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::bigint[], $4::bigint[])
                  AS i(conversation_id, user_id, read_to, delivered_to)),
       target AS (
         SELECT m.conversation_id, m.user_id, m.read_seq, m.delivered_seq,
                least(i.read_to, c.last_seq) AS read_to, least(greatest(i.delivered_to, i.read_to), c.last_seq) AS delivered_to
           FROM input i
           JOIN conversation_members m ON m.conversation_id = i.conversation_id AND m.user_id = i.user_id AND m.left_at IS NULL
           JOIN conversations c ON c.id = m.conversation_id
          ORDER BY m.conversation_id, m.user_id
          FOR UPDATE OF m)
       UPDATE conversation_members m
          SET read_seq = greatest(m.read_seq, t.read_to),
              delivered_seq = greatest(m.delivered_seq, t.delivered_to)
         FROM target t, users u
        WHERE m.conversation_id = t.conversation_id AND m.user_id = t.user_id AND u.id = m.user_id
       RETURNING m.conversation_id, m.user_id, t.read_seq AS old_read, t.delivered_seq AS old_delivered,
                 m.read_seq, m.delivered_seq, u.hide_read_receipts`,
      [
        moves.map((m) => m.conversationId),
        moves.map((m) => m.userId),
        moves.map((m) => m.readTo),
        moves.map((m) => m.deliveredTo),
      ],
    )) as [
      Array<{
        conversation_id: string;
        user_id: string;
        old_read: string;
        old_delivered: string;
        read_seq: string;
        delivered_seq: string;
        hide_read_receipts: boolean;
      }>,
      number,
    ];
    return new Map(
      rows.map((r) => [
        cursorKey(r.conversation_id, r.user_id),
        {
          conversationId: r.conversation_id,
          userId: r.user_id,
          before: { readSeq: Number(r.old_read), deliveredSeq: Number(r.old_delivered) },
          after: { readSeq: Number(r.read_seq), deliveredSeq: Number(r.delivered_seq) },
          hidesReceipts: r.hide_read_receipts,
        },
      ]),
    );
  }

  /**
   * For each moved cursor, the senders (other than the reader) of the messages it newly read or newly received: the
   * people the move concerns. With `hideOptOuts`, senders who hide their own receipts are left out (they see nobody's).
   */
  async sendersOf(moved: readonly AdvancedCursors[], hideOptOuts: boolean): Promise<Map<string, string[]>> {
    // One row per seq range a cursor passed (newly read, newly delivered): each is a range of messages_pkey.
    const ranges = moved.flatMap((m) =>
      (
        [
          [m.before.readSeq, m.after.readSeq],
          [m.before.deliveredSeq, m.after.deliveredSeq],
        ] as const
      )
        .filter(([from, to]) => to > from)
        .map(([from, to]) => ({ conversationId: m.conversationId, reader: m.userId, from, to })),
    );
    if (ranges.length === 0) return new Map();
    const rows = (await this.dataSource.query(SENDERS_OF_SQL, [
      ranges.map((r) => r.conversationId),
      ranges.map((r) => r.reader),
      ranges.map((r) => r.from),
      ranges.map((r) => r.to),
      hideOptOuts,
    ])) as Array<{ conversation_id: string; sender_user_id: string }>;
    const byConversation = new Map<string, string[]>();
    for (const r of rows)
      byConversation.set(r.conversation_id, [...(byConversation.get(r.conversation_id) ?? []), r.sender_user_id]);
    return byConversation;
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
