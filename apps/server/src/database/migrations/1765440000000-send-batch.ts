import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A send batch (MessagesRepository.persistBatch) as one statement: one round trip to PostgreSQL per group commit,
 * however many sends it holds, and no BEGIN/COMMIT of its own (a single statement is its own transaction).
 *
 * 1. Lock the batch's conversations in id order, so concurrent batches never deadlock.
 * 2. Then, in a second statement (under READ COMMITTED each statement of a volatile function takes its own
 *    snapshot, so a batch that waited for another's locks sees what that one committed), decide every send:
 *    - `not_member`: the conversation does not exist or the sender is not an active member;
 *    - `duplicate`: its clientMsgId is stored already (an idempotent resend; the stored seq and time are returned);
 *    - `mention_all_forbidden`: @all from a plain member of a conversation above `p_mention_all_max` members;
 *    - `copy`: a later copy of a clientMsgId earlier in the same batch (the caller answers it like the first);
 *    - `stored`: advance the conversation's last_seq and insert it at the next seq, in batch order, with the escrow
 *      wrap of its sender-key session when given (a session filed before keeps its first row).
 * 3. Return one row per send (`r_i`, 1-based, its place in the batch) and one `members` row per conversation with
 *    its active members: who to push the new messages to.
 */
export class SendBatch1765440000000 implements MigrationInterface {
  name = 'SendBatch1765440000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE FUNCTION miyu_send_batch(
        p_conversation_ids uuid[], p_client_msg_ids uuid[], p_sender_user_ids uuid[], p_sender_device_ids uuid[],
        p_envelopes bytea[], p_mentions_all boolean[], p_escrow_session_ids bytea[], p_escrow_wraps bytea[],
        p_escrow_key_ids uuid[], p_server_ts timestamptz, p_mention_all_max integer)
      RETURNS TABLE (r_i bigint, r_kind text, r_conversation_id uuid, r_seq bigint, r_server_ts timestamptz,
                     r_members uuid[])
      LANGUAGE plpgsql VOLATILE AS $$
      BEGIN
        PERFORM 1 FROM conversations WHERE id = ANY (p_conversation_ids) ORDER BY id FOR UPDATE;

        RETURN QUERY
        WITH sends AS (
          SELECT * FROM unnest(p_conversation_ids, p_client_msg_ids, p_sender_user_ids, p_sender_device_ids,
                               p_envelopes, p_mentions_all, p_escrow_session_ids, p_escrow_wraps, p_escrow_key_ids)
            WITH ORDINALITY AS s(conversation_id, client_msg_id, sender_user_id, sender_device_id, envelope,
                                 mentions_all, escrow_session_id, escrow_wrap, escrow_key_id, i)
        ), members AS (
          SELECT m.conversation_id, array_agg(m.user_id) AS user_ids, count(*) AS n
            FROM conversation_members m
           WHERE m.conversation_id = ANY (p_conversation_ids) AND m.left_at IS NULL
           GROUP BY m.conversation_id
        ), decided AS (
          SELECT s.*, p.seq AS prior_seq, p.server_ts AS prior_ts,
                 CASE WHEN c.id IS NULL OR sm.user_id IS NULL THEN 'not_member'
                      WHEN p.seq IS NOT NULL THEN 'duplicate'
                      WHEN s.mentions_all AND mb.n > p_mention_all_max AND sm.role = 'member'
                        THEN 'mention_all_forbidden'
                      WHEN row_number() OVER (PARTITION BY s.conversation_id, s.client_msg_id ORDER BY s.i) > 1
                        THEN 'copy'
                      ELSE 'stored' END AS kind
            FROM sends s
            LEFT JOIN conversations c ON c.id = s.conversation_id
            LEFT JOIN conversation_members sm
                   ON sm.conversation_id = s.conversation_id AND sm.user_id = s.sender_user_id AND sm.left_at IS NULL
            LEFT JOIN members mb ON mb.conversation_id = s.conversation_id
            LEFT JOIN messages p ON p.conversation_id = s.conversation_id AND p.client_msg_id = s.client_msg_id
        ), ranked AS (
          SELECT d.*, row_number() OVER (PARTITION BY d.conversation_id ORDER BY d.i) AS k
            FROM decided d WHERE d.kind = 'stored'
        ), counts AS (
          SELECT r.conversation_id, count(*) AS n FROM ranked r GROUP BY r.conversation_id
        ), advanced AS (
          UPDATE conversations c SET last_seq = c.last_seq + counts.n
            FROM counts WHERE c.id = counts.conversation_id
          RETURNING c.id, c.last_seq - counts.n AS base
        ), inserted AS (
          INSERT INTO messages (conversation_id, seq, client_msg_id, sender_user_id, sender_device_id, envelope,
                                server_ts, mentions_all)
          SELECT r.conversation_id, a.base + r.k, r.client_msg_id, r.sender_user_id, r.sender_device_id, r.envelope,
                 p_server_ts, r.mentions_all
            FROM ranked r JOIN advanced a ON a.id = r.conversation_id
        ), escrowed AS (
          INSERT INTO escrow_sessions (session_id, conversation_id, sender_user_id, sender_device_id, key_id, wrap,
                                       first_seq)
          SELECT r.escrow_session_id, r.conversation_id, r.sender_user_id, r.sender_device_id, r.escrow_key_id,
                 r.escrow_wrap, a.base + r.k
            FROM ranked r JOIN advanced a ON a.id = r.conversation_id
           WHERE r.escrow_session_id IS NOT NULL
          ON CONFLICT (session_id) DO NOTHING
        )
        SELECT d.i, d.kind, d.conversation_id,
               CASE WHEN d.kind = 'stored' THEN a.base + r.k ELSE d.prior_seq END,
               CASE WHEN d.kind = 'stored' THEN p_server_ts ELSE d.prior_ts END,
               NULL::uuid[]
          FROM decided d
          LEFT JOIN ranked r ON r.i = d.i
          LEFT JOIN advanced a ON a.id = d.conversation_id
        UNION ALL
        SELECT NULL::bigint, 'members', mb.conversation_id, NULL::bigint, NULL::timestamptz, mb.user_ids
          FROM members mb;
      END
      $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(
      `DROP FUNCTION miyu_send_batch(uuid[], uuid[], uuid[], uuid[], bytea[], boolean[], bytea[], bytea[], uuid[],
                                     timestamptz, integer)`,
    );
  }
}
