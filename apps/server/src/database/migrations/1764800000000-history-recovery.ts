import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The user's History Key wrapped under their recovery key (libs/crypto recovery.ts): a new device that cannot pair
 * restores history with the recovery key alone. One per user; the server cannot open it.
 */
export class HistoryRecovery1764800000000 implements MigrationInterface {
  name = 'HistoryRecovery1764800000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE history_recovery (
        user_id uuid PRIMARY KEY,
        key_id bytea NOT NULL,
        wrap bytea NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT history_recovery_user_id_fkey FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE history_recovery`);
  }
}
