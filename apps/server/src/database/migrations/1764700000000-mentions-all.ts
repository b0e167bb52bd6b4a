import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * "@all" under E2E: the server cannot read the text, so a send carries a `mentionsAll` flag that the server checks
 * (MENTION_ALL_OPEN_MAX_MEMBERS) and stores; clients notify everyone only for messages stored with it.
 */
export class MentionsAll1764700000000 implements MigrationInterface {
  name = 'MentionsAll1764700000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE messages ADD COLUMN mentions_all boolean NOT NULL DEFAULT false`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE messages DROP COLUMN mentions_all`);
  }
}
