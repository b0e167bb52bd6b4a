// The real server (apps/server/dist/main.js) as a separate process on loopback, with a throwaway database:
// on DATABASE_URL's server when set, else the embedded PostgreSQL in a temp folder. Bench settings: cheap
// password hashing, no API rate limits, warnings only in the log.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createThrowawayDatabase } from './db.js';
import { root } from './paths.js';

export interface BenchServer {
  /** http://127.0.0.1:<port> */
  url: string;
  pid: number;
  /** The server's database, for setup shortcuts and reading results back. */
  dbUrl: string;
  /** Its name on DATABASE_URL's server (`miyu` when embedded). */
  dbName: string;
  /** The first-run setup token (POST /api/setup/admin). */
  setupToken: string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

export interface StartOptions {
  /** Extra environment for the server (wins over the bench defaults). */
  env?: Record<string, string>;
  /** Prefix of the throwaway database's name. */
  dbPrefix?: string;
}

/**
 * Starts the server and waits until /health/ready answers. MIYU_BENCH_CPU_PROF=<dir> runs it under --cpu-prof;
 * MIYU_BENCH_NODE_FLAGS adds Node.js flags (e.g. `--trace-gc`).
 */
export async function startServer(options: StartOptions = {}): Promise<BenchServer> {
  const entry = path.join(root, 'apps/server/dist/main.js');
  if (!existsSync(entry)) throw new Error(`${entry} is missing: build the server first (npm run build)`);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const setupToken = randomBytes(24).toString('hex');

  const db = process.env.DATABASE_URL
    ? await createThrowawayDatabase(process.env.DATABASE_URL, options.dbPrefix)
    : null;
  const dataDir = db ? null : mkdtempSync(path.join(tmpdir(), 'miyu-bench-'));
  const pgPort = db ? 0 : await freePort();

  const nodeArgs = [
    ...(process.env.MIYU_BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.MIYU_BENCH_CPU_PROF}`] : []),
    ...(process.env.MIYU_BENCH_NODE_FLAGS?.split(/\s+/).filter(Boolean) ?? []),
  ];
  const server: ChildProcess = spawn(process.execPath, [...nodeArgs, entry], {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: url,
      WEB_DIST_DIR: '',
      LOG_LEVEL: 'warn',
      SETUP_TOKEN: setupToken,
      PASSWORD_HASH_MEMORY_MIB: '19',
      PASSWORD_HASH_ITERATIONS: '1',
      API_RATE_LIMIT_PER_MINUTE: '1000000',
      SOCKET_EVENTS_PER_SECOND: '1000000',
      SOCKET_EVENT_BURST: '1000000',
      LOGIN_IP_LIMIT_PER_MINUTE: '10000',
      ...(db ? { DATABASE_URL: db.url } : { DATA_DIR: dataDir!, EMBEDDED_PG_PORT: String(pgPort) }),
      ...options.env,
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const exited = new Promise<void>((r) => server.once('exit', () => r()));
  const stop = async () => {
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGTERM');
    await exited;
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; ; i++) {
      if (server.exitCode !== null) throw new Error(`server exited with ${server.exitCode} while starting`);
      try {
        if ((await fetch(`${url}/health/ready`)).ok) break;
      } catch {
        /* starting */
      }
      if (i > 600) throw new Error('server did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  // The embedded PostgreSQL keeps its superuser password beside the cluster (apps/server embedded-postgres.ts).
  const dbUrl =
    db?.url ??
    `postgres://postgres:${encodeURIComponent(readFileSync(path.join(dataDir!, 'pg-password'), 'utf8').trim())}@127.0.0.1:${pgPort}/miyu`;
  return { url, pid: server.pid!, dbUrl, dbName: db?.name ?? 'miyu', setupToken, stop };
}
