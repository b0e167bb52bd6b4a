import { createDataSource } from '../../src/database/data-source.js';
import { migrationsCurrent, runMigrations } from '../../src/database/migrate.js';
import { MIGRATIONS } from '../../src/database/migrations/index.js';
import { SEND_BATCH_SQL } from '../../src/modules/messaging/messages.repository.js';
import { createTestDatabase, type TestDatabase } from '../support/test-db.js';

describe('migrations (real PostgreSQL)', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase('miyu_mig');
  });
  afterAll(async () => {
    await db.drop();
  });

  it('applies every migration once when several processes migrate an empty database at the same moment', async () => {
    const sources = [createDataSource(db.url, 2), createDataSource(db.url, 2), createDataSource(db.url, 2)];
    await Promise.all(sources.map((s) => s.initialize()));
    try {
      const results = await Promise.all(sources.map((s) => runMigrations(s)));
      const appliedCounts = results.map((r) => r.applied.length).sort();
      expect(appliedCounts).toEqual([0, 0, MIGRATIONS.length]);
      expect(await migrationsCurrent(sources[0]!)).toBe(true);
    } finally {
      await Promise.all(sources.map((s) => s.destroy()));
    }
  });

  it('leaves no drift between the entities and the hand-written migrations', async () => {
    const ds = createDataSource(db.url, 2);
    await ds.initialize();
    try {
      const pending = await ds.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);
    } finally {
      await ds.destroy();
    }
  });

  it('uses an index for the hot queries (session lookup by token, user by login)', async () => {
    const ds = createDataSource(db.url, 2);
    await ds.initialize();
    try {
      // Enough rows that a sequential scan would not be chosen for cost reasons alone.
      await ds.query(`SET enable_seqscan = off`);
      const plan = async (sql: string, params: unknown[]) =>
        ((await ds.query(`EXPLAIN ${sql}`, params)) as Array<{ 'QUERY PLAN': string }>)
          .map((r) => r['QUERY PLAN'])
          .join('\n');
      expect(await plan(`SELECT * FROM sessions WHERE token_hash = $1`, [Buffer.alloc(32)])).toContain(
        'sessions_token_hash_key',
      );
      expect(await plan(`SELECT * FROM users WHERE login = $1`, ['alice'])).toContain('users_login_key');
      expect(
        await plan(`SELECT * FROM sessions WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC`, [
          '00000000-0000-7000-8000-000000000000',
        ]),
      ).toContain('sessions_user_active_idx');
      expect(
        await plan(`SELECT * FROM devices WHERE user_id = $1 AND revoked_at IS NULL`, [
          '00000000-0000-7000-8000-000000000000',
        ]),
      ).toContain('devices_user_active_idx');
      expect(
        await plan(`SELECT key_id FROM one_time_prekeys WHERE device_id = $1 ORDER BY key_id LIMIT 1`, [
          '00000000-0000-7000-8000-000000000000',
        ]),
      ).toContain('one_time_prekeys_pkey');
      expect(
        await plan(
          `SELECT id FROM attachments WHERE completed_at IS NULL AND created_at < $1 ORDER BY created_at LIMIT 500`,
          [new Date()],
        ),
      ).toContain('attachments_incomplete_idx');
    } finally {
      await ds.destroy();
    }
  });

  it('uses an index for every read and write of a send batch (MessagesRepository.persistBatch)', async () => {
    const ds = createDataSource(db.url, 2);
    await ds.initialize();
    const runner = ds.createQueryRunner(); // one connection: its plans, its statistics
    try {
      await runner.query(`SET enable_seqscan = off`);
      const scans = async () =>
        new Map(
          (
            (await runner.query(
              `SELECT indexrelname AS name, idx_scan::int AS n FROM pg_stat_user_indexes
                WHERE relname IN ('conversations', 'conversation_members', 'messages')`,
            )) as Array<{ name: string; n: number }>
          ).map((r) => [r.name, r.n]),
        );
      const before = await scans();
      const id = ['00000000-0000-7000-8000-000000000000'];
      await runner.query(`SELECT pg_stat_force_next_flush()`);
      await runner.query(SEND_BATCH_SQL, [
        id,
        id,
        id,
        id,
        [Buffer.alloc(1)],
        [false],
        [null],
        [null],
        [null],
        new Date(),
        50,
      ]);
      await runner.query(`SELECT pg_stat_force_next_flush()`);
      await runner.query(`SELECT 1`); // a transaction end to flush at
      const after = await scans();
      const used = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
      expect(used('conversations_pkey')).toBeGreaterThanOrEqual(2); // the lock, the existence check
      // The sender's membership, and the conversation's members.
      expect(used('conversation_members_pkey') + used('conversation_members_read_idx')).toBeGreaterThanOrEqual(2);
      expect(used('messages_client_msg_id_key')).toBeGreaterThanOrEqual(1);
    } finally {
      await runner.release();
      await ds.destroy();
    }
  });

  it('reverts cleanly (down) and re-applies', async () => {
    const ds = createDataSource(db.url, 2);
    await ds.initialize();
    try {
      for (let i = 0; i < MIGRATIONS.length; i++) await ds.undoLastMigration();
      const tables = (await ds.query(
        `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_name = 'users'`,
      )) as Array<{ n: number }>;
      expect(tables[0]!.n).toBe(0);
      expect(await migrationsCurrent(ds)).toBe(false);
      await runMigrations(ds);
      expect(await migrationsCurrent(ds)).toBe(true);
    } finally {
      await ds.destroy();
    }
  });
});
