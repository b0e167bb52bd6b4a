import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Encrypted attachments: metadata only (the blobs live in the BlobStore, FILES_DIR by default). */
export class Attachments1764500000000 implements MigrationInterface {
  name = 'Attachments1764500000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE attachments (
        id uuid PRIMARY KEY,
        conversation_id uuid NOT NULL,
        uploader_user_id uuid NOT NULL,
        size bigint NOT NULL,
        received bigint NOT NULL DEFAULT 0,
        digest bytea,
        upload_lease uuid,
        upload_lease_until timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        completed_at timestamptz,
        CONSTRAINT attachments_received_check CHECK (received >= 0 AND received <= size),
        CONSTRAINT attachments_conversation_id_fkey FOREIGN KEY (conversation_id) REFERENCES conversations (id) ON DELETE CASCADE,
        CONSTRAINT attachments_uploader_user_id_fkey FOREIGN KEY (uploader_user_id) REFERENCES users (id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX attachments_conversation_idx ON attachments (conversation_id)`);
    await q.query(`CREATE INDEX attachments_incomplete_idx ON attachments (created_at) WHERE completed_at IS NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE attachments`);
  }
}
