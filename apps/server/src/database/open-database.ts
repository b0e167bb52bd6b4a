import type { DataSource } from 'typeorm';
import type { AppConfig } from '../config/app-config.js';
import { logger } from '../common/logging/json-logger.js';
import { createDataSource } from './data-source.js';
import { startEmbeddedPostgres, type EmbeddedPostgresHandle } from './embedded-postgres.js';

export interface OpenDatabase {
  dataSource: DataSource;
  embedded: EmbeddedPostgresHandle | null;
  close(): Promise<void>;
}

/** Connects to DATABASE_URL, or starts (or attaches to) the embedded PostgreSQL under DATA_DIR/pg. */
export async function openDatabase(config: AppConfig): Promise<OpenDatabase> {
  let embedded: EmbeddedPostgresHandle | null = null;
  let url = config.database.url;
  if (!url) {
    const started = Date.now();
    embedded = await startEmbeddedPostgres({
      dataDir: config.database.dataDir,
      port: config.database.embeddedPort,
      database: 'miyu',
      log: (msg) => logger.event('info', 'database', msg),
    });
    logger.event('info', 'database', 'embedded PostgreSQL ready', { ms: Date.now() - started, owned: embedded.owned });
    url = embedded.url;
  }
  const dataSource = createDataSource(url, config.database.poolSize);
  try {
    await dataSource.initialize();
  } catch (err) {
    await embedded?.stop();
    throw err;
  }
  return {
    dataSource,
    embedded,
    async close() {
      if (dataSource.isInitialized) await dataSource.destroy();
      await embedded?.stop();
    },
  };
}
