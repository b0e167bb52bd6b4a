import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The tamper-evident audit log (issue 9). `audit_log` holds each entry's exact canonical text (what was hashed) and
 * columns to search it by; `audit_nodes` the RFC 9162 Merkle tree's perfect-subtree hashes (level 0 = leaf hashes),
 * so proofs need no rehashing and survive purges of old entries; `audit_head` the size and last leaf (one writer at
 * a time, under its row lock); `audit_checkpoints` the signed tree heads. Triggers refuse UPDATE and DELETE on all of
 * them — for every role, superusers included — except a purge of old entries the server runs inside a transaction
 * that sets `miyu.audit_purge`; the tree and checkpoints are never deleted.
 */
export class AuditLog1765200000000 implements MigrationInterface {
  name = 'AuditLog1765200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE signing_keys DROP CONSTRAINT signing_keys_purpose_check`);
    await q.query(
      `ALTER TABLE signing_keys ADD CONSTRAINT signing_keys_purpose_check CHECK (purpose IN ('word-policy', 'audit'))`,
    );
    await q.query(`
      CREATE TABLE audit_log (
        seq bigint PRIMARY KEY,
        occurred_at timestamptz NOT NULL,
        actor_user_id uuid,
        actor_device_id uuid,
        department_id uuid,
        action text NOT NULL,
        entity_type text NOT NULL,
        entity_id text,
        result_ok boolean NOT NULL,
        canonical text NOT NULL,
        CONSTRAINT audit_log_seq_check CHECK (seq >= 1)
      )`);
    await q.query(`CREATE INDEX audit_log_time_idx ON audit_log (occurred_at, seq)`);
    await q.query(`CREATE INDEX audit_log_actor_idx ON audit_log (actor_user_id, seq)`);
    await q.query(`CREATE INDEX audit_log_action_idx ON audit_log (action, seq)`);
    await q.query(`CREATE INDEX audit_log_entity_idx ON audit_log (entity_type, entity_id, seq)`);
    await q.query(`
      CREATE TABLE audit_nodes (
        level smallint NOT NULL,
        idx bigint NOT NULL,
        hash bytea NOT NULL,
        CONSTRAINT audit_nodes_pkey PRIMARY KEY (level, idx),
        CONSTRAINT audit_nodes_hash_check CHECK (octet_length(hash) = 32)
      )`);
    await q.query(`
      CREATE TABLE audit_head (
        id smallint PRIMARY KEY,
        size bigint NOT NULL,
        last_leaf bytea NOT NULL,
        CONSTRAINT audit_head_single_row CHECK (id = 1)
      )`);
    await q.query(`INSERT INTO audit_head (id, size, last_leaf) VALUES (1, 0, '\\x${'00'.repeat(32)}')`);
    await q.query(`
      CREATE TABLE audit_checkpoints (
        size bigint PRIMARY KEY,
        root bytea NOT NULL,
        signed_at timestamptz NOT NULL,
        body text NOT NULL,
        signature bytea NOT NULL
      )`);
    await q.query(`CREATE INDEX audit_checkpoints_time_idx ON audit_checkpoints (signed_at)`);
    await q.query(`
      CREATE TABLE audit_settings (
        id smallint PRIMARY KEY,
        retention_days integer,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT audit_settings_single_row CHECK (id = 1),
        CONSTRAINT audit_settings_retention_check CHECK (retention_days IS NULL OR retention_days >= 30)
      )`);
    await q.query(`INSERT INTO audit_settings (id) VALUES (1)`);
    await q.query(`
      CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'DELETE' AND TG_TABLE_NAME = 'audit_log' AND current_setting('miyu.audit_purge', true) = 'on' THEN
          RETURN OLD;
        END IF;
        IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = 'audit_head' THEN
          IF NEW.size > OLD.size THEN RETURN NEW; END IF;
        END IF;
        RAISE EXCEPTION 'the audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
          USING ERRCODE = 'insufficient_privilege';
      END $$`);
    for (const table of ['audit_log', 'audit_nodes', 'audit_head', 'audit_checkpoints']) {
      await q.query(
        `CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION audit_append_only()`,
      );
      await q.query(
        `CREATE TRIGGER ${table}_no_truncate BEFORE TRUNCATE ON ${table} FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()`,
      );
      await q.query(`REVOKE UPDATE, DELETE, TRUNCATE ON ${table} FROM PUBLIC`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['audit_checkpoints', 'audit_head', 'audit_nodes', 'audit_log'])
      await q.query(`DROP TABLE ${table}`);
    await q.query(`DROP FUNCTION audit_append_only()`);
    await q.query(`DROP TABLE audit_settings`);
    await q.query(`ALTER TABLE signing_keys DROP CONSTRAINT signing_keys_purpose_check`);
    await q.query(
      `ALTER TABLE signing_keys ADD CONSTRAINT signing_keys_purpose_check CHECK (purpose IN ('word-policy'))`,
    );
  }
}
