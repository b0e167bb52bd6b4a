// Scale bench (issue #12): the same workloads through Miyu, a raw socket.io relay (the stack's ceiling) and
// ejabberd with its message archive on (a widely deployed chat server), one after the other on this machine,
// each server in processes of its own and the load generator in this one, loopback only:
//   (a) 1:1: clients in pairs at a stepped offered rate until p99 passes 100 ms, then 3 windows at the last rate
//       that kept up; (b) 100 groups × 10, stepped, then 3 windows at the rate where ejabberd's p99 crossed 50 ms;
//   (c) one 1,000-member group, stepped, then 3 windows; (d) idle connections: server RSS per connection, in
//   3 parts; (e) reconnect storm: 5,000 clients offline, one message each, all reconnect and sync, 3 times.
// Prints every window, a summary and the ratios Miyu/ejabberd and Miyu/raw-relay; reports them for run-all.
// Run: npm run bench:scale [-- --targets miyu,raw-relay,ejabberd --clients 1000 --idle 10000 --storm 5000 ...]
import { cpus, totalmem } from 'node:os';
import { parseFlags } from './support/args.js';
import { type Metric, report } from './support/report.js';
import { markdownTable, median } from './support/stats.js';
import { inBatches } from './support/batches.js';
import { startEjabberd } from './scale/ejabberd.js';
import { startMiyu } from './scale/miyu.js';
import { startRelay } from './scale/relay.js';
import type { Peer, Room, Target } from './scale/target.js';
import {
  atRate,
  type Flow,
  idleMemory,
  reconnectStorm,
  type Storm,
  stepUp,
  type Window,
  type WindowOptions,
} from './scale/workloads.js';

const flags = parseFlags();
const TARGETS = flags.string('targets', 'ejabberd,raw-relay,miyu').split(',');
const CLIENTS = flags.number('clients', 1000);
const GROUPS = flags.number('groups', 100);
const GROUP_SIZE = flags.number('group-size', 10);
const BIG = flags.number('big', 1000);
const IDLE = flags.number('idle', 10_000);
const STORM = flags.number('storm', 5000);
const REPS = flags.number('reps', 3);
const WINDOW: WindowOptions = {
  warmup: flags.number('warmup', 1),
  seconds: flags.number('seconds', 3),
  drainMs: flags.number('drain-ms', 3000),
};
const rates = (name: string, fallback: string) => flags.string(name, fallback).split(',').map(Number);
const PAIR_RATES = rates('pair-rates', '1000,1500,2000,3000,4000,5000,6000,8000,10000,12000,15000,20000');
const GROUP_RATES = rates('group-rates', '200,400,800,1200,1600,2000,2500,3000,3500');
const BIG_RATES = rates('big-rates', '5,10,20,30,40,60,80');
/** Group fan-out is compared at the rate where ejabberd's p99 first passes this. */
const GROUP_CROSSING_MS = 50;
const STEP_LIMIT_MS = 100;

const STARTERS: Record<string, () => Promise<Target>> = {
  ejabberd: startEjabberd,
  'raw-relay': startRelay,
  miyu: startMiyu,
};
for (const t of TARGETS)
  if (!STARTERS[t]) throw new Error(`--targets: unknown target ${t} (${Object.keys(STARTERS).join(', ')})`);
if (BIG > CLIENTS || GROUPS * GROUP_SIZE > CLIENTS || STORM > IDLE || CLIENTS % 2) {
  throw new Error('--clients must be even and at least --big and --groups × --group-size; --storm at most --idle');
}

interface Result {
  target: string;
  description: string;
  pairs: { steps: Window[]; sustained: number | null; reps: Window[] };
  groups: { steps: Window[]; sustained: number | null; crossing: number | null; reps: Window[] };
  big: { steps: Window[]; sustained: number | null; reps: Window[] };
  idleKib: number[];
  storms: Storm[];
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : String(n));
const row = (target: string, workload: string, w: Window) => ({
  target,
  workload,
  offered: `${w.offered}/s`,
  'sent/accepted/delivered': `${fmt(w.sent, 0)} / ${fmt(w.accepted, 0)} / ${fmt(w.delivered, 0)}`,
  'p50/p99/max': `${fmt(w.p50)} / ${fmt(w.p99)} / ${fmt(w.max, 0)} ms`,
  lost: String(w.lost + w.refused),
  'server CPU': `${fmt(w.serverCpu, 0)} % (${fmt(w.cpuPerDelivery, 0)} µs/delivery)`,
  RSS: `${fmt(w.serverRss, 0)} MiB`,
  'PG WAL': w.walMiB === null ? '–' : `${fmt(w.walMiB)} MiB/s`,
  'load-gen CPU / stall': `${fmt(w.loadGenCpu, 0)} % / ${fmt(w.loadGenStall, 0)} ms`,
});
const log = (target: string, workload: string) => (w: Window) => console.log(row(target, workload, w));

async function reps(target: Target, flows: readonly Flow[], rate: number | null, workload: string): Promise<Window[]> {
  const out: Window[] = [];
  for (let i = 0; rate !== null && i < REPS; i++) {
    const w = await atRate(target, flows, rate, WINDOW);
    log(target.name, `${workload}, repetition ${i + 1}`)(w);
    out.push(w);
  }
  return out;
}

/** Every member of each room sends in it. */
const everyone = (rooms: readonly Room[]): Flow[] =>
  rooms.flatMap((room) => room.members.map((from) => ({ room, from })));

async function runTarget(name: string, groupCrossing: number | null): Promise<Result> {
  console.log(`\n=== ${name} ===`);
  const target = await STARTERS[name]!();
  try {
    console.log(target.description);
    const base = await target.connect(CLIENTS);
    // Idle connections first, on a heap the messaging workloads have not filled with garbage yet; they stay
    // connected through the rest (as idle members of a real deployment would).
    const idle = await idleMemory(target, IDLE, 3);
    console.log({ target: name, workload: `idle × ${IDLE}`, 'KiB per connection': idle.kib.map((k) => fmt(k)) });

    const pairRooms = await inBatches(
      Array.from({ length: CLIENTS / 2 }, (_, i) => i),
      20,
      (i) => target.direct(base[2 * i]!, base[2 * i + 1]!),
    );
    const pairFlows = everyone(pairRooms);
    const pairSearch = await stepUp(target, pairFlows, PAIR_RATES, STEP_LIMIT_MS, WINDOW, log(name, '1:1'));
    const pairReps = await reps(target, pairFlows, pairSearch.sustained, '1:1');

    const groupRooms = await inBatches(
      Array.from({ length: GROUPS }, (_, g) => base.slice(g * GROUP_SIZE, (g + 1) * GROUP_SIZE)),
      10,
      (members) => target.group(members),
    );
    const groupFlows = everyone(groupRooms);
    const groupSearch = await stepUp(target, groupFlows, GROUP_RATES, STEP_LIMIT_MS, WINDOW, log(name, 'groups'));
    // ejabberd (run first) sets the comparison rate; without it, each target's own crossing.
    const crossing =
      groupCrossing ?? groupSearch.steps.find((w) => !(w.p99 <= GROUP_CROSSING_MS))?.offered ?? GROUP_RATES.at(-1)!;
    const groupReps = await reps(target, groupFlows, crossing, `groups at ${crossing} msg/s`);

    const bigRoom = await target.group(base.slice(0, BIG));
    const bigFlows = bigRoom.members.slice(0, 5).map((from) => ({ room: bigRoom, from }));
    const bigSearch = await stepUp(target, bigFlows, BIG_RATES, STEP_LIMIT_MS, WINDOW, log(name, `1 group × ${BIG}`));
    const bigReps = await reps(target, bigFlows, bigSearch.sustained, `1 group × ${BIG}`);

    const stormPeers = idle.peers.slice(0, STORM);
    const partner = (i: number) => base[i % base.length]!;
    const stormFlows = await inBatches(stormPeers, 50, async (p: Peer) => {
      const from = partner(p.index);
      return { room: await target.direct(from, p), from };
    });
    const storms: Storm[] = [];
    for (let i = 0; i < REPS; i++) {
      const s = await reconnectStorm(target, stormPeers, stormFlows, name !== 'raw-relay');
      console.log({ target: name, workload: `reconnect storm × ${STORM}, repetition ${i + 1}`, ...s });
      storms.push(s);
    }
    return {
      target: name,
      description: target.description,
      pairs: { ...pairSearch, reps: pairReps },
      groups: { ...groupSearch, crossing, reps: groupReps },
      big: { ...bigSearch, reps: bigReps },
      idleKib: idle.kib,
      storms,
    };
  } finally {
    await target.stop();
  }
}

function metrics(r: Result): Metric[] {
  const m = (name: string, values: number[], unit: string, better: Metric['better']) =>
    values.map((value) => ({ name: `${name} (${r.target})`, value, unit, better }));
  return [
    ...m(
      '1:1 delivered at p99 ≤ 100 ms',
      r.pairs.reps.map((w) => w.delivered),
      'msg/s',
      'higher',
    ),
    ...m(
      '1:1 p99 at that rate',
      r.pairs.reps.map((w) => w.p99),
      'ms',
      'lower',
    ),
    ...m(
      '1:1 server CPU per delivery',
      r.pairs.reps.map((w) => w.cpuPerDelivery),
      'µs',
      'lower',
    ),
    ...m(
      '1:1 PostgreSQL WAL written',
      r.pairs.reps.flatMap((w) => (w.walMiB === null ? [] : [w.walMiB])),
      'MiB/s',
      'lower',
    ),
    ...m(
      `groups ${GROUPS}×${GROUP_SIZE} p99 at ${r.groups.crossing} msg/s`,
      r.groups.reps.map((w) => w.p99),
      'ms',
      'lower',
    ),
    ...m(
      `groups ${GROUPS}×${GROUP_SIZE} deliveries`,
      r.groups.reps.map((w) => w.delivered),
      '/s',
      'higher',
    ),
    ...m(
      `1 group × ${BIG} deliveries at p99 ≤ 100 ms`,
      r.big.reps.map((w) => w.delivered),
      '/s',
      'higher',
    ),
    ...m(
      `1 group × ${BIG} p99 at that rate`,
      r.big.reps.map((w) => w.p99),
      'ms',
      'lower',
    ),
    ...m('idle connection server memory', r.idleKib, 'KiB', 'lower'),
    ...m(
      `reconnect storm × ${STORM} wall time`,
      r.storms.map((s) => s.wall),
      'ms',
      'lower',
    ),
    ...m(
      `reconnect storm × ${STORM} p99 per client`,
      r.storms.map((s) => s.p99),
      'ms',
      'lower',
    ),
  ];
}

/** Per-repetition ratios a/b of one figure (repetition i with repetition i). */
function ratios(name: string, a: number[], b: number[], better: Metric['better']): Metric[] {
  return a.slice(0, b.length).map((v, i) => ({ name, value: v / b[i]!, unit: '×', better }));
}

function comparisons(results: Map<string, Result>): Metric[] {
  const miyu = results.get('miyu');
  if (!miyu) return [];
  const out: Metric[] = [];
  for (const base of ['ejabberd', 'raw-relay']) {
    const other = results.get(base);
    if (!other) continue;
    out.push(
      ...ratios(
        `1:1 delivered msg/s at p99 ≤ 100 ms, miyu/${base}`,
        miyu.pairs.reps.map((w) => w.delivered),
        other.pairs.reps.map((w) => w.delivered),
        'higher',
      ),
      ...ratios(
        `groups p99 at ejabberd's 50 ms rate, miyu/${base}`,
        miyu.groups.reps.map((w) => w.p99),
        other.groups.reps.map((w) => w.p99),
        'lower',
      ),
      ...ratios(
        `1 group × ${BIG} deliveries/s at p99 ≤ 100 ms, miyu/${base}`,
        miyu.big.reps.map((w) => w.delivered),
        other.big.reps.map((w) => w.delivered),
        'higher',
      ),
      ...ratios(`idle memory per connection, miyu/${base}`, miyu.idleKib, other.idleKib, 'lower'),
      ...ratios(
        `reconnect storm wall time, miyu/${base}`,
        miyu.storms.map((s) => s.wall),
        other.storms.map((s) => s.wall),
        'lower',
      ),
    );
  }
  return out;
}

function verdicts(results: Map<string, Result>, ratioMetrics: Metric[]): string[] {
  const med = (name: string) => median(ratioMetrics.filter((m) => m.name === name).map((m) => m.value));
  const miyu = results.get('miyu');
  if (!miyu) return [];
  const line = (ok: boolean, text: string) => `${ok ? 'met    ' : 'NOT met'}  ${text}`;
  const vsEj = med('1:1 delivered msg/s at p99 ≤ 100 ms, miyu/ejabberd');
  const vsRaw = med('1:1 delivered msg/s at p99 ≤ 100 ms, miyu/raw-relay');
  const groupP99 = median(miyu.groups.reps.map((w) => w.p99));
  const idle = median(miyu.idleKib);
  return [
    line(vsEj >= 1, `1:1 delivered msg/s ≥ 1.0× ejabberd with MAM: ${fmt(vsEj, 2)}×`),
    line(vsRaw >= 0.5, `1:1 delivered msg/s ≥ 0.5× raw relay: ${fmt(vsRaw, 2)}×`),
    line(
      groupP99 <= GROUP_CROSSING_MS,
      `group fan-out p99 ≤ 50 ms at ${miyu.groups.crossing} msg/s (ejabberd's crossing): ${fmt(groupP99)} ms`,
    ),
    line(idle <= 30, `idle connection ≤ 30 KiB: ${fmt(idle)} KiB`),
  ];
}

async function main(): Promise<void> {
  const started = performance.now();
  const results = new Map<string, Result>();
  let crossing: number | null = null;
  for (const name of TARGETS) {
    const r = await runTarget(name, crossing);
    results.set(name, r);
    if (name === 'ejabberd') crossing = r.groups.crossing;
  }
  const ratioMetrics = comparisons(results);
  const summary = [...results.values()].flatMap((r) => [
    ...r.pairs.reps.map((w) => row(r.target, `1:1 at ${w.offered}/s`, w)),
    ...r.groups.reps.map((w) => row(r.target, `${GROUPS} groups × ${GROUP_SIZE}`, w)),
    ...r.big.reps.map((w) => row(r.target, `1 group × ${BIG}`, w)),
  ]);
  console.log(
    `\nScale bench — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ` +
      `${Math.round(totalmem() / 2 ** 30)} GiB; ${WINDOW.seconds} s windows after ${WINDOW.warmup} s warm-up; ` +
      `${Math.round((performance.now() - started) / 1000)} s in all\n`,
  );
  for (const r of results.values()) console.log(`- ${r.target}: ${r.description}`);
  console.log(`\n${markdownTable(summary)}\n`);
  for (const m of ratioMetrics) console.log(`${m.name}: ${fmt(m.value, 2)}×`);
  console.log(`\n${verdicts(results, ratioMetrics).join('\n')}`);

  const stepsOf = (steps: Window[]) =>
    steps.map((w) => `${w.offered}: p99 ${fmt(w.p99)} ms${w.lost ? `, ${w.lost} lost` : ''}`).join('; ');
  report({
    bench: 'scale',
    settings: {
      clients: CLIENTS,
      groups: `${GROUPS} × ${GROUP_SIZE}`,
      big: BIG,
      idle: IDLE,
      storm: STORM,
      window: `${WINDOW.warmup} s warm-up, ${WINDOW.seconds} s measured`,
      ...Object.fromEntries(
        [...results.values()].flatMap((r) => [
          [`${r.target}`, r.description],
          [`${r.target} 1:1 steps (msg/s)`, stepsOf(r.pairs.steps)],
          [`${r.target} group steps (msg/s)`, stepsOf(r.groups.steps)],
          [`${r.target} big group steps (msg/s)`, stepsOf(r.big.steps)],
        ]),
      ),
    },
    metrics: [...[...results.values()].flatMap(metrics), ...ratioMetrics],
  });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
