import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Incoming webhooks (docs/integrations.md). Each hook posts as its own bot user (`users.bot`), a member of the
 * hook's conversation with one device whose crypto state (libs/crypto CryptoStore records, sealed with the server's
 * secrets key DATA_DIR/server-secrets.key) lives in `webhook_bot_store`. The hook's signing secret is sealed with the
 * same key (the server must know it to check signatures). The per-hook rate limit is a fixed one-minute window kept
 * on the hook row.
 */
export class Webhooks1765430000000 implements MigrationInterface {
  name = 'Webhooks1765430000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN bot boolean NOT NULL DEFAULT false`);
    await q.query(`
      CREATE TABLE webhooks (
        id uuid PRIMARY KEY,
        conversation_id uuid NOT NULL,
        name text NOT NULL,
        avatar_url text,
        bot_user_id uuid NOT NULL,
        bot_device_id uuid NOT NULL,
        secret_box bytea NOT NULL,
        created_by uuid,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_posted_at timestamptz,
        rate_window_start timestamptz,
        rate_count integer NOT NULL DEFAULT 0,
        CONSTRAINT webhooks_conversation_id_fkey FOREIGN KEY (conversation_id) REFERENCES conversations (id) ON DELETE CASCADE,
        CONSTRAINT webhooks_bot_user_id_fkey FOREIGN KEY (bot_user_id) REFERENCES users (id) ON DELETE CASCADE,
        CONSTRAINT webhooks_created_by_fkey FOREIGN KEY (created_by) REFERENCES users (id) ON DELETE SET NULL
      )`);
    await q.query(`CREATE INDEX webhooks_conversation_idx ON webhooks (conversation_id, created_at)`);
    await q.query(`
      CREATE TABLE webhook_bot_store (
        device_id uuid NOT NULL,
        namespace text NOT NULL,
        key text NOT NULL,
        value bytea NOT NULL,
        CONSTRAINT webhook_bot_store_pkey PRIMARY KEY (device_id, namespace, key)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE webhook_bot_store`);
    await q.query(`DROP TABLE webhooks`);
    await q.query(`ALTER TABLE users DROP COLUMN bot`);
  }
}
