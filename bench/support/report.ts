// Machine-readable results of a bench run: when MIYU_BENCH_REPORT names a file, each bench appends its figures
// there as JSON lines, which `npm run bench` (bench/run-all.ts) gathers over its repetitions into
// bench/results/<date>.json and the table of docs/benchmarks.md. Without the variable nothing is written.
import { appendFileSync } from 'node:fs';

export interface Metric {
  /** Stable within a bench, e.g. "1:1 delivered msg/s (miyu)". */
  name: string;
  value: number;
  /** "msg/s", "ms", "KiB", "MiB/s", "×" … */
  unit: string;
  /** Which way is better, for readers of the table. */
  better: 'higher' | 'lower';
}

export interface Report {
  bench: string;
  /** The settings this run used (sizes, rates, durations), as given on the command line or defaulted. */
  settings: Record<string, string | number | boolean>;
  metrics: Metric[];
}

export function report(r: Report): void {
  const file = process.env.MIYU_BENCH_REPORT;
  if (file) appendFileSync(file, `${JSON.stringify(r)}\n`);
}
