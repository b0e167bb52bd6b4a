import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Per-device to-device inbox and per-user history backups. */
export class InboxAndBackups1764450000000 implements MigrationInterface {
  name = 'InboxAndBackups1764450000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE SEQUENCE device_inbox_id_seq`);
    await q.query(`
      CREATE TABLE device_inbox (
        device_id uuid NOT NULL,
        id bigint NOT NULL,
        sender_user_id uuid NOT NULL,
        sender_device_id uuid NOT NULL,
        payload bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT device_inbox_pkey PRIMARY KEY (device_id, id),
        CONSTRAINT device_inbox_device_id_fkey FOREIGN KEY (device_id) REFERENCES devices (id) ON DELETE CASCADE
      )`);
    await q.query(`
      CREATE TABLE history_backups (
        user_id uuid NOT NULL,
        key_id bytea NOT NULL,
        session_id bytea NOT NULL,
        device_id uuid NOT NULL,
        blob bytea NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT history_backups_pkey PRIMARY KEY (user_id, key_id, session_id, device_id),
        CONSTRAINT history_backups_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE history_backups`);
    await q.query(`DROP TABLE device_inbox`);
    await q.query(`DROP SEQUENCE device_inbox_id_seq`);
  }
}
