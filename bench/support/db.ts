// A throwaway PostgreSQL database for one bench run, and the server's migrations applied to it.
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { root } from './paths.js';

export interface ThrowawayDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** Creates an empty database `<prefix>_<random>` on the server of `baseUrl` (e.g. DATABASE_URL). */
export async function createThrowawayDatabase(baseUrl: string, prefix = 'miyu_bench'): Promise<ThrowawayDatabase> {
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new URL(baseUrl);
  admin.pathname = '/postgres';
  const run = async (sql: string) => {
    const c = new pg.Client({ connectionString: admin.toString() });
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };
  await run(`CREATE DATABASE "${name}"`);
  const url = new URL(admin);
  url.pathname = `/${name}`;
  return { name, url: url.toString(), drop: () => run(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

/**
 * How many bytes of WAL the PostgreSQL server of `url` has written so far: its write rate, read at once (the
 * per-database row counters of pg_stat_database lag by up to 10 s behind idle connections). Server-wide: nothing
 * else should write to it while a bench measures.
 */
export async function walBytes(url: string): Promise<number> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const r = await c.query<{ n: string }>(`SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0') AS n`);
    return Number(r.rows[0]!.n);
  } finally {
    await c.end();
  }
}

/** Applies the built server's migrations (apps/server/dist/cli/migrate.js) to `url`. */
export function migrate(url: string): void {
  const cli = path.join(root, 'apps/server/dist/cli/migrate.js');
  if (!existsSync(cli)) {
    throw new Error('apps/server/dist is missing: run `npx nx run-many -t build --projects=@miyu/server` first');
  }
  const res = spawnSync(process.execPath, [cli], {
    env: { PATH: process.env.PATH ?? '', NODE_ENV: 'development', DATABASE_URL: url, LOG_LEVEL: 'error' },
    stdio: 'inherit',
  });
  if (res.status !== 0) throw new Error('migrations failed');
}
