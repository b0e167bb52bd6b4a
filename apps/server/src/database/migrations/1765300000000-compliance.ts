import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Compliance retention under E2E (issue 10, docs/compliance.md).
 * - `compliance_keys`: the org's compliance public keys (X25519 for escrow wraps, Ed25519 for export manifests).
 *   At most one is active; rotation retires it and the retired key stays listed so old wraps still verify.
 * - `retention_scopes`: org / department / person (legal hold) scopes with a start time; ended scopes are kept.
 * - `escrow_sessions`: the escrow wrap of each retained sender-key session, beside its session id, stored in the
 *   transaction that stores the session's first message.
 * - `retention_policies` / `retention_runs`: deletion of ciphertext older than N days, org-wide or per department.
 * - A BRIN index on `messages.server_ts` for the deletion job: messages arrive in time order, so it costs almost
 *   nothing on insert and lets the job read only the old block ranges.
 */
export class Compliance1765300000000 implements MigrationInterface {
  name = 'Compliance1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE compliance_settings (
        id smallint PRIMARY KEY,
        organisation_name text NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT compliance_settings_single_row CHECK (id = 1)
      )`);
    await q.query(`
      CREATE TABLE compliance_keys (
        id uuid PRIMARY KEY,
        encryption_key bytea NOT NULL,
        signing_key bytea NOT NULL,
        fingerprint text NOT NULL,
        label text,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by uuid,
        retired_at timestamptz,
        CONSTRAINT compliance_keys_encryption_key_key UNIQUE (encryption_key),
        CONSTRAINT compliance_keys_lengths_check CHECK (length(encryption_key) = 32 AND length(signing_key) = 32),
        CONSTRAINT compliance_keys_created_by_fkey FOREIGN KEY (created_by) REFERENCES users (id) ON DELETE SET NULL
      )`);
    await q.query(
      `CREATE UNIQUE INDEX compliance_keys_one_active ON compliance_keys ((true)) WHERE retired_at IS NULL`,
    );
    await q.query(`
      CREATE TABLE retention_scopes (
        id uuid PRIMARY KEY,
        kind text NOT NULL,
        target_id uuid,
        starts_at timestamptz NOT NULL,
        note text,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by uuid,
        ended_at timestamptz,
        ended_by uuid,
        CONSTRAINT retention_scopes_kind_check CHECK (kind IN ('org', 'department', 'user')),
        CONSTRAINT retention_scopes_target_check CHECK ((kind = 'org') = (target_id IS NULL)),
        CONSTRAINT retention_scopes_created_by_fkey FOREIGN KEY (created_by) REFERENCES users (id) ON DELETE SET NULL,
        CONSTRAINT retention_scopes_ended_by_fkey FOREIGN KEY (ended_by) REFERENCES users (id) ON DELETE SET NULL
      )`);
    await q.query(
      `CREATE INDEX retention_scopes_active_idx ON retention_scopes (kind, target_id) WHERE ended_at IS NULL`,
    );
    await q.query(`
      CREATE TABLE escrow_sessions (
        session_id bytea PRIMARY KEY,
        conversation_id uuid NOT NULL,
        sender_user_id uuid NOT NULL,
        sender_device_id uuid NOT NULL,
        key_id uuid NOT NULL,
        wrap bytea NOT NULL,
        first_seq bigint NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT escrow_sessions_conversation_id_fkey FOREIGN KEY (conversation_id) REFERENCES conversations (id) ON DELETE CASCADE,
        CONSTRAINT escrow_sessions_key_id_fkey FOREIGN KEY (key_id) REFERENCES compliance_keys (id) ON DELETE RESTRICT
      )`);
    await q.query(`CREATE INDEX escrow_sessions_conversation_idx ON escrow_sessions (conversation_id, first_seq)`);
    await q.query(`CREATE INDEX escrow_sessions_key_idx ON escrow_sessions (key_id)`);
    await q.query(`
      CREATE TABLE retention_policies (
        id uuid PRIMARY KEY,
        scope text NOT NULL,
        department_id uuid,
        days integer NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by uuid,
        CONSTRAINT retention_policies_scope_check CHECK (scope IN ('org', 'department')),
        CONSTRAINT retention_policies_target_check CHECK ((scope = 'org') = (department_id IS NULL)),
        CONSTRAINT retention_policies_days_check CHECK (days BETWEEN 1 AND 36500),
        CONSTRAINT retention_policies_department_id_fkey FOREIGN KEY (department_id) REFERENCES departments (id) ON DELETE CASCADE,
        CONSTRAINT retention_policies_updated_by_fkey FOREIGN KEY (updated_by) REFERENCES users (id) ON DELETE SET NULL
      )`);
    await q.query(`CREATE UNIQUE INDEX retention_policies_org_key ON retention_policies ((true)) WHERE scope = 'org'`);
    await q.query(
      `CREATE UNIQUE INDEX retention_policies_department_key ON retention_policies (department_id) WHERE scope = 'department'`,
    );
    await q.query(`
      CREATE TABLE retention_runs (
        id bigserial PRIMARY KEY,
        ran_at timestamptz NOT NULL DEFAULT now(),
        deleted_messages integer NOT NULL,
        deleted_attachments integer NOT NULL,
        conversations integer NOT NULL,
        kept_for_hold integer NOT NULL
      )`);
    await q.query(`CREATE INDEX messages_server_ts_brin ON messages USING brin (server_ts)`);
    await q.query(`CREATE INDEX attachments_created_brin ON attachments USING brin (created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX attachments_created_brin`);
    await q.query(`DROP INDEX messages_server_ts_brin`);
    await q.query(`DROP TABLE retention_runs`);
    await q.query(`DROP TABLE retention_policies`);
    await q.query(`DROP TABLE escrow_sessions`);
    await q.query(`DROP TABLE retention_scopes`);
    await q.query(`DROP TABLE compliance_keys`);
    await q.query(`DROP TABLE compliance_settings`);
  }
}
