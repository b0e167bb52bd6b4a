import { ConfigError, loadConfig } from '../config/app-config.js';
import { logger } from '../common/logging/json-logger.js';
import { runMigrations } from '../database/migrate.js';
import { openDatabase } from '../database/open-database.js';

/** `npm run migrate`: applies pending migrations under the advisory lock and exits (compose's `migrate` job). */
async function main(): Promise<void> {
  const config = loadConfig();
  logger.setLevel(config.logLevel);
  const db = await openDatabase(config);
  try {
    const { applied } = await runMigrations(db.dataSource);
    logger.event('info', 'database', applied.length ? 'migrations applied' : 'no pending migrations', { applied });
  } finally {
    await db.close();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(err instanceof ConfigError ? `${err.message}\n` : `migration failed: ${String(err)}\n`);
  process.exit(err instanceof ConfigError ? 2 : 1);
});
