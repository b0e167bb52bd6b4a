// `npm run bench`: every bench under bench/, each as a child process of its own (one bench's heap and sockets do not
// disturb the next), the ordinary ones FULL_REPS times with flags sized so that together they take about 6 minutes,
// then the scale bench once (it repeats its measurements itself). Each run reports its figures as JSON lines
// (bench/support/report.ts) to a temp file; this gathers them into bench/results/<date>.json and the generated
// section of docs/benchmarks.md (min / median / max over all samples).
// Run: npm run bench  [-- --only crypto,word-filter --reps 1]   (fewer reps or a subset: a partial run, written to
// bench/results/tmp/<date>.json, docs left alone)
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as prettier from 'prettier';
import {
  chooseDatabase,
  type DatabaseChoice,
  gitInfo,
  machineInfo,
  versions,
  waitForQuiet,
} from './support/environment.js';
import { root } from './support/paths.js';
import type { Report } from './support/report.js';
import {
  aggregate,
  type BenchResult,
  formatNumber,
  parseReportLines,
  ratiosOf,
  renderSection,
  replaceSection,
  reportedSettings,
  type RunRecord,
  type RunSummary,
} from './support/results.js';
import { parseRunOptions, type RunOptions } from './support/run-options.js';

interface BenchSpec {
  name: string;
  /**
   * Sizes chosen so that FULL_REPS runs of every ordinary bench fit ~6 minutes on a 2-core machine (the scale bench
   * needs most of the 20-minute budget); docs/benchmarks.md lists them beside the results. Empty: the defaults.
   */
  flags: string;
  /** Runs once whatever --reps says: it repeats its measurements itself. */
  once?: boolean;
  /** Killed (its whole process group: server and database included) after this long. */
  timeoutSeconds: number;
  /** Has no embedded-PostgreSQL fallback: skipped when no PostgreSQL server is available. */
  needsDatabaseUrl?: boolean;
}

const BENCHES: BenchSpec[] = [
  { name: 'crypto', flags: '--ms 300 --chain 5000 --attachment-mib 50 --big-group 500', timeoutSeconds: 120 },
  { name: 'word-filter', flags: '--text-mb 2 --runs 3 --runs-slow 1 --messages 2000', timeoutSeconds: 120 },
  { name: 'messaging', flags: '--seconds 3 --warmup 1 --pairs 20 --groups 5 --big 60', timeoutSeconds: 120 },
  {
    name: 'directory',
    flags: '--departments 2000 --people 10000 --queries 100 --import-rows 2000',
    timeoutSeconds: 120,
    needsDatabaseUrl: true,
  },
  {
    name: 'receipts',
    flags:
      '--rates 500,2000 --seconds 2 --warmup 1 --pairs 30 --groups 6 --ping-rate 500 --send-rate 100 --big 1000 ' +
      '--readers 200 --posts 5 --post-runs each@200,coalesced@200 --rest-calls 10 --quiet-wait 0',
    timeoutSeconds: 180,
  },
  {
    name: 'audit-export',
    flags: '--small 10000 --large 50000 --formats jsonl --naive-sample 200',
    timeoutSeconds: 120,
  },
  { name: 'compliance-export', flags: '--small 1000 --large 5000', timeoutSeconds: 120 },
  { name: 'scale', flags: '', once: true, timeoutSeconds: 15 * 60 },
];

/** A bench's flags as arguments (the flags' values hold no spaces). */
const argv = (spec: BenchSpec) => spec.flags.split(' ').filter(Boolean);

const DIST = path.join(root, 'bench/dist');
const log = (line: string) => console.log(`[bench] ${line}`);

/** The child running now, so that an interrupt can take its process group down with this process. */
let current: ChildProcess | null = null;
let interrupted = false;

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    process.kill(-child.pid!, signal);
  } catch {
    /* already gone */
  }
}

/**
 * Stops a bench and everything it started (its server, an embedded PostgreSQL: one process group). The SIGKILL
 * follows even when the bench itself has exited by then, for the processes that ignored the SIGTERM.
 */
function stopGroup(child: ChildProcess): void {
  signalGroup(child, 'SIGTERM');
  setTimeout(() => signalGroup(child, 'SIGKILL'), 10_000);
}

/** Runs one bench process (in a process group of its own, for stopping it); resolves with its exit code. */
function runProcess(spec: BenchSpec, env: NodeJS.ProcessEnv): Promise<number | null> {
  // This process's Node flags (the npm script's --max-old-space-size) go to the bench too: the scale bench's load
  // generator holds thousands of peers.
  const child = spawn(process.execPath, [...process.execArgv, path.join(DIST, `${spec.name}.js`), ...argv(spec)], {
    cwd: root,
    env,
    stdio: 'inherit',
    detached: true,
  });
  current = child;
  const timeout = setTimeout(() => {
    log(`${spec.name}: still running after ${spec.timeoutSeconds} s: stopping it`);
    stopGroup(child);
  }, spec.timeoutSeconds * 1000);
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timeout);
      current = null;
      resolve(code);
    });
  });
}

interface BenchState {
  spec: BenchSpec;
  runs: RunRecord[];
  reports: Report[];
  /** Set by the first failing run: a failing bench is not run again. */
  failure?: { exitCode: number | null; reason: string };
}

async function runOnce(state: BenchState, label: string, work: string, db: DatabaseChoice): Promise<void> {
  const { spec } = state;
  const reportFile = path.join(work, `${spec.name}-${state.runs.length + 1}.jsonl`);
  const env: NodeJS.ProcessEnv = { ...process.env, MIYU_BENCH_REPORT: reportFile };
  if (db.url) env.DATABASE_URL = db.url;
  else delete env.DATABASE_URL;
  console.log(`\n=== ${label} ${spec.name}: node bench/dist/${spec.name}.js ${spec.flags}`.trimEnd());
  const t0 = performance.now();
  const exitCode = await runProcess(spec, env);
  const seconds = (performance.now() - t0) / 1000;
  state.runs.push({ seconds, exitCode });
  const failed = (reason: string) => {
    state.failure = { exitCode, reason };
    log(`${spec.name}: FAILED (${reason}) after ${seconds.toFixed(1)} s`);
  };
  if (exitCode !== 0) return failed(exitCode === null ? 'killed (timeout or signal)' : `exit code ${exitCode}`);
  try {
    const reports = parseReportLines(existsSync(reportFile) ? readFileSync(reportFile, 'utf8') : '');
    if (reports.length === 0) return failed('it reported no metrics');
    state.reports.push(...reports);
  } catch (err) {
    return failed(`bad report: ${(err as Error).message}`);
  }
  log(`${spec.name}: ok in ${seconds.toFixed(1)} s`);
}

/**
 * The ordinary benches round-robin (every bench's first run, then every second run, …), so that a busy stretch
 * of the machine spreads over several benches' samples instead of spoiling all of one; then the once-only ones.
 */
async function runBenches(
  options: RunOptions,
  work: string,
  db: DatabaseChoice,
): Promise<{ benches: BenchResult[]; settings: RunSummary['settings'] }> {
  const chosen = BENCHES.filter((b) => options.benches.includes(b.name));
  const states: BenchState[] = chosen.map((spec) => ({ spec, runs: [], reports: [] }));
  const skipped = new Map<string, string>();
  for (const spec of chosen) {
    if (spec.needsDatabaseUrl && !db.url) skipped.set(spec.name, 'needs a PostgreSQL server (DATABASE_URL)');
    else if (!existsSync(path.join(DIST, `${spec.name}.js`)))
      skipped.set(spec.name, `bench/dist/${spec.name}.js not built`);
  }
  const runnable = (s: BenchState) => !skipped.has(s.spec.name) && !s.failure && !interrupted;
  for (let rep = 1; rep <= options.reps; rep++) {
    for (const s of states.filter((x) => !x.spec.once && runnable(x)))
      await runOnce(s, `[${rep}/${options.reps}]`, work, db);
  }
  for (const s of states.filter((x) => x.spec.once && runnable(x))) await runOnce(s, '[once]', work, db);
  return {
    benches: states.map((s) => benchResult(s, skipped.get(s.spec.name))),
    settings: Object.fromEntries(
      states.map((s) => [s.spec.name, { flags: argv(s.spec), reported: reportedSettings(s.reports) }]),
    ),
  };
}

function benchResult(s: BenchState, skipReason: string | undefined): BenchResult {
  const runSeconds = s.runs.map((r) => Math.round(r.seconds * 10) / 10);
  const base = {
    name: s.spec.name,
    seconds: Math.round(runSeconds.reduce((a, b) => a + b, 0) * 10) / 10,
    runs: s.runs.length,
    runSeconds,
    metrics: [] as BenchResult['metrics'],
  };
  try {
    base.metrics = aggregate(s.reports);
  } catch (err) {
    // Inconsistent reports (a metric's unit changed between runs): the bench's figures cannot be trusted.
    return { ...base, status: 'failed', exitCode: 0, reason: (err as Error).message };
  }
  if (skipReason) return { ...base, status: 'skipped', exitCode: null, reason: skipReason };
  if (s.failure) return { ...base, status: 'failed', exitCode: s.failure.exitCode, reason: s.failure.reason };
  if (s.runs.length === 0) return { ...base, status: 'skipped', exitCode: null, reason: 'interrupted' };
  return { ...base, status: 'ok', exitCode: 0 };
}

async function writeOutputs(summary: RunSummary): Promise<void> {
  // A partial run (fewer reps, a subset) must not replace a full run's file of the same day, nor the docs.
  const dir = path.join(root, summary.partial ? 'bench/results/tmp' : 'bench/results');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${summary.date}.json`);
  writeFileSync(file, `${JSON.stringify(summary, null, 2)}\n`);
  log(`results: ${path.relative(root, file)}${summary.partial ? ' (partial run)' : ''}`);
  if (summary.partial) {
    log('partial run: docs/benchmarks.md left as it was');
    return;
  }
  const docs = path.join(root, 'docs/benchmarks.md');
  const text = replaceSection(readFileSync(docs, 'utf8'), renderSection(summary));
  // Formatted as `npm run format` would (aligned tables; CJK characters are two columns wide): the rest of the file
  // is already formatted, so only the generated section changes.
  const options = await prettier.resolveConfig(docs);
  writeFileSync(docs, await prettier.format(text, { ...options, filepath: docs }));
  log('docs/benchmarks.md: results section rewritten');
}

function printClosing(summary: RunSummary): void {
  console.log('\n======================================== bench summary');
  if (summary.ratios.length) {
    console.log('Ratios (median [min – max] over all samples):');
    for (const r of summary.ratios) {
      console.log(
        `  ${`${r.bench}: ${r.name}`.padEnd(60)} ${formatNumber(r.median)} × [${formatNumber(r.min)} – ${formatNumber(r.max)}] (n ${r.n}, ${r.better} is better)`,
      );
    }
  } else console.log('No ratios reported.');
  for (const b of summary.benches) {
    console.log(
      `  ${b.name.padEnd(18)} ${b.status.padEnd(7)} ${b.runs} run(s) ${b.seconds} s${b.reason ? `  (${b.reason})` : ''}`,
    );
  }
  if (summary.noisy) console.log(`Noisy machine at the start: ${summary.noisyProcesses.join(', ')}`);
  console.log(`Total: ${Math.floor(summary.durationSeconds / 60)} min ${Math.round(summary.durationSeconds % 60)} s`);
}

async function main(): Promise<number> {
  const startedAt = new Date();
  const t0 = performance.now();
  let options: RunOptions;
  try {
    options = parseRunOptions(
      process.argv.slice(2),
      BENCHES.map((b) => b.name),
    );
  } catch (err) {
    console.error(`npm run bench: ${(err as Error).message}`);
    return 2;
  }
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      interrupted = true;
      log(`${signal}: stopping`);
      // Between benches (or while checking the machine) there is nothing to clean up: stop at once.
      if (current) stopGroup(current);
      else process.exit(130);
    });
  }
  log(
    `benches: ${options.benches.join(', ')}; ${options.reps} repetition(s)${options.partial ? ' (partial run)' : ''}`,
  );
  const quiet = await waitForQuiet(20, 30_000, log);
  const db = await chooseDatabase(process.env.DATABASE_URL);
  log(`PostgreSQL: ${db.description}`);
  const git = gitInfo();

  const work = mkdtempSync(path.join(tmpdir(), 'miyu-bench-run-'));
  let ran: Awaited<ReturnType<typeof runBenches>>;
  try {
    ran = await runBenches(options, work, db);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  if (interrupted) {
    log('interrupted: nothing written');
    return 130;
  }
  const summary: RunSummary = {
    date: startedAt.toISOString().slice(0, 10),
    startedAt: startedAt.toISOString(),
    durationSeconds: Math.round((performance.now() - t0) / 100) / 10,
    git,
    machine: machineInfo(),
    versions: versions(db.version),
    database: db.description,
    settings: ran.settings,
    benches: ran.benches,
    ratios: ratiosOf(ran.benches),
    noisy: quiet.noisy,
    noisyProcesses: quiet.processes,
    partial: options.partial,
  };
  await writeOutputs(summary);
  printClosing(summary);
  return ran.benches.some((b) => b.status === 'failed') ? 1 : 0;
}

process.exitCode = await main();
