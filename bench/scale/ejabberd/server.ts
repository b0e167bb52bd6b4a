// One ejabberd instance for the scale bench: Debian's package (installed when missing), configured from
// ejabberd.yml.template in a fresh temp folder (loopback only, free ports, an Erlang node of its own), run as the
// ejabberd user, with its accounts and message archive in a throwaway PostgreSQL database when DATABASE_URL is
// set, else in mnesia inside the temp folder.
import { type ChildProcess, execFileSync, type ExecFileSyncOptions, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createThrowawayDatabase, type ThrowawayDatabase, walBytes } from '../../support/db.js';
import { root } from '../../support/paths.js';
import { freePort } from '../../support/server.js';

export const XMPP_DOMAIN = 'localhost';
export const MUC_DOMAIN = `conference.${XMPP_DOMAIN}`;

const EJABBERDCTL = '/usr/sbin/ejabberdctl';
const PG_SCHEMA = '/usr/share/ejabberd/sql/pg.sql';
const TEMPLATE = path.join(root, 'bench/scale/ejabberd/ejabberd.yml.template');
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 30_000;
const API_TIMEOUT_MS = 30_000;

export interface EjabberdInstance {
  /** e.g. 23.01 */
  readonly version: string;
  /** Where accounts and the archive live: 'PostgreSQL' or 'mnesia'. */
  readonly backend: string;
  /** xmpp://127.0.0.1:<c2s port> */
  readonly service: string;
  /** The instance's beam.smp. */
  readonly pid: number;
  /** Runs a command of the HTTP API (mod_http_api, loopback admin): its JSON answer. */
  api(command: string, args: Record<string, unknown>): Promise<unknown>;
  /** WAL bytes written so far by the archive's PostgreSQL server (support/db.ts); null on mnesia. */
  walBytes(): Promise<number | null>;
  /** Stops ejabberd and removes its folder and database. */
  stop(): Promise<void>;
}

export async function startInstance(): Promise<EjabberdInstance> {
  const baseUrl = process.env.DATABASE_URL;
  // PostgreSQL needs the driver, which the ejabberd package only suggests.
  ensureInstalled(baseUrl ? ['ejabberd', 'erlang-p1-pgsql'] : ['ejabberd']);
  const version = packageVersion('ejabberd');

  const db = baseUrl ? await archiveDatabase(baseUrl) : null;
  const dir = mkdtempSync(path.join(tmpdir(), 'miyu-ejabberd-'));
  const removeAll = async () => {
    rmSync(dir, { recursive: true, force: true });
    await db?.drop();
  };

  let child: ChildProcess | undefined;
  try {
    const [c2sPort, httpPort, distPort] = [await freePort(), await freePort(), await freePort()];
    const node = `miyubench${randomBytes(4).toString('hex')}@localhost`;
    writeInstanceFiles(dir, { node, c2sPort, httpPort, distPort, database: db ? sqlOptions(db) : MNESIA_OPTIONS });
    const run = launch(dir);
    child = run.child;
    const api = apiClient(httpPort);
    await waitReady(run.child, api, run.output);
    const pid = beamPid(node);
    // A bench that dies without stop() must not leave the server running.
    const killOnExit = () => killQuietly(pid);
    process.once('exit', killOnExit);
    let stopping: Promise<void> | undefined;
    return {
      version,
      backend: db ? 'PostgreSQL' : 'mnesia',
      service: `xmpp://127.0.0.1:${c2sPort}`,
      pid,
      api,
      walBytes: () => (db ? walBytes(db.url) : Promise.resolve(null)),
      stop: () =>
        (stopping ??= (async () => {
          process.off('exit', killOnExit);
          await terminate(run.child, pid);
          await removeAll();
        })()),
    };
  } catch (err) {
    child?.kill('SIGKILL');
    for (const pid of beamPids(dir)) killQuietly(pid);
    await removeAll();
    throw err;
  }
}

function ensureInstalled(packages: readonly string[]): void {
  const missing = packages.filter((p) => !isInstalled(p));
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `ejabberd target: ${missing.join(', ')} missing; install as root: apt-get install -y ${missing.join(' ')}`,
    );
  }
  // Debian starts a package's service on install unless policy-rc.d says no: this bench runs its own instance.
  const policy = '/usr/sbin/policy-rc.d';
  const ownPolicy = !existsSync(policy);
  if (ownPolicy) writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    const opts: ExecFileSyncOptions = {
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
      stdio: ['ignore', 'inherit', 'inherit'],
    };
    execFileSync('apt-get', ['update', '-qq'], opts);
    execFileSync('apt-get', ['install', '-y', '-qq', ...missing], opts);
  } finally {
    if (ownPolicy) rmSync(policy, { force: true });
  }
}

function isInstalled(pkg: string): boolean {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return r.stdout === 'install ok installed';
}

/** '23.01' of the package version '23.01-1'. */
function packageVersion(pkg: string): string {
  return execFileSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8' }).replace(/-[^-]*$/, '');
}

/** A throwaway database with ejabberd's PostgreSQL schema (the single-host one, `new_sql_schema: false`). */
async function archiveDatabase(baseUrl: string): Promise<ThrowawayDatabase> {
  const db = await createThrowawayDatabase(baseUrl, 'ejabberd_bench');
  try {
    const c = new pg.Client({ connectionString: db.url });
    await c.connect();
    try {
      await c.query(readFileSync(PG_SCHEMA, 'utf8'));
    } finally {
      await c.end();
    }
    return db;
  } catch (err) {
    await db.drop();
    throw err;
  }
}

const MNESIA_OPTIONS = ['default_db: mnesia', 'auth_method: internal'].join('\n');

function sqlOptions(db: ThrowawayDatabase): string {
  const u = new URL(db.url);
  return [
    'default_db: sql',
    'auth_method: sql',
    'sql_type: pgsql',
    `sql_server: ${JSON.stringify(u.hostname)}`,
    `sql_port: ${u.port || 5432}`,
    `sql_database: ${JSON.stringify(db.name)}`,
    `sql_username: ${JSON.stringify(decodeURIComponent(u.username) || 'postgres')}`,
    `sql_password: ${JSON.stringify(decodeURIComponent(u.password))}`,
    // ejabberd's default, and Miyu's: the archive writes of both go through 10 connections.
    'sql_pool_size: 10',
  ].join('\n');
}

interface InstanceSettings {
  node: string;
  c2sPort: number;
  httpPort: number;
  /** The Erlang distribution's port: with it fixed, no epmd is needed (nor left running after the stop). */
  distPort: number;
  /** YAML lines choosing the database. */
  database: string;
}

/** ejabberd.yml, ejabberdctl.cfg, inetrc and the spool and log folders, owned by the ejabberd user. */
function writeInstanceFiles(dir: string, s: InstanceSettings): void {
  const fields: Record<string, string> = {
    C2S_PORT: String(s.c2sPort),
    HTTP_PORT: String(s.httpPort),
    DATABASE: s.database,
  };
  const config = readFileSync(TEMPLATE, 'utf8').replace(/\{\{(\w+)\}\}/g, (_, key: string) => {
    const value = fields[key];
    if (value === undefined) throw new Error(`${TEMPLATE}: no value for {{${key}}}`);
    return value;
  });
  writeFileSync(path.join(dir, 'ejabberd.yml'), config);
  writeFileSync(
    path.join(dir, 'ejabberdctl.cfg'),
    [
      `ERLANG_NODE=${s.node}`,
      'INET_DIST_INTERFACE=127.0.0.1',
      `ERL_DIST_PORT=${s.distPort}`,
      'ERL_EPMD_ADDRESS=127.0.0.1',
      // Each connection is a port; the open-files limit of the process still applies (see openFilesLimit).
      'ERL_MAX_PORTS=65536',
      'ERL_PROCESSES=500000',
      // No scheduler busy-waiting: it would count as server CPU time and take a core from the load generator.
      'ERL_OPTIONS="-env ERL_CRASH_DUMP_BYTES 0 +sbwt none +sbwtdcpu none +sbwtdio none"',
      `EJABBERD_PID_PATH=${path.join(dir, 'ejabberd.pid')}`,
      '',
    ].join('\n'),
  );
  // Erlang looks for inetrc in the config folder and complains on every start when it is missing.
  writeFileSync(path.join(dir, 'inetrc'), '{lookup, [file, native]}.\n');
  mkdirSync(path.join(dir, 'spool'));
  mkdirSync(path.join(dir, 'logs'));
  if (process.getuid?.() === 0) execFileSync('chown', ['-R', 'ejabberd:ejabberd', dir]);
}

/**
 * `ejabberdctl foreground` as a child process, as the ejabberd user when we are root (ejabberdctl would `su`,
 * which resets the open-files limit). Keeps the last lines it printed, for the error when it fails.
 */
function launch(dir: string): { child: ChildProcess; output: () => string } {
  const ctl = [
    EJABBERDCTL,
    ...['--config-dir', dir, '--config', path.join(dir, 'ejabberd.yml')],
    ...['--ctl-config', path.join(dir, 'ejabberdctl.cfg')],
    ...['--spool', path.join(dir, 'spool'), '--logs', path.join(dir, 'logs')],
    'foreground',
  ];
  const asEjabberd =
    process.getuid?.() === 0 ? ['setpriv', '--reuid=ejabberd', '--regid=ejabberd', '--init-groups'] : [];
  const [command, ...args] = [...asEjabberd, ...ctl] as [string, ...string[]];
  const child = spawn(command, args, {
    cwd: dir,
    // HOME: the Erlang cookie goes into the instance's folder.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, ERL_EPMD_ADDRESS: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-4000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  return { child, output: () => tail };
}

function apiClient(httpPort: number): EjabberdInstance['api'] {
  return async (command, args) => {
    const res = await fetch(`http://127.0.0.1:${httpPort}/api/${command}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(args),
      signal: AbortSignal.timeout(API_TIMEOUT_MS),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`ejabberd API ${command}: ${res.status} ${text}`);
    return JSON.parse(text) as unknown;
  };
}

async function waitReady(child: ChildProcess, api: EjabberdInstance['api'], output: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`ejabberd exited (${child.exitCode ?? child.signalCode}) while starting:\n${output()}`);
    }
    try {
      await api('status', {});
      return;
    } catch {
      /* starting */
    }
    if (Date.now() > deadline)
      throw new Error(`ejabberd did not answer within ${START_TIMEOUT_MS / 1000} s:\n${output()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** The beam.smp processes whose command line has `needle` (this instance's node name or folder). */
function beamPids(needle: string): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmdline.includes('beam.smp') && cmdline.includes(needle)) out.push(Number(entry));
    } catch {
      /* exited meanwhile */
    }
  }
  return out;
}

function beamPid(node: string): number {
  const [pid, ...more] = beamPids(node);
  if (pid === undefined || more.length > 0)
    throw new Error(`ejabberd: expected one beam.smp of ${node}, found ${more.length + (pid ? 1 : 0)}`);
  return pid;
}

function killQuietly(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    /* gone already */
  }
}

/** The soft limit on open files of a process: each connection is one, on both sides. */
export function openFilesLimit(pid: number | 'self'): number {
  const line = readFileSync(`/proc/${pid}/limits`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('Max open files'));
  const soft = line?.split(/\s{2,}/)[1];
  return soft === undefined || soft === 'unlimited' ? Infinity : Number(soft);
}

/** SIGTERM makes the Erlang VM shut down cleanly (init:stop); SIGKILL when that takes too long. */
async function terminate(child: ChildProcess, pid: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const within = (ms: number) =>
    Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);
  process.kill(pid, 'SIGTERM');
  if (await within(STOP_TIMEOUT_MS)) return;
  process.kill(pid, 'SIGKILL');
  if (!(await within(10_000))) throw new Error(`ejabberd (beam.smp ${pid}) did not exit`);
}
