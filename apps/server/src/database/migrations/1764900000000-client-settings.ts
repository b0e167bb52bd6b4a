import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Org-wide settings the chat client follows: message previews in notifications, and the watermark on chat views
 * (on/off and which of the viewer's fields it shows).
 */
export class ClientSettings1764900000000 implements MigrationInterface {
  name = 'ClientSettings1764900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE messaging_settings ADD COLUMN notification_previews boolean NOT NULL DEFAULT true`);
    await q.query(`ALTER TABLE messaging_settings ADD COLUMN watermark_enabled boolean NOT NULL DEFAULT true`);
    await q.query(
      `ALTER TABLE messaging_settings ADD COLUMN watermark_fields text[] NOT NULL DEFAULT '{name,employeeNo}'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE messaging_settings DROP COLUMN watermark_fields`);
    await q.query(`ALTER TABLE messaging_settings DROP COLUMN watermark_enabled`);
    await q.query(`ALTER TABLE messaging_settings DROP COLUMN notification_previews`);
  }
}
