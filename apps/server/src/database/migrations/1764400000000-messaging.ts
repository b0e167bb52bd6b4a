import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Conversations, members and the timeline. Every message-scale table is keyed by conversation_id first
 * (ARCHITECTURE §3), so it can be partitioned or distributed by conversation later.
 */
export class Messaging1764400000000 implements MigrationInterface {
  name = 'Messaging1764400000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE conversations (
        id uuid PRIMARY KEY,
        kind text NOT NULL,
        direct_key text,
        name text,
        topic text,
        owner_id uuid,
        last_seq bigint NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT conversations_kind_check CHECK (kind IN ('direct', 'group', 'department'))
      )`);
    await q.query(
      `CREATE UNIQUE INDEX conversations_direct_key_key ON conversations (direct_key) WHERE direct_key IS NOT NULL`,
    );
    await q.query(`
      CREATE TABLE conversation_members (
        conversation_id uuid NOT NULL,
        user_id uuid NOT NULL,
        role text NOT NULL DEFAULT 'member',
        joined_at timestamptz NOT NULL DEFAULT now(),
        left_at timestamptz,
        CONSTRAINT conversation_members_pkey PRIMARY KEY (conversation_id, user_id),
        CONSTRAINT conversation_members_role_check CHECK (role IN ('owner', 'admin', 'member')),
        CONSTRAINT conversation_members_conversation_id_fkey FOREIGN KEY (conversation_id) REFERENCES conversations (id) ON DELETE CASCADE,
        CONSTRAINT conversation_members_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
      )`);
    await q.query(
      `CREATE INDEX conversation_members_user_active_idx ON conversation_members (user_id, conversation_id) WHERE left_at IS NULL`,
    );
    await q.query(`
      CREATE TABLE messages (
        conversation_id uuid NOT NULL,
        seq bigint NOT NULL,
        client_msg_id uuid,
        sender_user_id uuid,
        sender_device_id uuid,
        envelope bytea,
        system jsonb,
        server_ts timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT messages_pkey PRIMARY KEY (conversation_id, seq),
        CONSTRAINT messages_conversation_id_fkey FOREIGN KEY (conversation_id) REFERENCES conversations (id) ON DELETE CASCADE
      )`);
    await q.query(
      `CREATE UNIQUE INDEX messages_client_msg_id_key ON messages (conversation_id, client_msg_id) WHERE client_msg_id IS NOT NULL`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE messages`);
    await q.query(`DROP TABLE conversation_members`);
    await q.query(`DROP TABLE conversations`);
  }
}
