// Starts a throwaway Miyu server for the browser tests: a free port, a random setup token, and either a fresh
// database on the PostgreSQL server named by DATABASE_URL or (without it) the embedded PostgreSQL in a temp dir.
// When the server answers, prints one line that playwright.config.ts waits for and reads the URL and token from.
// On SIGTERM/SIGINT it stops the server, then drops the database / deletes the temp dir.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const serverMain = join(repoRoot, 'apps/server/dist/main.js');
const webDist = join(repoRoot, 'apps/web/dist');

function log(message) {
  process.stderr.write(`[e2e-serve] ${message}\n`);
}

function freePort() {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolvePort(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function withAdminClient(databaseUrl, fn) {
  const { default: pg } = await import('pg');
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

async function waitUntilUp(baseUrl, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with code ${child.exitCode} before it was ready`);
    try {
      const res = await fetch(`${baseUrl}/api/setup/status`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`server not ready after ${timeoutMs} ms`);
}

async function main() {
  for (const [what, path] of [
    ['server build (npm run build)', serverMain],
    ['web build (npm run build)', join(webDist, 'index.html')],
  ]) {
    if (!existsSync(path)) throw new Error(`missing ${what}: ${path}`);
  }

  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const setupToken = randomBytes(24).toString('hex');
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    PUBLIC_URL: baseUrl,
    SETUP_TOKEN: setupToken,
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
    WEB_DIST_DIR: webDist,
  };

  const cleanups = [];
  if (process.env.DATABASE_URL) {
    const name = `miyu_e2e_${randomBytes(6).toString('hex')}`;
    await withAdminClient(process.env.DATABASE_URL, (c) => c.query(`CREATE DATABASE ${name}`));
    const url = new URL(process.env.DATABASE_URL);
    url.pathname = `/${name}`;
    env.DATABASE_URL = url.toString();
    log(`created database ${name}`);
    cleanups.push(async () => {
      await withAdminClient(process.env.DATABASE_URL, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
      log(`dropped database ${name}`);
    });
  } else {
    const dataDir = await mkdtemp(join(tmpdir(), 'miyu-e2e-'));
    // The embedded PostgreSQL runs as its own user when we are root: it must be able to traverse this folder.
    await chmod(dataDir, 0o711);
    env.DATA_DIR = dataDir;
    delete env.DATABASE_URL;
    log(`embedded PostgreSQL in ${dataDir}`);
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  }

  const child = spawn(process.execPath, [serverMain], { cwd: repoRoot, env, stdio: ['ignore', 'inherit', 'inherit'] });
  const exited = new Promise((r) => child.once('exit', (code, signal) => r({ code, signal })));

  let stopping = false;
  const stop = async (signal) => {
    if (stopping) return;
    stopping = true;
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const killer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(killer);
    for (const cleanup of cleanups.reverse()) {
      await cleanup().catch((err) => log(`cleanup failed: ${err.message}`));
    }
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
  void exited.then(({ code, signal }) => {
    if (!stopping) {
      log(`server exited unexpectedly (code ${code}, signal ${signal})`);
      void stop('SIGTERM').then(() => process.exit(1));
    }
  });

  try {
    await waitUntilUp(baseUrl, child, 120_000);
  } catch (err) {
    log(err.message);
    await stop('SIGTERM');
    return;
  }
  // playwright.config.ts waits for this line and takes the URL and token from it.
  process.stdout.write(`MIYU_E2E_READY url=${baseUrl} token=${setupToken}\n`);
}

main().catch((err) => {
  log(err.stack ?? String(err));
  process.exit(1);
});
