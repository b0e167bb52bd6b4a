import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Recall markers on messages, and the admin-set recall window. */
export class Recall1764460000000 implements MigrationInterface {
  name = 'Recall1764460000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE messages ADD COLUMN recalled_at timestamptz`);
    await q.query(`ALTER TABLE messages ADD COLUMN recalled_by uuid`);
    await q.query(`
      CREATE TABLE messaging_settings (
        id smallint PRIMARY KEY,
        recall_window_minutes integer NOT NULL DEFAULT 1440,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT messaging_settings_single_row CHECK (id = 1)
      )`);
    await q.query(`INSERT INTO messaging_settings (id) VALUES (1)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE messaging_settings`);
    await q.query(`ALTER TABLE messages DROP COLUMN recalled_by`);
    await q.query(`ALTER TABLE messages DROP COLUMN recalled_at`);
  }
}
