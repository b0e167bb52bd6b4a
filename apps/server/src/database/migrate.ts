import type { DataSource } from 'typeorm';

/** Arbitrary but fixed: every Miyu process migrating the same database takes this lock first. */
export const MIGRATION_LOCK_KEY = 0x6d697975; // "miyu"

export interface MigrationResult {
  applied: string[];
}

/**
 * Runs pending migrations as one explicit step under a PostgreSQL advisory lock, so that any number of server
 * processes (or the compose `migrate` job) can start against an empty database at once: one migrates, the
 * others wait and then find nothing to do. TypeORM itself takes no such lock.
 */
export async function runMigrations(dataSource: DataSource): Promise<MigrationResult> {
  const lockRunner = dataSource.createQueryRunner();
  await lockRunner.connect();
  try {
    await lockRunner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    return { applied: applied.map((m) => m.name) };
  } finally {
    await lockRunner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await lockRunner.release();
  }
}

/** True when every migration the code knows has been applied. */
export async function migrationsCurrent(dataSource: DataSource): Promise<boolean> {
  return !(await dataSource.showMigrations());
}
