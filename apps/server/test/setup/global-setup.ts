import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// Jest runs global setup outside its module mapper, so this one import names the .ts file itself.
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from '../../src/database/embedded-postgres.ts';

declare global {
  var __MIYU_TEST_PG__: EmbeddedPostgresHandle | undefined;
}

/**
 * Integration tests need a real PostgreSQL server. With DATABASE_URL set (CI sets it) we use that server; otherwise
 * we start the embedded one in a temp folder. Each test file creates and drops its own uniquely named databases.
 */
export default async function globalSetup(): Promise<void> {
  if (process.env.DATABASE_URL) {
    process.env.MIYU_TEST_PG_ADMIN_URL = withDatabase(process.env.DATABASE_URL, 'postgres');
    return;
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'miyu-test-pg-'));
  const handle = await startEmbeddedPostgres({ dataDir, port: 0, database: 'postgres' });
  globalThis.__MIYU_TEST_PG__ = handle;
  process.env.MIYU_TEST_PG_ADMIN_URL = handle.url;
  process.env.MIYU_TEST_PG_DATA_DIR = dataDir;
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}
