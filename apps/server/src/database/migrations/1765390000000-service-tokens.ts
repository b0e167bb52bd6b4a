import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Service tokens (issue 11): API tokens an admin creates for another system (SCIM, bots, directory readers). They are
 * rows of api_tokens with kind 'service'; user_id is the admin who created them, whom they act as.
 */
export class ServiceTokens1765390000000 implements MigrationInterface {
  name = 'ServiceTokens1765390000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE api_tokens ADD COLUMN kind text NOT NULL DEFAULT 'personal'`);
    await q.query(
      `ALTER TABLE api_tokens ADD CONSTRAINT api_tokens_kind_check CHECK (kind IN ('personal', 'service'))`,
    );
    await q.query(`CREATE INDEX api_tokens_service_idx ON api_tokens (created_at) WHERE kind = 'service'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX api_tokens_service_idx`);
    await q.query(`ALTER TABLE api_tokens DROP COLUMN kind`);
  }
}
