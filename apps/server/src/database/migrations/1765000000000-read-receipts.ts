import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Read receipts as cursors (issue 7): per (conversation, member) the highest seq delivered to and read by any
 * of the member's devices. Who has read message s = members with read_seq >= s: one index range, no row per
 * member per message. The org decides whether receipts are enforced or may be hidden per user.
 */
export class ReadReceipts1765000000000 implements MigrationInterface {
  name = 'ReadReceipts1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE conversation_members ADD COLUMN read_seq bigint NOT NULL DEFAULT 0`);
    await q.query(`ALTER TABLE conversation_members ADD COLUMN delivered_seq bigint NOT NULL DEFAULT 0`);
    await q.query(
      `ALTER TABLE conversation_members ADD CONSTRAINT conversation_members_cursors_check CHECK (read_seq >= 0 AND delivered_seq >= read_seq)`,
    );
    await q.query(
      `CREATE INDEX conversation_members_read_idx ON conversation_members (conversation_id, read_seq) WHERE left_at IS NULL`,
    );
    await q.query(`ALTER TABLE messaging_settings ADD COLUMN receipts_policy text NOT NULL DEFAULT 'enforced'`);
    await q.query(
      `ALTER TABLE messaging_settings ADD CONSTRAINT messaging_settings_receipts_policy_check CHECK (receipts_policy IN ('enforced', 'optional'))`,
    );
    await q.query(`ALTER TABLE users ADD COLUMN hide_read_receipts boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users DROP COLUMN hide_read_receipts`);
    await q.query(`ALTER TABLE messaging_settings DROP CONSTRAINT messaging_settings_receipts_policy_check`);
    await q.query(`ALTER TABLE messaging_settings DROP COLUMN receipts_policy`);
    await q.query(`DROP INDEX conversation_members_read_idx`);
    await q.query(`ALTER TABLE conversation_members DROP CONSTRAINT conversation_members_cursors_check`);
    await q.query(`ALTER TABLE conversation_members DROP COLUMN delivered_seq`);
    await q.query(`ALTER TABLE conversation_members DROP COLUMN read_seq`);
  }
}
