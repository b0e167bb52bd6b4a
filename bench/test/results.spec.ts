// bench/support/results.ts: what `npm run bench` makes of the benches' reports.
import type { Report } from '../support/report.js';
import {
  aggregate,
  type BenchResult,
  formatNumber,
  parseReportLines,
  ratiosOf,
  renderSection,
  replaceSection,
  reportedSettings,
  type RunSummary,
  SECTION_END,
  SECTION_START,
} from '../support/results.js';

const run = (metrics: Report['metrics'], settings: Report['settings'] = {}): Report => ({
  bench: 'scale',
  settings,
  metrics,
});

describe('parseReportLines', () => {
  it('reads one report per non-empty line', () => {
    const line = JSON.stringify(run([{ name: 'a', value: 1, unit: 'ms', better: 'lower' }]));
    expect(parseReportLines(`${line}\n\n${line}\n`)).toHaveLength(2);
  });

  it('keeps a NaN value, which JSON writes as null', () => {
    const line = JSON.stringify(run([{ name: 'a', value: NaN, unit: 'ms', better: 'lower' }]));
    expect(parseReportLines(line)[0]!.metrics[0]!.value).toBeNull();
  });

  it('names the bad line', () => {
    const good = JSON.stringify(run([]));
    expect(() => parseReportLines(`${good}\n{"bench":`)).toThrow('report line 2: not JSON');
    expect(() =>
      parseReportLines(
        JSON.stringify({ bench: 'x', settings: {}, metrics: [{ name: 'a', value: 1, unit: 'ms', better: 'up' }] }),
      ),
    ).toThrow('metric a: better must be higher or lower');
    expect(() => parseReportLines(JSON.stringify({ settings: {}, metrics: [] }))).toThrow(
      'report line 1: no bench name',
    );
  });
});

describe('aggregate', () => {
  it('reduces every metric over all samples of all runs to n, min, median and max, in order of appearance', () => {
    const reports = [
      run([
        { name: 'delivered', value: 300, unit: 'msg/s', better: 'higher' },
        { name: 'p99', value: 12, unit: 'ms', better: 'lower' },
      ]),
      // A metric may be reported several times in one run (the scale bench's windows).
      run([
        { name: 'p99', value: 10, unit: 'ms', better: 'lower' },
        { name: 'p99', value: 40, unit: 'ms', better: 'lower' },
        { name: 'delivered', value: 100, unit: 'msg/s', better: 'higher' },
      ]),
      run([{ name: 'delivered', value: 200, unit: 'msg/s', better: 'higher' }]),
    ];
    expect(aggregate(reports)).toEqual([
      { name: 'delivered', unit: 'msg/s', better: 'higher', n: 3, min: 100, median: 200, max: 300 },
      { name: 'p99', unit: 'ms', better: 'lower', n: 3, min: 10, median: 12, max: 40 },
    ]);
  });

  it('takes the mean of the two middle samples when n is even, and leaves non-finite samples out', () => {
    const values = [4, 1, null, 3, 2];
    const reports = values.map((v) => run([{ name: 'x', value: v as number, unit: 's', better: 'lower' }]));
    expect(aggregate(reports)).toEqual([{ name: 'x', unit: 's', better: 'lower', n: 4, min: 1, median: 2.5, max: 4 }]);
  });

  it('gives nulls for a metric without a finite sample', () => {
    expect(aggregate([run([{ name: 'x', value: Infinity, unit: 's', better: 'lower' }])])).toEqual([
      { name: 'x', unit: 's', better: 'lower', n: 0, min: null, median: null, max: null },
    ]);
  });

  it('refuses a metric whose unit changes between samples', () => {
    const reports = [
      run([{ name: 'x', value: 1, unit: 's', better: 'lower' }]),
      run([{ name: 'x', value: 1000, unit: 'ms', better: 'lower' }]),
    ];
    expect(() => aggregate(reports)).toThrow('scale: metric "x" reported as ms/lower and as s/lower');
  });
});

describe('reportedSettings and ratiosOf', () => {
  it('merges the settings of all runs', () => {
    expect(reportedSettings([run([], { a: 1, b: 'x' }), run([], { b: 'y' })])).toEqual({ a: 1, b: 'y' });
  });

  it('gathers the × metrics of every bench', () => {
    const bench = (name: string, units: string[]): BenchResult => ({
      name,
      status: 'ok',
      exitCode: 0,
      seconds: 1,
      runs: 1,
      runSeconds: [1],
      metrics: units.map((unit) => ({ name: unit, unit, better: 'higher', n: 1, min: 2, median: 2, max: 2 })),
    });
    expect(ratiosOf([bench('a', ['ms', '×']), bench('b', ['×'])]).map((r) => `${r.bench}/${r.name}`)).toEqual([
      'a/×',
      'b/×',
    ]);
  });
});

describe('formatNumber', () => {
  it('keeps 3 significant digits with thousands separators', () => {
    expect(formatNumber(38_276)).toBe('38,300');
    expect(formatNumber(1_234_567)).toBe('1,230,000');
    expect(formatNumber(201.4)).toBe('201');
    expect(formatNumber(1.2345)).toBe('1.23');
    expect(formatNumber(0.012345)).toBe('0.0123');
    expect(formatNumber(-2.5)).toBe('-2.5');
    expect(formatNumber(0)).toBe('0');
  });

  it('writes a dash for no value', () => {
    expect(formatNumber(null)).toBe('–');
    expect(formatNumber(NaN)).toBe('–');
  });
});

describe('replaceSection', () => {
  const doc = `# Title\n\nintro\n${SECTION_START}\nold table\n${SECTION_END}\n\n## Rest\nuntouched\n`;

  it('replaces only what lies between the markers', () => {
    expect(replaceSection(doc, '\nnew table\n')).toBe(
      `# Title\n\nintro\n${SECTION_START}\n\nnew table\n\n${SECTION_END}\n\n## Rest\nuntouched\n`,
    );
  });

  it('gives the same document when run twice', () => {
    const once = replaceSection(doc, 'x');
    expect(replaceSection(once, 'x')).toBe(once);
  });

  it('refuses missing, repeated or swapped markers', () => {
    expect(() => replaceSection('# no markers', 'x')).toThrow('not found');
    expect(() => replaceSection(`${doc}${SECTION_START}`, 'x')).toThrow('more than once');
    expect(() => replaceSection(`${SECTION_END}\n${SECTION_START}`, 'x')).toThrow('comes before');
  });
});

describe('renderSection', () => {
  const summary: RunSummary = {
    date: '2026-11-26',
    startedAt: '2026-11-26T10:00:00.000Z',
    durationSeconds: 1005,
    git: { commit: '0123456789abcdef', dirty: true },
    machine: {
      cpuModel: 'AMD EPYC',
      cores: 2,
      memoryGiB: 23.5,
      kernel: '6.18.0',
      os: 'Debian GNU/Linux 12 (bookworm)',
    },
    versions: {
      node: 'v20.20.2',
      postgres: 'PostgreSQL 15.20 (Debian 15.20-0+deb12u1) on x86_64-pc-linux-gnu, compiled by gcc 12.2.0, 64-bit',
      ejabberd: null,
    },
    database: 'local server on 127.0.0.1:5432',
    settings: { scale: { flags: [], reported: {} }, crypto: { flags: ['--ms', '300'], reported: { opsMs: 300 } } },
    benches: [
      {
        name: 'scale',
        status: 'ok',
        exitCode: 0,
        seconds: 600,
        runs: 1,
        runSeconds: [600],
        metrics: [
          { name: 'Miyu / ejabberd, 1:1 msg/s', unit: '×', better: 'higher', n: 3, min: 1.5, median: 2.25, max: 3 },
        ],
      },
      {
        name: 'crypto',
        status: 'failed',
        exitCode: 1,
        reason: 'exit code 1',
        seconds: 12.5,
        runs: 1,
        runSeconds: [12.5],
        metrics: [],
      },
    ],
    ratios: [],
    noisy: true,
    noisyProcesses: ['beam.smp 35 %'],
    partial: false,
  };
  summary.ratios = ratiosOf(summary.benches);
  const text = renderSection(summary);

  it('heads with the date, duration, machine and versions (without the missing ones)', () => {
    expect(text).toContain('**Date**: 2026-11-26 (started 2026-11-26T10:00:00.000Z), 16 min 45 s in all');
    expect(text).toContain('commit `0123456789` with uncommitted changes');
    expect(text).toContain('**Machine**: 2 × AMD EPYC, 23.5 GiB RAM, Debian GNU/Linux 12 (bookworm), Linux 6.18.0.');
    expect(text).toContain('**Versions**: node v20.20.2, postgres PostgreSQL 15.20 (Debian 15.20-0+deb12u1).');
    expect(text).toContain('**Noisy machine**');
    expect(text).toContain('beam.smp 35 %');
  });

  it('puts the ratios first, then a table per bench', () => {
    expect(text.indexOf('### Ratios')).toBeLessThan(text.indexOf('### scale'));
    expect(text).toContain('| scale: Miyu / ejabberd, 1:1 msg/s ↑ | 2.25 | 1.5 | 3 | 3 | × |');
    expect(text).toContain('| metric | median | min | max | n | unit |\n| --- | ---: | ---: | ---: | ---: | --- |');
    expect(text).toContain('1 run(s), 600 s in all; flags: none (the defaults).');
  });

  it('says which bench failed and how', () => {
    expect(text).toContain('### crypto\n\n**failed**, exit code 1: exit code 1.');
  });
});
