// Benchmark of @miyu/word-filter (sensitive-word filter) against mint-filter, a popular Aho–Corasick filter without
// normalisation. Deterministic input: a seeded PRNG generates 10,000 words (CJK 2–4 characters, Latin 4–10 letters)
// and 10 MB (UTF-8) of mixed CJK / Latin / punctuation text with planted words, some with separators, zero-width
// characters, full-width letters or traditional characters inserted.
// Run: npm run bench:word-filter  [-- --text-mb 10 --runs 5 --runs-slow 3 --messages 10000]   (the defaults)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Mint } from 'mint-filter';
import { parseFlags } from './support/args.js';
import { type Metric, report } from './support/report.js';

type Lib = typeof import('@miyu/word-filter');

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Builds libs/word-filter when its dist is missing or older than a source file, so the bench never measures stale code. */
function ensureLibraryBuilt(): void {
  const lib = path.join(root, 'libs/word-filter');
  const built = path.join(lib, 'dist/index.js');
  const newest = readdirSync(path.join(lib, 'src'))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
    .reduce((t, f) => Math.max(t, statSync(path.join(lib, 'src', f)).mtimeMs), 0);
  if (existsSync(built) && statSync(built).mtimeMs >= newest) return;
  console.log('building libs/word-filter …');
  const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
  const res = spawnSync(process.execPath, [tsc, '-p', path.join(lib, 'tsconfig.lib.json')], { stdio: 'inherit' });
  if (res.status !== 0) throw new Error('building libs/word-filter failed');
}

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const flags = parseFlags();
const WORDS = 10_000;
const TEXT_BYTES = flags.number('text-mb', 10) * 1_000_000;
const MESSAGE_CHARS = 1_000;
const MESSAGES = flags.number('messages', 10_000);
// Scans of the whole text per engine (the median is reported); mint-filter takes seconds per scan.
const RUNS = flags.number('runs', 5);
const RUNS_SLOW = flags.number('runs-slow', 3);
if (TEXT_BYTES < 100_000 || MESSAGES < 200 || RUNS < 1 || RUNS_SLOW < 1) {
  throw new Error('expected --text-mb ≥ 0.1, --messages ≥ 200 (the warm-up), --runs ≥ 1, --runs-slow ≥ 1');
}

// ------------------------------------------------------------------------------------------------- input
/** sfc32: small, fast, seeded. */
function prng(seed: number): () => number {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = seed >>> 0;
  return () => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
}

const rand = prng(20_240_601);
const int = (n: number) => Math.floor(rand() * n);
const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;

// 3,500 ideographs from the start of the URO block stand in for "common" characters; a few traditional ones
// (with simplified forms in the word list) are mixed in for the folding option.
const CJK_BASE = 0x4e00;
const CJK_SPAN = 3_500;
const cjkChar = () => String.fromCharCode(CJK_BASE + int(CJK_SPAN));
const latinChar = () => String.fromCharCode(0x61 + int(26));
const TRADITIONAL: Record<string, string> = { 发: '發', 后: '後', 国: '國', 词: '詞', 语: '語', 说: '說', 东: '東' };

function makeWords(): string[] {
  const words = new Set<string>();
  const simplified = Object.keys(TRADITIONAL);
  while (words.size < WORDS) {
    let w = '';
    if (rand() < 0.7) {
      const n = 2 + int(3);
      for (let i = 0; i < n; i += 1) w += rand() < 0.05 ? pick(simplified) : cjkChar();
    } else {
      const n = 4 + int(7);
      for (let i = 0; i < n; i += 1) w += latinChar();
    }
    words.add(w);
  }
  return [...words];
}

/** A planted occurrence of `word`, sometimes disguised the ways users dodge filters. */
function disguise(word: string): string {
  const r = rand();
  const chars = Array.from(word);
  if (r < 0.15) return chars.join(pick([' ', '*', '.', '-']));
  if (r < 0.25) return chars.join('\u200B');
  if (r < 0.35 && /^[a-z]+$/.test(word)) {
    return chars.map((c) => String.fromCharCode(c.charCodeAt(0) - 0x61 + 0xff41)).join(''); // full-width
  }
  if (r < 0.45) return chars.map((c) => TRADITIONAL[c] ?? c).join('');
  return word;
}

function makeText(words: string[]): string {
  const parts: string[] = [];
  let bytes = 0;
  const push = (s: string) => {
    parts.push(s);
    bytes += Buffer.byteLength(s);
  };
  const punctuation = ['，', '。', '！', '？', '、', ', ', '. ', '! '];
  while (bytes < TEXT_BYTES) {
    const r = rand();
    if (r < 0.55) {
      let s = '';
      const n = 4 + int(20);
      for (let i = 0; i < n; i += 1) s += cjkChar();
      push(s);
    } else if (r < 0.8) {
      let s = ' ';
      const n = 2 + int(8);
      for (let i = 0; i < n; i += 1) s += latinChar();
      push(`${s} `);
    } else if (r < 0.93) {
      push(pick(punctuation));
    } else if (r < 0.95) {
      push(String(int(1_000_000)));
    } else {
      const w = pick(words);
      push(/^[a-z]/.test(w) ? ` ${disguise(w)} ` : disguise(w));
    }
  }
  return parts.join('');
}

// ------------------------------------------------------------------------------------------------- measuring
function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Memory {
  heap: number;
  rss: number;
}

function memory(): Memory {
  gc();
  gc();
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss };
}

const MiB = 2 ** 20;

interface Engine {
  name: string;
  runs: number;
  build(words: string[]): void;
  /** Scans and returns the number of hits. */
  scan(text: string): number;
}

interface Figures {
  buildMs: number;
  mbPerSecond: number;
  scanMs: number;
  hits: number;
  heapAfterBuildMiB: number;
  heapPeakScanMiB: number;
  rssDeltaMiB: number;
  p50Us: number;
  p99Us: number;
  maxUs: number;
}

function measure(engine: Engine, words: string[], text: string, messages: string[]): Figures {
  const before = memory();
  let t = performance.now();
  engine.build(words);
  const buildMs = performance.now() - t;
  const afterBuild = memory();

  const times: number[] = [];
  let hits = 0;
  let peakHeap = 0;
  for (let r = 0; r < engine.runs; r += 1) {
    t = performance.now();
    hits = engine.scan(text);
    times.push(performance.now() - t);
    peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed);
  }
  const scanMs = median(times);
  const afterScan = memory();

  for (let i = 0; i < 200; i += 1) engine.scan(messages[i]!); // warm-up
  const lat: number[] = [];
  for (const m of messages) {
    t = performance.now();
    engine.scan(m);
    lat.push((performance.now() - t) * 1000);
  }
  lat.sort((a, b) => a - b);
  return {
    buildMs,
    scanMs,
    mbPerSecond: TEXT_BYTES / 1e6 / (scanMs / 1000),
    hits,
    heapAfterBuildMiB: (afterBuild.heap - before.heap) / MiB,
    heapPeakScanMiB: (peakHeap - afterBuild.heap) / MiB,
    rssDeltaMiB: (afterScan.rss - before.rss) / MiB,
    p50Us: percentile(lat, 50),
    p99Us: percentile(lat, 99),
    maxUs: lat[lat.length - 1]!,
  };
}

// ------------------------------------------------------------------------------------------------- main
async function main(): Promise<void> {
  ensureLibraryBuilt();
  const lib: Lib = await import('@miyu/word-filter');
  const started = performance.now();

  const t = performance.now();
  const words = makeWords();
  const text = makeText(words);
  const messages = Array.from({ length: MESSAGES }, () => {
    const at = int(text.length - MESSAGE_CHARS);
    return text.slice(at, at + MESSAGE_CHARS);
  });
  const genMs = performance.now() - t;

  const rules = (ws: string[]) =>
    ws.map((w, i) => ({ id: `w${i}`, type: 'word' as const, pattern: w, category: 'bench', action: 'mask' as const }));
  const miyu = (name: string, options: { foldTraditional: boolean; skipSeparators: boolean }, patterns: boolean) => {
    let filter: ReturnType<Lib['compileFilter']> | null = null;
    return {
      name,
      runs: RUNS,
      build(ws: string[]) {
        const extra = patterns
          ? lib.BUILT_IN_PATTERNS.map((p) => ({
              id: p.key,
              type: 'pattern' as const,
              pattern: p.pattern,
              validator: p.validator,
              category: 'pii',
              action: 'mask' as const,
            }))
          : [];
        filter = lib.compileFilter({ rules: [...rules(ws), ...extra], whitelist: [], options });
      },
      scan: (s: string) => filter!.scan(s).hits.length,
    } satisfies Engine;
  };
  let mint: Mint | null = null;
  const mintEngine: Engine = {
    name: 'mint-filter 4 (no normalisation)',
    runs: RUNS_SLOW,
    build(ws) {
      mint = new Mint(ws);
    },
    scan: (s) => mint!.filter(s, { replace: false }).words.length,
  };

  const engines: Engine[] = [
    miyu('Miyu, normalisation on (fold + skip)', { foldTraditional: true, skipSeparators: true }, false),
    miyu('Miyu, options off (NFKC, case, invisibles)', { foldTraditional: false, skipSeparators: false }, false),
    miyu('Miyu, normalisation on + 3 built-in patterns', { foldTraditional: true, skipSeparators: true }, true),
    mintEngine,
  ];
  const results = new Map<string, Figures>();
  for (const e of engines) results.set(e.name, measure(e, words, text, messages));

  // ------------------------------------------------------------------------------------------------- report
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(
    `\n@miyu/word-filter benchmark — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${platform()} ${release()}`,
  );
  console.log(`${cpus().length} × ${cpu}, ${fmt(totalmem() / 2 ** 30, 1)} GiB RAM`);
  console.log(
    `${fmt(words.length)} words; text ${TEXT_BYTES / 1e6} MB UTF-8 (${fmt(text.length)} UTF-16 units), generated in ${fmt(genMs)} ms; ` +
      `scan = median of ${RUNS} (mint-filter: ${RUNS_SLOW}); latency over ${fmt(MESSAGES)} messages of ${fmt(MESSAGE_CHARS)} characters\n`,
  );
  const header = [
    'Engine',
    'Build',
    `Scan ${TEXT_BYTES / 1e6} MB`,
    'MB/s',
    'Hits',
    'Heap (built)',
    'Heap (scan peak)',
    'RSS Δ',
    'p50 / 1k chars',
    'p99 / 1k chars',
  ];
  const rows = [...results].map(([name, f]) => [
    name,
    `${fmt(f.buildMs)} ms`,
    `${fmt(f.scanMs)} ms`,
    fmt(f.mbPerSecond, 1),
    fmt(f.hits),
    `${fmt(f.heapAfterBuildMiB, 1)} MiB`,
    `${fmt(f.heapPeakScanMiB, 1)} MiB`,
    `${fmt(f.rssDeltaMiB, 1)} MiB`,
    `${fmt(f.p50Us, 1)} µs`,
    `${fmt(f.p99Us, 1)} µs`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i === 0 ? '-' : '') + '-'.repeat(w + 1) + (i === 0 ? '' : ':')).join('|')}|`);
  for (const r of rows) console.log(line(r));

  const on = results.get(engines[0]!.name)!;
  const ref = results.get(mintEngine.name)!;
  const ratio = on.mbPerSecond / ref.mbPerSecond;
  console.log(
    `\nThroughput Miyu (normalisation on) / mint-filter: ${fmt(ratio, 2)}× (target ≥ 2×: ${ratio >= 2 ? 'met' : 'MISSED'})`,
  );
  console.log(
    `1,000-character message, Miyu normalisation on: p50 ${fmt(on.p50Us / 1000, 3)} ms, p99 ${fmt(on.p99Us / 1000, 3)} ms, max ${fmt(on.maxUs / 1000, 3)} ms (target ≤ 1 ms: ${on.p99Us <= 1000 ? 'met' : 'MISSED'})`,
  );
  console.log(
    'Hit counts differ by design: Miyu reports overlapping hits and disguised words and does not match Latin words inside longer words; mint-filter reports one word per end position and no disguised ones.',
  );
  console.log(`Total bench time ${fmt((performance.now() - started) / 1000, 1)} s`);
  report({
    bench: 'word-filter',
    settings: { words: WORDS, textMB: TEXT_BYTES / 1e6, runs: RUNS, runsSlow: RUNS_SLOW, messages: MESSAGES },
    metrics: headlineMetrics(results, engines, ratio),
  });
}

/** Throughput of every engine; latency, build and memory of Miyu with normalisation on and of mint-filter. */
function headlineMetrics(results: Map<string, Figures>, engines: Engine[], ratio: number): Metric[] {
  // Short, stable names, in the order of `engines`.
  const names = ['Miyu (normalisation on)', 'Miyu (options off)', 'Miyu (+ 3 patterns)', 'mint-filter'];
  const figures = engines.map((e) => results.get(e.name)!);
  const out: Metric[] = figures.map((f, i) => ({
    name: `${names[i]} scan`,
    value: f.mbPerSecond,
    unit: 'MB/s',
    better: 'higher',
  }));
  for (const i of [0, 3]) {
    const f = figures[i]!;
    out.push({ name: `${names[i]} p50 per 1,000 characters`, value: f.p50Us, unit: 'µs', better: 'lower' });
    out.push({ name: `${names[i]} p99 per 1,000 characters`, value: f.p99Us, unit: 'µs', better: 'lower' });
    out.push({ name: `${names[i]} heap, scan peak`, value: f.heapPeakScanMiB, unit: 'MiB', better: 'lower' });
  }
  out.push({ name: `${names[0]} build`, value: figures[0]!.buildMs, unit: 'ms', better: 'lower' });
  out.push({ name: 'throughput Miyu (normalisation on) / mint-filter', value: ratio, unit: '×', better: 'higher' });
  return out;
}

await main();
