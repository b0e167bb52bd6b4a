import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Personal API tokens (bearer credentials for tools such as the compliance export). Only the SHA-256 of a token is
 * stored; a token acts as its user, limited to its scopes, until it expires or is revoked.
 */
export class ApiTokens1765290000000 implements MigrationInterface {
  name = 'ApiTokens1765290000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE api_tokens (
        id uuid PRIMARY KEY,
        user_id uuid NOT NULL,
        name text NOT NULL,
        token_hash bytea NOT NULL,
        scopes text[] NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        last_used_at timestamptz,
        revoked_at timestamptz,
        CONSTRAINT api_tokens_token_hash_key UNIQUE (token_hash),
        CONSTRAINT api_tokens_scopes_check CHECK (cardinality(scopes) >= 1),
        CONSTRAINT api_tokens_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX api_tokens_user_idx ON api_tokens (user_id, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE api_tokens`);
  }
}
