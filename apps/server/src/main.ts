import { ConfigError, loadConfig } from './config/app-config.js';
import { logger } from './common/logging/json-logger.js';
import { onUnhandledRejection } from './common/process/unhandled-rejections.js';
import { runMigrations } from './database/migrate.js';
import { openDatabase, type OpenDatabase } from './database/open-database.js';
import { startServer, type MiyuServer } from './server.js';

async function main(): Promise<void> {
  const bootStarted = Date.now();
  const config = loadConfig();
  logger.setLevel(config.logLevel);

  const db: OpenDatabase = await openDatabase(config);
  let server: MiyuServer | null = null;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.event('info', 'app', 'shutting down', { signal });
    const timer = setTimeout(() => {
      logger.event('error', 'app', 'shutdown took too long; exiting');
      process.exit(1);
    }, config.shutdownGraceMs + 20_000).unref();
    try {
      await server?.close();
      await db.close();
      clearTimeout(timer);
      logger.event('info', 'app', 'stopped');
      process.exit(0);
    } catch (err) {
      logger.event('error', 'app', 'error during shutdown', { err });
      process.exit(1);
    }
  };
  process.on('unhandledRejection', (reason) => onUnhandledRejection(reason));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  try {
    if (config.migrateOnStart) {
      const { applied } = await runMigrations(db.dataSource);
      logger.event('info', 'database', 'migrations checked', { applied });
    }
    server = await startServer(config, db.dataSource);
  } catch (err) {
    await db.close().catch(() => undefined);
    throw err;
  }
  logger.event('info', 'app', `Miyu is listening on ${config.publicUrl.origin}`, {
    bind: `${config.host}:${config.port}`,
    startupMs: Date.now() - bootStarted,
    database: db.embedded ? 'embedded' : 'external',
    redis: config.redisUrl ? 'on' : 'off',
  });
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    process.exit(2);
  }
  logger.event('error', 'app', 'failed to start', { err });
  process.exit(1);
});
