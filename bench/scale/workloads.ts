// The scale bench's measurements, the same for every target: an open-loop offered rate over senders in rooms
// (with the end-to-end latency of every delivery), a stepped search for the highest rate a latency bound allows,
// the server memory of idle connections, and a reconnect storm.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { cpuSecondsOf, rssMiB } from '../support/proc.js';
import { quantile } from '../support/stats.js';
import { inBatches } from '../support/batches.js';
import type { Peer, Room, Target } from './target.js';

/** One sender in one room. */
export interface Flow {
  room: Room;
  from: Peer;
}

export interface WindowOptions {
  /** Seconds sent at the rate before measuring. */
  warmup: number;
  /** Seconds measured. */
  seconds: number;
  /** How long to wait after the window for the measured messages' last deliveries. */
  drainMs: number;
}

export interface Window {
  /** Messages per second asked for, and really sent (the load generator can fall short). */
  offered: number;
  sent: number;
  /** Messages the window should have sent at the offered rate, and how many of those it did not. */
  expected: number;
  shortfall: number;
  accepted: number;
  /** Deliveries per second of the messages sent in the window. */
  delivered: number;
  /** Deliveries of the window's messages that never came (within drainMs). */
  lost: number;
  refused: number;
  /** End-to-end latency, send to push, in ms; a lost delivery counts as infinitely late. */
  p50: number;
  p99: number;
  max: number;
  ackP99: number;
  /** Server CPU in % of one core, and per delivery in µs. */
  serverCpu: number;
  cpuPerDelivery: number;
  serverRss: number;
  /** PostgreSQL WAL written, MiB per second (null when the target uses none). */
  walMiB: number | null;
  /** The bench process's own CPU, % of one core: near 100 the load generator limits the figures. */
  loadGenCpu: number;
  /**
   * The longest the load generator's event loop was blocked in the window, ms: a delivery that arrived meanwhile
   * is timed late by up to this much (its own stalls, not the server's).
   */
  loadGenStall: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const serverRss = (t: Target) => t.serverPids().reduce((sum, pid) => sum + rssMiB(pid), 0);

/** Sends at `rate` messages/s in total, spread round-robin over `flows`, and measures one window. */
export async function atRate(target: Target, flows: readonly Flow[], rate: number, o: WindowOptions): Promise<Window> {
  const perFlow = Math.ceil((rate * (o.warmup + o.seconds)) / flows.length) + 2;
  flows.forEach((f) => target.prepare(f.room, f.from, perFlow));

  const pending = new Map<string, { t0: number; remaining: number; measured: boolean }>();
  const latencies: number[] = [];
  const ackLatencies: number[] = [];
  let measuring = false;
  let [sent, accepted, refused, delivered] = [0, 0, 0, 0];
  target.onDeliver((_to, tag) => {
    const p = pending.get(tag);
    if (!p) return;
    if (p.measured) {
      latencies.push(performance.now() - p.t0);
      delivered += 1;
    }
    if (--p.remaining === 0) pending.delete(tag);
  });

  let next = 0;
  let issued = 0;
  const start = performance.now();
  const send = () => {
    const due = Math.floor(((performance.now() - start) / 1000) * rate) - issued;
    for (let i = 0; i < due; i++) {
      const flow = flows[next++ % flows.length]!;
      const t0 = performance.now();
      const measured = measuring;
      const tag = target.send(flow.room, flow.from, (ok) => {
        if (!measured) return;
        if (!ok) refused += 1;
        else {
          accepted += 1;
          ackLatencies.push(performance.now() - t0);
        }
      });
      pending.set(tag, { t0, remaining: flow.room.members.length - 1, measured });
      if (measured) sent += 1;
    }
    issued += Math.max(0, due);
  };
  const timer = setInterval(send, 2);
  await sleep(o.warmup * 1000);

  const pids = target.serverPids();
  const cpu0 = cpuSecondsOf(pids);
  const load0 = process.cpuUsage();
  const lag = monitorEventLoopDelay({ resolution: 5 });
  lag.enable();
  const wal0 = await target.dbWalBytes();
  measuring = true;
  const t0 = performance.now();
  await sleep(o.seconds * 1000);
  measuring = false;
  const elapsed = (performance.now() - t0) / 1000;
  clearInterval(timer);
  const cpu = cpuSecondsOf(pids) - cpu0;
  const load = process.cpuUsage(load0);
  lag.disable();
  const wal1 = await target.dbWalBytes();

  const until = performance.now() + o.drainMs;
  const outstanding = () => [...pending.values()].filter((p) => p.measured).reduce((n, p) => n + p.remaining, 0);
  while (outstanding() > 0 && performance.now() < until) await sleep(20);
  const lost = outstanding();
  target.onDeliver(() => {});

  const sorted = [...latencies, ...Array<number>(lost).fill(Infinity)].sort((a, b) => a - b);
  ackLatencies.sort((a, b) => a - b);
  return {
    offered: rate,
    sent: sent / elapsed,
    expected: rate * elapsed,
    shortfall: rate * elapsed - sent,
    accepted: accepted / elapsed,
    delivered: delivered / elapsed,
    lost,
    refused,
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
    max: sorted.at(-1) ?? NaN,
    ackP99: quantile(ackLatencies, 0.99),
    serverCpu: (cpu / elapsed) * 100,
    cpuPerDelivery: delivered ? (cpu * 1e6) / delivered : NaN,
    serverRss: serverRss(target),
    walMiB: wal0 === null || wal1 === null ? null : (wal1 - wal0) / 2 ** 20 / elapsed,
    loadGenCpu: ((load.user + load.system) / 1e6 / elapsed) * 100,
    loadGenStall: lag.max / 1e6,
  };
}

/** Whether a window kept up: everything sent, accepted and delivered, and its p99 within the bound. */
export function keptUp(w: Window, p99LimitMs: number): boolean {
  // One message short is rounding (low rates, a timer tick at the window's edge), not falling behind.
  return w.shortfall <= Math.max(1, 0.05 * w.expected) && w.refused === 0 && w.lost === 0 && w.p99 <= p99LimitMs;
}

export interface Search {
  steps: Window[];
  /** The highest rate that kept up, or null when the first did not. */
  sustained: number | null;
}

/**
 * Steps the offered rate up through `rates` until a window does not keep up within `p99LimitMs`. A window that
 * failed on its p99 alone (nothing lost, refused or short) is measured once more, and the step passes if that one
 * keeps up: one stall of the machine (a slow WAL flush, say) should not decide a system's capacity.
 */
export async function stepUp(
  target: Target,
  flows: readonly Flow[],
  rates: readonly number[],
  p99LimitMs: number,
  o: WindowOptions,
  log: (w: Window) => void,
): Promise<Search> {
  const steps: Window[] = [];
  let sustained: number | null = null;
  const measure = async (rate: number) => {
    const w = await atRate(target, flows, rate, o);
    steps.push(w);
    log(w);
    await sleep(500);
    return w;
  };
  for (const rate of rates) {
    const w = await measure(rate);
    const onlyLate = !keptUp(w, p99LimitMs) && keptUp(w, Infinity);
    if (!keptUp(w, p99LimitMs) && !(onlyLate && keptUp(await measure(rate), p99LimitMs))) break;
    sustained = rate;
  }
  return { steps, sustained };
}

/**
 * Server memory per idle connection: connects `n` more peers in `batches` equal parts and returns the RSS growth per
 * connection of each part in KiB (one sample per part), with the peers.
 */
export async function idleMemory(
  target: Target,
  n: number,
  batches: number,
): Promise<{ kib: number[]; peers: Peer[] }> {
  const kib: number[] = [];
  const peers: Peer[] = [];
  const size = Math.ceil(n / batches);
  for (let b = 0; b < batches; b++) {
    await sleep(2000); // let the last batch's garbage go first
    const before = serverRss(target);
    const batch = await target.connect(Math.min(size, n - peers.length));
    await sleep(2000);
    kib.push(((serverRss(target) - before) * 1024) / batch.length);
    peers.push(...batch);
  }
  return { kib, peers };
}

export interface Storm {
  clients: number;
  /** Wall time from the first reconnect to the last one synced, ms. */
  wall: number;
  /** Per client, reconnect to synced, ms. */
  p50: number;
  p99: number;
  max: number;
  /** Messages the syncs returned in all, and how many were expected. */
  synced: number;
  expected: number;
  failed: number;
  serverCpuSeconds: number;
}

/**
 * A reconnect storm: `peers` go offline, each of `missed` gets one message from its partner while they are away,
 * then all of them reconnect at once and sync.
 */
export async function reconnectStorm(
  target: Target,
  peers: readonly Peer[],
  missed: readonly Flow[],
  syncs: boolean,
): Promise<Storm> {
  await target.disconnect(peers);
  await sleep(500);
  const sent = await inBatches(
    missed,
    500,
    (f) => new Promise<boolean>((resolve) => target.send(f.room, f.from, resolve)),
  );
  const refused = sent.filter((ok) => !ok).length;
  if (refused > 0)
    throw new Error(`reconnect storm: ${refused} of the ${missed.length} messages to offline peers were refused`);
  await sleep(500);
  const pids = target.serverPids();
  const cpu0 = cpuSecondsOf(pids);
  const t0 = performance.now();
  const times: number[] = [];
  let synced = 0;
  let failed = 0;
  await Promise.all(
    peers.map(async (p) => {
      const s = performance.now();
      try {
        const n = await target.reconnect(p); // (not `synced += await …`: that reads `synced` before waiting)
        synced += n;
        times.push(performance.now() - s);
      } catch {
        failed += 1;
      }
    }),
  );
  const wall = performance.now() - t0;
  times.sort((a, b) => a - b);
  return {
    clients: peers.length,
    wall,
    p50: quantile(times, 0.5),
    p99: quantile(times, 0.99),
    max: times.at(-1) ?? NaN,
    synced,
    expected: syncs ? missed.length : 0,
    failed,
    serverCpuSeconds: cpuSecondsOf(pids) - cpu0,
  };
}
