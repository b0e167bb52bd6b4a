import type { DataSource } from 'typeorm';
import { type AppConfig, loadConfig } from '../../src/config/app-config.js';
import { logger } from '../../src/common/logging/json-logger.js';
import { createDataSource } from '../../src/database/data-source.js';
import { runMigrations } from '../../src/database/migrate.js';
import { startServer, type MiyuServer } from '../../src/server.js';
import { createTestDatabase, type TestDatabase } from './test-db.js';

export const TEST_SETUP_TOKEN = 'test-setup-token-0123456789abcdef';

export interface TestServer {
  url: string;
  config: AppConfig;
  dataSource: DataSource;
  db: TestDatabase;
  server: MiyuServer;
  close(): Promise<void>;
}

/** The whole server, in process, on a fresh migrated database and a free port. */
export async function startTestServer(env: Record<string, string> = {}, db?: TestDatabase): Promise<TestServer> {
  const database = db ?? (await createTestDatabase());
  const config = loadConfig({
    NODE_ENV: 'test',
    HOST: '127.0.0.1',
    PORT: '0',
    DATABASE_URL: database.url,
    WEB_DIST_DIR: '',
    LOG_LEVEL: process.env.MIYU_TEST_LOG_LEVEL ?? 'error',
    PASSWORD_HASH_MEMORY_MIB: '19',
    PASSWORD_HASH_ITERATIONS: '1',
    SETUP_TOKEN: TEST_SETUP_TOKEN,
    SHUTDOWN_GRACE_MS: '1000',
    ...env,
  });
  logger.setLevel(config.logLevel);
  const dataSource = createDataSource(database.url, 5);
  await dataSource.initialize();
  await runMigrations(dataSource);
  const server = await startServer(config, dataSource);
  const publicUrl = env.PUBLIC_URL ? env.PUBLIC_URL : server.url;
  return {
    url: server.url,
    config: { ...config, publicUrl: new URL(publicUrl) },
    dataSource,
    db: database,
    server,
    async close() {
      await server.close();
      await dataSource.destroy();
      if (!db) await database.drop();
    },
  };
}
