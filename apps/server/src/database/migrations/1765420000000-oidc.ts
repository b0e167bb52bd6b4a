import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * OpenID Connect sign-in (issue 11). oidc_settings holds the one configuration row. The client secret is stored so
 * the server can redeem codes, sealed in `client_secret_box` (SecretBox, under DATA_DIR/server-secrets.key; null
 * until one is set), and is never returned by the API. oidc_login_states holds each started sign-in for a few
 * minutes: the SHA-256 of its state and of the browser binding cookie, the nonce and the PKCE verifier. A row is
 * deleted when the callback consumes it, so a state works once.
 */
export class Oidc1765420000000 implements MigrationInterface {
  name = 'Oidc1765420000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE oidc_settings (
        id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
        enabled boolean NOT NULL DEFAULT false,
        issuer_url text NOT NULL,
        client_id text NOT NULL,
        client_secret_box bytea,
        scopes text[] NOT NULL,
        match_by text NOT NULL CHECK (match_by IN ('email', 'employeeNo')),
        employee_no_claim text NOT NULL,
        name_claim text NOT NULL,
        jit_provisioning boolean NOT NULL DEFAULT false,
        button_label text NOT NULL,
        password_sign_in_disabled boolean NOT NULL DEFAULT false,
        updated_at timestamptz NOT NULL DEFAULT now(),
        updated_by uuid REFERENCES users (id) ON DELETE SET NULL
      )`);
    await q.query(`
      CREATE TABLE oidc_login_states (
        state_hash bytea PRIMARY KEY,
        browser_hash bytea NOT NULL,
        nonce text NOT NULL,
        code_verifier text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX oidc_login_states_expires_idx ON oidc_login_states (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE oidc_login_states`);
    await q.query(`DROP TABLE oidc_settings`);
  }
}
