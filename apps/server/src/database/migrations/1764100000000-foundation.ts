import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Accounts, sessions, 2FA recovery codes, login throttling and first-run setup tokens. */
export class Foundation1764100000000 implements MigrationInterface {
  name = 'Foundation1764100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY,
        login text NOT NULL,
        display_name text NOT NULL,
        employee_no text,
        email text,
        phone text,
        locale text NOT NULL DEFAULT 'zh-CN',
        status text NOT NULL DEFAULT 'active',
        role text NOT NULL DEFAULT 'member',
        password_hash text NOT NULL,
        totp_secret text,
        totp_pending_secret text,
        totp_last_step bigint,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        disabled_at timestamptz,
        CONSTRAINT users_role_check CHECK (role IN ('member', 'admin', 'auditor')),
        CONSTRAINT users_status_check CHECK (status IN ('active', 'disabled'))
      )`);
    await q.query(`CREATE UNIQUE INDEX users_login_key ON users (login)`);
    await q.query(`CREATE UNIQUE INDEX users_employee_no_key ON users (employee_no) WHERE employee_no IS NOT NULL`);

    await q.query(`
      CREATE TABLE sessions (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        token_hash bytea NOT NULL,
        csrf_token text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        ip text,
        user_agent text,
        revoked_at timestamptz,
        revoke_reason text,
        CONSTRAINT sessions_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE UNIQUE INDEX sessions_token_hash_key ON sessions (token_hash)`);
    await q.query(`CREATE INDEX sessions_user_active_idx ON sessions (user_id, created_at) WHERE revoked_at IS NULL`);

    await q.query(`
      CREATE TABLE user_recovery_codes (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        code_hash bytea NOT NULL,
        used_at timestamptz,
        CONSTRAINT user_recovery_codes_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX user_recovery_codes_user_idx ON user_recovery_codes (user_id)`);

    await q.query(`
      CREATE TABLE auth_throttle (
        key text PRIMARY KEY,
        window_start timestamptz NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        failures integer NOT NULL DEFAULT 0,
        locked_until timestamptz
      )`);

    await q.query(`
      CREATE TABLE setup_tokens (
        token_hash bytea PRIMARY KEY,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE setup_tokens`);
    await q.query(`DROP TABLE auth_throttle`);
    await q.query(`DROP TABLE user_recovery_codes`);
    await q.query(`DROP TABLE sessions`);
    await q.query(`DROP TABLE users`);
  }
}
