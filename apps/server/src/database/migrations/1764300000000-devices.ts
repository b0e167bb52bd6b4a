import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Devices and the key directory: public identity, signed prekey, one-time prekey pool. */
export class Devices1764300000000 implements MigrationInterface {
  name = 'Devices1764300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE devices (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        name text NOT NULL,
        identity bytea NOT NULL,
        signing_key bytea NOT NULL,
        signed_prekey_id bigint NOT NULL,
        signed_prekey bytea NOT NULL,
        signed_prekey_created_at bigint NOT NULL,
        signed_prekey_signature bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz,
        revoke_reason text,
        CONSTRAINT devices_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX devices_user_active_idx ON devices (user_id) WHERE revoked_at IS NULL`);
    await q.query(`
      CREATE TABLE one_time_prekeys (
        device_id uuid NOT NULL,
        key_id bigint NOT NULL,
        public_key bytea NOT NULL,
        CONSTRAINT one_time_prekeys_pkey PRIMARY KEY (device_id, key_id),
        CONSTRAINT one_time_prekeys_device_id_fkey FOREIGN KEY (device_id) REFERENCES devices (id) ON DELETE CASCADE
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE one_time_prekeys`);
    await q.query(`DROP TABLE devices`);
  }
}
