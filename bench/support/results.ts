// What `npm run bench` (bench/run-all.ts) makes of the benches' reports (bench/support/report.ts): the JSON lines
// parsed and checked, every metric's samples over all repetitions reduced to n / min / median / max, the `×`
// metrics gathered as ratios, and the Markdown section of docs/benchmarks.md. Pure functions (no I/O), so that
// bench/test/results.spec.ts can check them without running a bench.
import type { Metric, Report } from './report.js';
import { median } from './stats.js';

export interface AggregatedMetric {
  name: string;
  unit: string;
  better: Metric['better'];
  /** Samples with a finite value (a bench may report NaN, which JSON turns into null, when it measured nothing). */
  n: number;
  min: number | null;
  median: number | null;
  max: number | null;
}

export interface Ratio extends AggregatedMetric {
  bench: string;
}

export interface RunRecord {
  seconds: number;
  /** null when the process was killed by a signal (e.g. the run-all timeout). */
  exitCode: number | null;
}

export interface BenchResult {
  name: string;
  status: 'ok' | 'failed' | 'skipped';
  /** The first non-zero exit code of its runs (0 when all passed, null when killed or skipped). */
  exitCode: number | null;
  /** Why it failed or was skipped, for the reader. */
  reason?: string;
  seconds: number;
  runs: number;
  runSeconds: number[];
  metrics: AggregatedMetric[];
}

export interface RunSummary {
  date: string;
  startedAt: string;
  durationSeconds: number;
  git: { commit: string; dirty: boolean };
  machine: { cpuModel: string; cores: number; memoryGiB: number; kernel: string; os: string };
  versions: Record<string, string | null>;
  database: string;
  settings: Record<string, { flags: string[]; reported: Report['settings'] }>;
  benches: BenchResult[];
  ratios: Ratio[];
  noisy: boolean;
  noisyProcesses: string[];
  partial: boolean;
}

export const SECTION_START = '<!-- bench:results:start -->';
export const SECTION_END = '<!-- bench:results:end -->';

// ----------------------------------------------------------------------------------------------- reports

/** Parses a report file (JSON lines, bench/support/report.ts) and checks each line's shape; throws on the first bad one. */
export function parseReportLines(text: string): Report[] {
  const out: Report[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new Error(`report line ${i + 1}: not JSON: ${line.slice(0, 80)}`);
    }
    out.push(checkReport(value, i + 1));
  });
  return out;
}

function checkReport(value: unknown, line: number): Report {
  const r = value as Partial<Report> | null;
  const bad = (what: string) => new Error(`report line ${line}: ${what}`);
  if (typeof r !== 'object' || r === null) throw bad('not an object');
  if (typeof r.bench !== 'string' || !r.bench) throw bad('no bench name');
  if (typeof r.settings !== 'object' || r.settings === null) throw bad('no settings');
  if (!Array.isArray(r.metrics)) throw bad('no metrics');
  for (const m of r.metrics as Array<Partial<Metric> | null>) {
    if (typeof m?.name !== 'string' || !m.name) throw bad('a metric without a name');
    // null stands for NaN / Infinity (JSON.stringify writes them so): kept, counted out by aggregate().
    if (typeof m.value !== 'number' && m.value !== null) throw bad(`metric ${m.name}: value is not a number`);
    if (typeof m.unit !== 'string') throw bad(`metric ${m.name}: no unit`);
    if (m.better !== 'higher' && m.better !== 'lower') throw bad(`metric ${m.name}: better must be higher or lower`);
  }
  return r as Report;
}

// ----------------------------------------------------------------------------------------------- aggregation

/**
 * Every metric of some reports (all repetitions of one bench), in order of first appearance, reduced to n / min /
 * median / max over all its samples. A metric must keep its unit and direction across samples.
 */
export function aggregate(reports: readonly Report[]): AggregatedMetric[] {
  const byName = new Map<string, { unit: string; better: Metric['better']; values: number[] }>();
  for (const r of reports) {
    for (const m of r.metrics) {
      const entry = byName.get(m.name) ?? { unit: m.unit, better: m.better, values: [] };
      if (entry.unit !== m.unit || entry.better !== m.better) {
        throw new Error(
          `${r.bench}: metric "${m.name}" reported as ${m.unit}/${m.better} and as ${entry.unit}/${entry.better}`,
        );
      }
      if (typeof m.value === 'number' && Number.isFinite(m.value)) entry.values.push(m.value);
      byName.set(m.name, entry);
    }
  }
  return [...byName].map(([name, { unit, better, values }]) => ({
    name,
    unit,
    better,
    n: values.length,
    min: values.length ? Math.min(...values) : null,
    median: values.length ? median(values) : null,
    max: values.length ? Math.max(...values) : null,
  }));
}

/** The settings the bench's runs reported, merged (later runs win: they are the same unless the bench changed). */
export function reportedSettings(reports: readonly Report[]): Report['settings'] {
  return Object.assign({}, ...reports.map((r) => r.settings)) as Report['settings'];
}

/** Metrics in the unit `×` (Miyu / something else): the comparisons printed first. */
export function ratiosOf(benches: readonly BenchResult[]): Ratio[] {
  return benches.flatMap((b) => b.metrics.filter((m) => m.unit === '×').map((m) => ({ bench: b.name, ...m })));
}

// ----------------------------------------------------------------------------------------------- Markdown

/** 3 significant digits with thousands separators (38,276 → "38,300"; 0.012345 → "0.0123"); "–" for no value. */
export function formatNumber(v: number | null): string {
  if (v === null || !Number.isFinite(v)) return '–';
  if (v === 0) return '0';
  return Number(v.toPrecision(3)).toLocaleString('en-US', { maximumFractionDigits: 20 });
}

/** A Markdown table; `numeric[i]` right-aligns column i. */
function table(headers: string[], numeric: boolean[], rows: string[][]): string {
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  return [
    `| ${headers.join(' | ')} |`,
    `| ${headers.map((_, i) => (numeric[i] ? '---:' : '---')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(escape).join(' | ')} |`),
  ].join('\n');
}

function metricRow(m: AggregatedMetric, first: string): string[] {
  const arrow = m.better === 'higher' ? '↑' : '↓';
  return [`${first} ${arrow}`, formatNumber(m.median), formatNumber(m.min), formatNumber(m.max), String(m.n), m.unit];
}

const METRIC_HEADERS = ['metric', 'median', 'min', 'max', 'n', 'unit'];
const METRIC_NUMERIC = [false, true, true, true, true, false];

function minutes(seconds: number): string {
  const m = Math.floor(seconds / 60);
  return `${m} min ${Math.round(seconds - m * 60)} s`;
}

/** The generated part of docs/benchmarks.md (between the markers), from a full run's summary. */
export function renderSection(s: RunSummary): string {
  // PostgreSQL's version() goes on with the platform and compiler ("… on x86_64-pc-linux-gnu, compiled by …"):
  // the JSON keeps it, the docs stop before it.
  const versions = Object.entries(s.versions)
    .filter(([, v]) => v !== null)
    .map(([k, v]) => `${k} ${v!.replace(/ on \S+, compiled by .*$/, '')}`)
    .join(', ');
  const out = [
    `**Date**: ${s.date} (started ${s.startedAt}), ${minutes(s.durationSeconds)} in all, commit ` +
      `\`${s.git.commit.slice(0, 10)}\`${s.git.dirty ? ' with uncommitted changes' : ''}. ` +
      `Data: \`bench/results/${s.date}.json\`.`,
    '',
    `**Machine**: ${s.machine.cores} × ${s.machine.cpuModel}, ${s.machine.memoryGiB} GiB RAM, ${s.machine.os}, ` +
      `Linux ${s.machine.kernel}. **PostgreSQL**: ${s.database}.`,
    '',
    `**Versions**: ${versions}.`,
  ];
  if (s.noisy) {
    out.push(
      '',
      `**Noisy machine**: other processes used more than 20 % of a core when the run started ` +
        `(${s.noisyProcesses.join(', ') || 'unattributed'}); figures may be low.`,
    );
  }
  out.push('', '### Ratios', '');
  out.push(
    s.ratios.length
      ? table(
          ['ratio', ...METRIC_HEADERS.slice(1)],
          METRIC_NUMERIC,
          s.ratios.map((r) => metricRow(r, `${r.bench}: ${r.name}`)),
        )
      : 'No bench reported a ratio in this run.',
  );
  for (const b of s.benches) {
    out.push('', `### ${b.name}`, '');
    const flags = s.settings[b.name]?.flags ?? [];
    const runs = `${b.runs} run(s), ${formatNumber(b.seconds)} s in all`;
    if (b.status !== 'ok') {
      const code = b.exitCode === null ? '' : `, exit code ${b.exitCode}`;
      out.push(`**${b.status}**${code}${b.reason ? `: ${b.reason}` : ''}.`);
      if (!b.metrics.length) continue;
      out.push('');
    }
    out.push(`${runs}; flags: ${flags.length ? `\`${flags.join(' ')}\`` : 'none (the defaults)'}.`, '');
    out.push(
      b.metrics.length
        ? table(
            METRIC_HEADERS,
            METRIC_NUMERIC,
            b.metrics.map((m) => metricRow(m, m.name)),
          )
        : 'No metrics reported.',
    );
  }
  return out.join('\n');
}

/**
 * Replaces what lies between SECTION_START and SECTION_END in `doc` with `section`, leaving the rest (the markers
 * included) as it was. Throws when the markers are missing, repeated or out of order.
 */
export function replaceSection(doc: string, section: string): string {
  const start = doc.indexOf(SECTION_START);
  const end = doc.indexOf(SECTION_END);
  if (start < 0 || end < 0) throw new Error(`markers ${SECTION_START} … ${SECTION_END} not found`);
  if (doc.indexOf(SECTION_START, start + 1) >= 0 || doc.indexOf(SECTION_END, end + 1) >= 0)
    throw new Error('the results markers appear more than once');
  if (end < start) throw new Error(`${SECTION_END} comes before ${SECTION_START}`);
  // Blank lines around the section: Markdown (and Prettier) want them between an HTML comment and a paragraph.
  return `${doc.slice(0, start + SECTION_START.length)}\n\n${section.trim()}\n\n${doc.slice(end)}`;
}
