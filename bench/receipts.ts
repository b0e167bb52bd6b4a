// Read-receipt benchmark (issue #7): real socket.io clients on loopback against the real server process
// (persistence on), measuring the cursor design (conversation_members.read_seq / delivered_seq) and its events:
// `receipt:updated` (the reader's own cursors, to the reader's devices) and `receipts:changed` (to the senders
// concerned, no seq: the client refetches its counts), both coalesced by the server per key per
// RECEIPT_EVENT_INTERVAL_MS. Phases:
//   absorb    `receipt:read` reports at stepped offered rates (open loop) from readers in 1:1 pairs and groups of
//             10: accepted and completed reports/s, cursor advances committed (read back from the database),
//             server and PostgreSQL CPU per report, report→ack, report→`receipts:changed` at the sender (bounded
//             from both sides, see `toSender`), events per report at the senders and at the readers' devices,
//             and checks: own events out of order, the last own event equal to the committed cursor, every
//             sender told after its last report;
//   baseline  on the same server and sockets: `system:ping` (a no-op round trip) and 1:1 `message:send`;
//   big       one 5,000-member group: the sender posts while connected readers ack delivery, once per post run
//             (`each`: one `receipt:delivered` per message per member, as the web client did before 90eacb3 and a
//             client still may; `coalesced`: the web client now, at most one per conversation per 500 ms;
//             `none`: no acks, the cost of the posts alone), at a given post interval: events at the sender per
//             post, CPU per post; then K connected readers report reading the latest seq in one burst: events to
//             the sender, the readers and the other members, latency to the sender; then the sender's read/unread
//             lists and summary over REST;
//   scroll    one reader (two devices) reports each of 500 messages within ~1 s: how many events the sender and
//             the reader's second device receive, and whether the last one carries the final cursor.
// Run: npm run bench:receipts  [-- --seconds 5 --rates 500,1000,2000,4000,8000,16000 --readers 1000
//      --phases absorb,big --post-runs each@500,coalesced@100 --history 5000]
// Needs the built server. Uses DATABASE_URL's server (a throwaway database it creates and drops) or the embedded
// PostgreSQL in a temp folder; PostgreSQL CPU includes backends and parallel workers that ended within a window,
// taken from the postmaster, so give the bench a PostgreSQL no one else uses (see cpuWindow). Setup shortcuts by SQL
// (bench/support/seed.ts): readers' accounts, sessions and devices (keys copied from one device registered through
// the API) and the history they read (messages); conversations and group membership go through the API. Loopback
// only; bounded in time (about 2.5 minutes with the defaults on a quiet 2-core machine).
import { cpus } from 'node:os';
import pg from 'pg';
import type { Socket } from 'socket.io-client';
import {
  type Ack,
  type MessageSendAck,
  RECEIPT_EVENT_INTERVAL_MS,
  type ReceiptCursors,
  type ReceiptListPage,
  type ReceiptsChangedEvent,
  type ReceiptSummary,
  type ReceiptUpdatedEvent,
  type TimelineMessage,
} from '@miyu/protocol';
import { parseFlags } from './support/args.js';
import {
  type Bench,
  type Client,
  connectSocket,
  createConversation,
  loadCrypto,
  messageSealer,
  newClient,
  newDevice,
  setupBench,
} from './support/clients.js';
import {
  cpuSeconds,
  machineBusySeconds,
  parentPid,
  processTable,
  reapedChildrenCpuSeconds,
  rssMiB,
} from './support/proc.js';
import { type Metric, report } from './support/report.js';
import { insertClients, insertDevices, insertMessages, insertSessions, insertUsers } from './support/seed.js';
import { type BenchServer, startServer } from './support/server.js';
import { markdownTable, type Summary, summarize, timed } from './support/stats.js';

const flags = parseFlags();
const PHASES = new Set(flags.string('phases', 'absorb,baseline,big,scroll').split(','));
const SECONDS = flags.number('seconds', 5); // measured per step
const WARMUP = flags.number('warmup', 1); // per step, before measuring
const RATES = flags
  .string('rates', '500,1000,2000,4000,8000,16000')
  .split(',')
  .map(Number)
  .filter((r) => r > 0);
const ALL_STEPS = flags.number('all-steps', 0) !== 0; // else stop stepping once completions fall below half the offer
const PAIRS = flags.number('pairs', 100);
/** Older messages per absorb conversation, before the readers' starting point (what a long history costs a report). */
const HISTORY = flags.number('history', 0);
const GROUPS = flags.number('groups', 20);
const GROUP_SIZE = flags.number('group-size', 10);
const PING_RATE = flags.number('ping-rate', 1000);
const SEND_RATE = flags.number('send-rate', 200);
const BIG = flags.number('big', 5000);
const READERS = flags.number('readers', 1000);
const POSTS = flags.number('posts', 20); // per post run
type AckMode = 'each' | 'coalesced' | 'none';
/** Post runs in the big group: `<acks>@<post interval ms>`, acks one of each | coalesced | none. */
const POST_RUNS = flags
  .string('post-runs', 'each@500,coalesced@500,none@500,each@100,coalesced@100')
  .split(',')
  .filter(Boolean)
  .map((spec) => {
    const [mode, interval] = spec.split('@');
    if (mode !== 'each' && mode !== 'coalesced' && mode !== 'none') throw new Error(`--post-runs: bad mode in ${spec}`);
    return { mode: mode as AckMode, intervalMs: Number(interval ?? 500) };
  });
/** The web client's RECEIPT_REPORT_INTERVAL_MS (apps/web chatEngine): at most one report per conversation per this. */
const CLIENT_REPORT_MS = flags.number('client-report-ms', 500);
const REST_CALLS = flags.number('rest-calls', 100);
const SCROLL = flags.number('scroll', 500);
const SCROLL_MS = flags.number('scroll-ms', 1000);
const QUIET_WAIT = flags.number('quiet-wait', 3); // seconds to wait for a quiet machine before each measurement
const DRAIN_MS = 30_000;
/** After the last ack, long enough for every coalesced event to have gone out. */
const SETTLE_MS = RECEIPT_EVENT_INTERVAL_MS + 500;

type Reporter = Pick<Client, 'userId' | 'socket'>;
/** application_name of the bench's own database connections (kept open, left out of the server's CPU). */
const BENCH_APP = 'miyu-bench';
let postmaster: number | undefined;
type Row = Record<string, string>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fmt = (v: number | undefined, digits = 1) => (v !== undefined && Number.isFinite(v) ? v.toFixed(digits) : '–');
const ms3 = (s: Summary) => `${fmt(s.p50)} / ${fmt(s.p99)} / ${fmt(s.max, 0)} ms`;
const us = (v: number | undefined) => `${fmt(v, 0)} µs`;

/** Emits with an ack (null on timeout). */
function emitAck<T>(socket: Socket, event: string, payload: unknown, done: (res: Ack<T> | null) => void): void {
  socket.timeout(DRAIN_MS).emit(event, payload, (err: unknown, res: Ack<T>) => done(err ? null : res));
}

/** Calls `fire(i)` `rate` times a second for `seconds` (open loop: timer lag is caught up, never skipped). */
function paced(rate: number, seconds: number, fire: (i: number) => void): Promise<number> {
  const total = Math.round(rate * seconds);
  const t0 = performance.now();
  let i = 0;
  return new Promise((resolve) => {
    const timer = setInterval(() => {
      const due = Math.min(total, Math.floor(((performance.now() - t0) * rate) / 1000));
      while (i < due) fire(i++);
      if (i >= total) {
        clearInterval(timer);
        resolve(i);
      }
    }, 2);
  });
}

async function until(cond: () => boolean, timeoutMs = DRAIN_MS): Promise<boolean> {
  const end = performance.now() + timeoutMs;
  while (!cond()) {
    if (performance.now() > end) return false;
    await sleep(20);
  }
  return true;
}

/** Index of the first time ≥ t in ascending `times` (times.length when none). */
function firstFrom(times: readonly number[], t: number): number {
  let lo = 0;
  let hi = times.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (times[mid]! < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * When a report sent at `t0` and acked at `ta` reached its sender, from the arrival times of `receipts:changed`
 * for that (sender, conversation). The event carries no seq, so the delay is bounded from both sides:
 *   early  the first event after the report was sent: it may come from an earlier batch (a lower bound);
 *   late   the first event after the report's ack: the server emits a batch's events before its acks, so this one
 *          left after the report committed and the sender's refetch sees it. When none came after the ack, the
 *          covering event is the last one between sending and the ack (the report's own batch emitted at once and
 *          nothing followed: the coalescer never loses the last value). An upper bound: when the report's batch
 *          emitted at once before the ack and later reports followed, `late` is the next emission, up to one
 *          interval later.
 * Milliseconds from sending; undefined when no event came after the report was sent.
 */
function toSender(times: readonly number[], t0: number, ta: number): { early?: number; late?: number } {
  const i = firstFrom(times, t0);
  if (i === times.length) return {};
  const j = firstFrom(times, ta);
  const late = j < times.length ? times[j]! : times[j - 1]!;
  return { early: times[i]! - t0, late: late - t0 };
}

interface CpuUse {
  seconds: number;
  /** CPU seconds of the server process, of its PostgreSQL backends, of this load generator. */
  server: number;
  pg: number;
  /** Of `pg`: backends and parallel workers that ended within the window. */
  pgEnded: number;
  /** The postmaster and its other processes (WAL writer, checkpointer, …; on a shared PostgreSQL, other databases). */
  pgBackground: number;
  loadGen: number;
  /** Shares of one core over the window. */
  serverPct: number;
  pgPct: number;
  loadGenPct: number;
  otherPct: number;
  /** The processes that used most of the rest. */
  otherTop: string[];
}
/** Starts measuring CPU: the server process, its PostgreSQL backends, this load generator, and everything else. */
async function cpuWindow(server: BenchServer, db: pg.Pool): Promise<() => Promise<CpuUse>> {
  // The server's backends come and go (the pool closes idle ones; a parallel query starts workers for a few
  // milliseconds): each one alive at the end counts from the start of the window or from its birth, and those that
  // ended within it from the postmaster's reaped-children CPU (less what they had used before the window). On a
  // PostgreSQL shared with other work that share also holds other databases' backends that ended meanwhile: give
  // the bench a PostgreSQL of its own (docs/benchmarks.md) or check `pgEnded` in the JSON. The bench's own
  // connections (application_name BENCH_APP) stay open and are left out. The postmaster's other processes
  // (WAL writer, checkpointer, …) are counted apart, as `pgBackground`.
  const backends = async () =>
    (
      await db.query<{ pid: number; bench: boolean }>(
        `SELECT pid, application_name = $2 AS bench FROM pg_stat_activity WHERE datname = $1`,
        [server.dbName, BENCH_APP],
      )
    ).rows;
  postmaster ??= parentPid((await db.query<{ pid: number }>(`SELECT pg_backend_pid() AS pid`)).rows[0]!.pid);
  const pm = postmaster;
  await backends(); // (warm)
  const p0 = processTable();
  const r0 = reapedChildrenCpuSeconds(pm);
  const t0 = performance.now();
  const s0 = cpuSeconds(server.pid);
  const l0 = process.cpuUsage();
  const m0 = machineBusySeconds();
  return async () => {
    const seconds = (performance.now() - t0) / 1000;
    const serverCpu = cpuSeconds(server.pid) - s0;
    const l = process.cpuUsage(l0);
    const m = machineBusySeconds();
    const reaped = reapedChildrenCpuSeconds(pm) - r0;
    const p1 = processTable();
    const rows = await backends();
    const delta = (pid: number) => Math.max(0, (p1.get(pid)?.cpu ?? 0) - (p0.get(pid)?.cpu ?? 0));
    const serverBackends = new Set(rows.filter((r) => !r.bench).map((r) => r.pid));
    const benchBackends = new Set(rows.filter((r) => r.bench).map((r) => r.pid));
    let live = 0;
    for (const pid of serverBackends) live += delta(pid);
    let ended = reaped;
    for (const [pid, x] of p0) if (x.ppid === pm && !p1.has(pid)) ended -= x.cpu;
    ended = Math.max(0, ended);
    let background = delta(pm);
    const others: Array<[string, number]> = [];
    for (const [pid, x] of p1) {
      if (x.ppid === pm) {
        if (!serverBackends.has(pid) && !benchBackends.has(pid)) background += delta(pid);
      } else if (pid !== pm && pid !== server.pid && pid !== process.pid && delta(pid) > 0)
        others.push([x.name, delta(pid)]);
    }
    const pgCpu = live + ended;
    const loadGen = (l.user + l.system) / 1e6;
    const other = Math.max(0, m - m0 - serverCpu - pgCpu - background - loadGen);
    const pct = (v: number) => (v / seconds) * 100;
    return {
      seconds,
      server: serverCpu,
      pg: pgCpu,
      pgEnded: ended,
      pgBackground: background,
      loadGen,
      serverPct: pct(serverCpu),
      pgPct: pct(pgCpu),
      loadGenPct: pct(loadGen),
      otherPct: pct(other),
      otherTop: others
        .sort((a, b) => b[1] - a[1])
        .slice(0, 3)
        .map(([name, cpu]) => `${name} ${fmt(pct(cpu), 0)} %`),
    };
  };
}

/**
 * Waits (at most QUIET_WAIT seconds) until processes other than the server, its database and this bench use less
 * than 20 % of one core over a second (PERFORMANCE.md: no measuring on a busy machine); returns the last share.
 */
async function quiet(server: BenchServer, db: pg.Pool): Promise<number> {
  const end = performance.now() + QUIET_WAIT * 1000;
  for (;;) {
    const w = await cpuWindow(server, db);
    await sleep(1000);
    const use = await w();
    const other = use.otherPct;
    if (other < 20 || performance.now() > end) {
      if (other >= 20)
        console.log(`  (busy machine: other processes use ${fmt(other, 0)} % of a core: ${use.otherTop.join(', ')})`);
      return other;
    }
  }
}

/** Routes every socket's `receipt:updated` and `receipts:changed` to the current phase's handlers. */
class Events {
  readonly sockets: Socket[] = [];
  updated: (to: Reporter, e: ReceiptUpdatedEvent) => void = () => undefined;
  changed: (to: Reporter, e: ReceiptsChangedEvent) => void = () => undefined;

  listen(c: Reporter): void {
    this.sockets.push(c.socket);
    c.socket.on('receipt:updated', (e: ReceiptUpdatedEvent) => this.updated(c, e));
    c.socket.on('receipts:changed', (e: ReceiptsChangedEvent) => this.changed(c, e));
  }

  reset(): void {
    this.updated = () => undefined;
    this.changed = () => undefined;
  }
}

interface Stream {
  conversationId: string;
  reader: Client;
  poster: Client;
  /** The next seq this reader reports. */
  next: number;
}

interface Readers {
  clients: Client[];
  streams: Stream[];
  pairs: Array<{ id: string; sender: Client; reader: Client }>;
}

/** 1:1 pairs (one side sent everything, the other reads) and groups (one poster, the others read), with history. */
async function setUpReaders(b: Bench, db: pg.Pool, events: Events, summary: Record<string, unknown>) {
  const t = performance.now();
  // One client through the API (sign-in, device registration); the others by SQL with its public keys.
  const first = await newClient(b, 'r0');
  const clients = [first, ...(await insertClients(db, b.url, first.deviceId, PAIRS * 2 - 1, 'r'))];
  clients.forEach((c) => events.listen(c));
  const streams: Stream[] = [];
  const pairs: Readers['pairs'] = [];
  for (let i = 0; i < PAIRS; i++) {
    const sender = clients[2 * i]!;
    const reader = clients[2 * i + 1]!;
    const id = await createConversation(b.url, sender, [reader.userId], 'direct');
    pairs.push({ id, sender, reader });
    streams.push({ conversationId: id, reader, poster: sender, next: 0 });
  }
  for (let g = 0; g < GROUPS && clients.length >= GROUP_SIZE; g++) {
    const start = (g * GROUP_SIZE) % (clients.length - GROUP_SIZE + 1);
    const members = clients.slice(start, start + GROUP_SIZE);
    const poster = members[0]!;
    const id = await createConversation(
      b.url,
      poster,
      members.slice(1).map((m) => m.userId),
      'group',
    );
    for (const reader of members.slice(1)) streams.push({ conversationId: id, reader, poster, next: 0 });
  }
  // History: enough messages for every report of every step to advance its reader's cursor by exactly one.
  const perStream =
    PHASES.has('absorb') && streams.length
      ? Math.ceil((RATES.reduce((a, r) => a + r, 0) * (WARMUP + SECONDS)) / streams.length) + RATES.length + 10
      : 0;
  const posters = new Map(streams.map((s) => [s.conversationId, s.poster]));
  const lastBefore = await insertMessages(
    db,
    [...posters].map(([conversationId, p]) => ({ conversationId, senderUserId: p.userId, senderDeviceId: p.deviceId })),
    HISTORY + perStream,
  );
  // Readers start caught up with the conversation's creation entries and the older history.
  for (const s of streams) s.next = lastBefore.get(s.conversationId)! + HISTORY + 1;
  await db.query(
    `UPDATE conversation_members m SET read_seq = x.s, delivered_seq = greatest(m.delivered_seq, x.s)
       FROM unnest($1::uuid[], $2::uuid[], $3::bigint[]) AS x(c, u, s) WHERE m.conversation_id = x.c AND m.user_id = x.u`,
    [streams.map((s) => s.conversationId), streams.map((s) => s.reader.userId), streams.map((s) => s.next - 1)],
  );
  const seconds = (performance.now() - t) / 1000;
  summary.setup = {
    clients: clients.length,
    streams: streams.length,
    messagesInserted: posters.size * (HISTORY + perStream),
    olderMessagesPerConversation: HISTORY,
    seconds,
  };
  console.log(
    `setup: ${clients.length} clients (1 by API, the others by SQL), ${PAIRS} pairs + ${GROUPS} groups × ${GROUP_SIZE} = ${streams.length} ` +
      `reader streams, ${posters.size * (HISTORY + perStream)} messages inserted (${HISTORY} older per conversation), ` +
      `${fmt(seconds)} s`,
  );
  return { clients, streams, pairs };
}

/** Stepped offered rates of `receipt:read`; returns the table rows. */
async function absorb(server: BenchServer, db: pg.Pool, events: Events, r: Readers, summary: Record<string, unknown>) {
  const { streams } = r;
  const key = (a: string, b: string) => `${a}|${b}`;
  const posterOf = new Map(streams.map((s) => [s.conversationId, s.poster.userId]));
  const cursorSum = async () =>
    Number(
      (
        await db.query<{ n: string }>(
          `SELECT coalesce(sum(m.read_seq), 0)::bigint AS n FROM conversation_members m
             JOIN unnest($1::uuid[], $2::uuid[]) AS x(c, u) ON m.conversation_id = x.c AND m.user_id = x.u`,
          [streams.map((s) => s.conversationId), streams.map((s) => s.reader.userId)],
        )
      ).rows[0]!.n,
    );
  const rows: Row[] = [];
  const steps: Array<Record<string, number | boolean | string>> = [];
  for (const rate of RATES) {
    let measuring = false;
    let issued = 0;
    let acked = 0;
    let accepted = 0;
    let errors = 0;
    let lastAckAt = 0;
    const sent: Array<{ s: Stream; t0: number; ta: number; measured: boolean }> = [];
    /** Arrival times of `receipts:changed` per (sender, conversation). */
    const changedAt = new Map<string, number[]>();
    let toSenders = 0;
    let changedElsewhere = 0;
    let toOwn = 0;
    let foreignUpdates = 0; // `receipt:updated` about someone else (the old fan-out to senders): should be 0
    let outOfOrder = 0; // own events with a lower readSeq than one received before
    const lastOwn = new Map<string, number>(); // (conversation, reader) → readSeq of the last own event
    events.changed = (to, e) => {
      if (posterOf.get(e.conversationId) !== to.userId) {
        changedElsewhere++;
        return;
      }
      toSenders++;
      const k = key(to.userId, e.conversationId);
      const list = changedAt.get(k);
      if (list) list.push(performance.now());
      else changedAt.set(k, [performance.now()]);
    };
    events.updated = (to, e) => {
      if (e.userId !== to.userId) {
        foreignUpdates++;
        return;
      }
      toOwn++;
      const k = key(e.conversationId, e.userId);
      if (e.readSeq < (lastOwn.get(k) ?? 0)) outOfOrder++;
      lastOwn.set(k, e.readSeq);
    };
    const report = (inWindow: boolean) => (i: number) => {
      const s = streams[i % streams.length]!;
      const seq = s.next++;
      const entry = { s, t0: performance.now(), ta: NaN, measured: inWindow };
      sent.push(entry);
      issued++;
      emitAck<ReceiptCursors>(s.reader.socket, 'receipt:read', { conversationId: s.conversationId, seq }, (res) => {
        acked++;
        lastAckAt = performance.now();
        if (!res?.ok) errors++;
        else {
          entry.ta = lastAckAt;
          if (measuring) accepted++;
        }
      });
    };
    await quiet(server, db);
    const sum0 = await cursorSum();
    const whole = await cpuWindow(server, db);
    const t0 = performance.now();
    await paced(rate, WARMUP, report(false));
    const window = await cpuWindow(server, db);
    measuring = true;
    await paced(rate, SECONDS, report(true));
    const w = await window();
    measuring = false;
    const drained = await until(() => acked === issued);
    const completedPerS = issued / ((lastAckAt - t0) / 1000);
    await sleep(SETTLE_MS); // the coalesced tail: the last events go out up to one interval after the last commit
    const all = await whole();
    const committed = (await cursorSum()) - sum0;
    events.reset();

    // Latency to the sender, bounded from both sides (see toSender); and whether every sender heard after its
    // last report, and every reader's devices were left with the committed cursor.
    const early: number[] = [];
    const late: number[] = [];
    let unmatched = 0;
    const lastSentAt = new Map<string, number>();
    for (const x of sent) {
      const k = key(x.s.poster.userId, x.s.conversationId);
      lastSentAt.set(k, Math.max(lastSentAt.get(k) ?? 0, x.t0));
      if (!x.measured || Number.isNaN(x.ta)) continue;
      const d = toSender(changedAt.get(k) ?? [], x.t0, x.ta);
      if (d.early === undefined || d.late === undefined) unmatched++;
      else {
        early.push(d.early);
        late.push(d.late);
      }
    }
    let sendersNotTold = 0;
    for (const [k, at] of lastSentAt) if ((changedAt.get(k)?.at(-1) ?? -1) < at) sendersNotTold++;
    let staleOwn = 0;
    for (const s of streams) if (lastOwn.get(key(s.conversationId, s.reader.userId)) !== s.next - 1) staleOwn++;
    const ack = summarize(sent.filter((x) => x.measured && !Number.isNaN(x.ta)).map((x) => x.ta - x.t0));
    const upper = summarize(late);
    const lower = summarize(early);
    const step = {
      offered: rate,
      accepted: accepted / w.seconds,
      completed: completedPerS,
      issued,
      committed,
      drained,
      ackP50: ack.p50,
      ackP99: ack.p99,
      senderLateP50: upper.p50,
      senderLateP99: upper.p99,
      senderLateMax: upper.max,
      senderEarlyP50: lower.p50,
      senderEarlyP99: lower.p99,
      senderEarlyMax: lower.max,
      changedPerReport: toSenders / issued,
      ownPerReport: toOwn / issued,
      changedElsewhere,
      foreignUpdates,
      serverUsPerReport: (all.server * 1e6) / issued,
      pgUsPerReport: (all.pg * 1e6) / issued,
      pgEndedUsPerReport: (all.pgEnded * 1e6) / issued,
      pgBackgroundUsPerReport: (all.pgBackground * 1e6) / issued,
      serverPct: w.serverPct,
      pgPct: w.pgPct,
      loadGenPct: w.loadGenPct,
      otherPct: w.otherPct,
      otherTop: w.otherTop.join(', '),
      errors,
      unmatched,
      outOfOrder,
      staleOwn,
      sendersNotTold,
    };
    steps.push(step);
    const row = {
      offered: `${rate}/s`,
      'accepted in window': `${Math.round(step.accepted)}/s`,
      'completed (to last ack)': `${Math.round(completedPerS)}/s`,
      'cursor advances committed / sent': `${committed} / ${issued}${drained ? '' : ' (not drained)'}`,
      'ack p50/p99': `${fmt(ack.p50)} / ${fmt(ack.p99)} ms`,
      'report→receipts:changed at the sender p50/p99/max (after the ack)': ms3(upper),
      '(after sending, lower bound)': ms3(lower),
      'events/report: at senders / at readers': `${fmt(step.changedPerReport, 3)} / ${fmt(step.ownPerReport, 3)}`,
      'server CPU/report': us(step.serverUsPerReport),
      'PG CPU/report': us(step.pgUsPerReport),
      'CPU % server / PG / load-gen / other': `${fmt(w.serverPct, 0)} / ${fmt(w.pgPct, 0)} / ${fmt(w.loadGenPct, 0)} / ${fmt(w.otherPct, 0)}`,
      errors: `${errors}${unmatched ? `, ${unmatched} never told` : ''}`,
      'checks: own out of order / stale last own / senders not told after last report / misrouted': `${outOfOrder} / ${staleOwn} / ${sendersNotTold} / ${foreignUpdates + changedElsewhere}`,
    };
    rows.push(row);
    console.log(row);
    if (!ALL_STEPS && completedPerS < rate / 2) {
      console.log(`  saturated (completions < half the offered rate): higher steps skipped (--all-steps 1 runs them)`);
      break;
    }
  }
  // Every cursor advance changes read_seq, a column of conversation_members_read_idx: such updates cannot be HOT.
  const tuples = (
    await db.query<{ upd: string; hot: string }>(
      `SELECT n_tup_upd AS upd, n_tup_hot_upd AS hot FROM pg_stat_user_tables WHERE relname = 'conversation_members'`,
    )
  ).rows[0];
  // How the messages table was read so far (all steps, and setup): sequential scans are whole-table reads.
  // Statistics reach pg_stat_user_tables within a second or so of each transaction; approximate.
  const messages = (
    await db.query<{ seq: string; seqRows: string; idx: string; live: string }>(
      `SELECT seq_scan AS seq, seq_tup_read AS "seqRows", idx_scan AS idx, n_live_tup AS live
         FROM pg_stat_user_tables WHERE relname = 'messages'`,
    )
  ).rows[0];
  const messageReads = {
    rows: Number(messages?.live ?? 0),
    seqScans: Number(messages?.seq ?? 0),
    seqRowsRead: Number(messages?.seqRows ?? 0),
    indexScans: Number(messages?.idx ?? 0),
  };
  console.log(
    `messages table: ${messageReads.rows} rows; ${messageReads.seqScans} sequential scans reading ` +
      `${messageReads.seqRowsRead} rows, ${messageReads.indexScans} index scans so far`,
  );
  summary.absorb = {
    steps,
    memberRowUpdates: Number(tuples?.upd ?? 0),
    hotUpdates: Number(tuples?.hot ?? 0),
    messageReads,
  };
  return { rows, steps };
}
/** A no-op socket round trip and a 1:1 message on the same server and sockets. */
async function baselines(b: Bench, server: BenchServer, db: pg.Pool, r: Readers, summary: Record<string, unknown>) {
  const run = async (name: string, rate: number, fire: (i: number, done: (ok: boolean) => void) => void) => {
    let measuring = false;
    let issued = 0;
    let acked = 0;
    let accepted = 0;
    let errors = 0;
    const lat: number[] = [];
    const one = (inWindow: boolean) => (i: number) => {
      const t0 = performance.now();
      issued++;
      fire(i, (ok) => {
        acked++;
        if (!ok) errors++;
        else if (measuring) accepted++;
        if (ok && inWindow) lat.push(performance.now() - t0);
      });
    };
    await quiet(server, db);
    await paced(rate, WARMUP, one(false));
    const cpu = await cpuWindow(server, db);
    measuring = true;
    await paced(rate, SECONDS, one(true));
    const w = await cpu();
    measuring = false;
    await until(() => acked === issued);
    const s = summarize(lat);
    const out = {
      offered: rate,
      accepted: accepted / w.seconds,
      p50: s.p50,
      p99: s.p99,
      serverUsPerOp: (w.server * 1e6) / accepted,
      pgUsPerOp: (w.pg * 1e6) / accepted,
      otherPct: w.otherPct,
      errors,
    };
    console.log(
      `baseline ${name}: offered ${rate}/s, accepted ${Math.round(out.accepted)}/s, ack p50/p99 ${fmt(s.p50)} / ` +
        `${fmt(s.p99)} ms, server CPU ${us(out.serverUsPerOp)}/op, PG CPU ${us(out.pgUsPerOp)}/op, ` +
        `other ${fmt(w.otherPct, 0)} %, errors ${errors}`,
    );
    return out;
  };
  const ping = await run('system:ping', PING_RATE, (i, done) =>
    emitAck(r.clients[i % r.clients.length]!.socket, 'system:ping', { nonce: String(i) }, (res) => done(!!res?.ok)),
  );
  const seal = messageSealer(b.crypto);
  const send = await run('message:send (1:1)', SEND_RATE, (i, done) => {
    const p = r.pairs[i % r.pairs.length]!;
    emitAck<MessageSendAck>(p.sender.socket, 'message:send', seal(p.id, p.sender, 'x'.repeat(200)), (res) =>
      done(!!res?.ok),
    );
  });
  summary.baseline = { ping, send };
  return { ping, send };
}

interface PostRunResult {
  mode: AckMode;
  intervalMs: number;
  posts: number;
  deliveries: number;
  deliveredReports: number;
  deliveredErrors: number;
  drained: boolean;
  seconds: number;
  postAck: Summary;
  deliveredAck: Summary;
  changedAtSender: number;
  changedAtSenderPerPost: number;
  ownAtReaders: number;
  ownAtReadersPerPost: number;
  misrouted: number;
  serverCpuSeconds: number;
  pgCpuSeconds: number;
  pgEndedCpuSeconds: number;
  pgBackgroundCpuSeconds: number;
  serverMsPerPost: number;
  pgMsPerPost: number;
  serverUsPerDeliveredReport: number;
  pgUsPerDeliveredReport: number;
  cursorsBehind: number;
  staleLastOwn: number;
  senderToldAfterLastReport: boolean;
  otherPct: number;
  otherTop: string[];
}

/** A 5,000-member group with K connected readers: delivery acks while posting, a read burst, the REST views. */
async function bigGroup(b: Bench, server: BenchServer, db: pg.Pool, events: Events, summary: Record<string, unknown>) {
  const t = performance.now();
  const sender = await newClient(b, 'big-sender');
  events.listen(sender);
  const crowd = await insertUsers(db, BIG - 1, 'crowd');
  const readerIds = crowd.slice(0, Math.min(READERS, crowd.length));
  const sessions = await insertSessions(db, readerIds);
  const devices = await insertDevices(db, sender.deviceId, readerIds);
  const [createMs, bigId] = await timed(() => createConversation(b.url, sender, crowd, 'group', 'all hands'));
  const readers: Reporter[] = [];
  for (let i = 0; i < readerIds.length; i += 50) {
    const batch = await Promise.all(
      readerIds.slice(i, i + 50).map(async (userId, j) => ({
        userId,
        socket: await connectSocket(b.url, sessions[i + j]!.cookie, devices[i + j]),
      })),
    );
    batch.forEach((c) => events.listen(c));
    readers.push(...batch);
  }
  const rssConnected = rssMiB(server.pid);
  console.log(
    `setup: ${BIG}-member group (POST /api/conversations: ${fmt(createMs, 0)} ms), ${readers.length} readers ` +
      `connected (SQL accounts, sessions, devices), ${fmt((performance.now() - t) / 1000)} s; server RSS ` +
      `${fmt(rssConnected, 0)} MiB`,
  );
  const cursorsBehind = async (kind: 'read_seq' | 'delivered_seq', seq: number) =>
    Number(
      (
        await db.query<{ n: string }>(
          `SELECT count(*) AS n FROM conversation_members
            WHERE conversation_id = $1 AND user_id = ANY($2::uuid[]) AND ${kind} < $3`,
          [bigId, readers.map((r) => r.userId), seq],
        )
      ).rows[0]!.n,
    );
  const seal = messageSealer(b.crypto);
  const seqs: number[] = [];

  // The sender posts; connected readers ack delivery: of each message (`each`), or as the web client now does,
  // the highest received, at most once per CLIENT_REPORT_MS (`coalesced`: the first at once, the rest held).
  const postRun = async (mode: AckMode, intervalMs: number): Promise<PostRunResult> => {
    let deliveries = 0;
    let issued = 0;
    let acked = 0;
    let errors = 0;
    let lastReportAt = 0;
    const deliveredAck: number[] = [];
    const report = (r: Reporter, seq: number) => {
      issued++;
      const t0 = performance.now();
      lastReportAt = t0;
      emitAck<ReceiptCursors>(r.socket, 'receipt:delivered', { conversationId: bigId, seq }, (res) => {
        acked++;
        if (!res?.ok) errors++;
        else deliveredAck.push(performance.now() - t0);
      });
    };
    // The web client's reportReceipt / sendReceiptReports, for one conversation.
    const held = new Map<Reporter, { pending: number | undefined; timer: ReturnType<typeof setTimeout> | undefined }>();
    const flush = (r: Reporter) => {
      const h = held.get(r)!;
      if (h.pending === undefined) return;
      report(r, h.pending);
      h.pending = undefined;
      h.timer = setTimeout(() => {
        h.timer = undefined;
        flush(r);
      }, CLIENT_REPORT_MS);
    };
    const onNew = (r: Reporter) => (m: TimelineMessage) => {
      if (m.conversationId !== bigId) return;
      deliveries++;
      if (mode === 'each') report(r, m.seq);
      else if (mode === 'coalesced') {
        const h = held.get(r) ?? { pending: undefined, timer: undefined };
        held.set(r, h);
        if ((h.pending ?? 0) < m.seq) h.pending = m.seq;
        if (h.timer === undefined) flush(r);
      }
    };
    const handlers = readers.map((r) => [r, onNew(r)] as const);
    handlers.forEach(([r, h]) => r.socket.on('message:new', h));
    let changedAtSender = 0;
    let lastChangedAt = -1;
    let ownAtReaders = 0;
    let misrouted = 0;
    const lastOwn = new Map<string, number>();
    events.changed = (to, e) => {
      if (e.conversationId !== bigId) return;
      if (to.userId !== sender.userId) misrouted++;
      else {
        changedAtSender++;
        lastChangedAt = performance.now();
      }
    };
    events.updated = (to, e) => {
      if (e.conversationId !== bigId) return;
      if (e.userId !== to.userId) misrouted++;
      else if (to.userId !== sender.userId) {
        ownAtReaders++;
        lastOwn.set(e.userId, e.deliveredSeq);
      }
    };
    await quiet(server, db);
    const cpu = await cpuWindow(server, db);
    const postAck: number[] = [];
    let lastSeq = 0;
    for (let i = 0; i < POSTS; i++) {
      const t0 = performance.now();
      const res = await new Promise<Ack<MessageSendAck> | null>((resolve) =>
        emitAck<MessageSendAck>(sender.socket, 'message:send', seal(bigId, sender, `通知 ${i}`), resolve),
      );
      if (!res?.ok) throw new Error(`posting to the big group failed: ${JSON.stringify(res)}`);
      postAck.push(performance.now() - t0);
      lastSeq = res.data.seq;
      seqs.push(lastSeq);
      await sleep(intervalMs);
    }
    const drained = await until(
      () =>
        deliveries >= POSTS * readers.length &&
        [...held.values()].every((h) => h.pending === undefined) &&
        acked === issued,
    );
    await sleep(SETTLE_MS);
    const w = await cpu();
    handlers.forEach(([r, h]) => r.socket.off('message:new', h));
    for (const h of held.values()) clearTimeout(h.timer);
    events.reset();
    const acks = mode !== 'none';
    const out: PostRunResult = {
      mode,
      intervalMs,
      posts: POSTS,
      deliveries,
      deliveredReports: issued,
      deliveredErrors: errors,
      drained,
      seconds: w.seconds,
      postAck: summarize(postAck),
      deliveredAck: summarize(deliveredAck),
      changedAtSender,
      changedAtSenderPerPost: changedAtSender / POSTS,
      ownAtReaders,
      ownAtReadersPerPost: ownAtReaders / POSTS,
      misrouted,
      serverCpuSeconds: w.server,
      pgCpuSeconds: w.pg,
      pgEndedCpuSeconds: w.pgEnded,
      pgBackgroundCpuSeconds: w.pgBackground,
      serverMsPerPost: (w.server * 1000) / POSTS,
      pgMsPerPost: (w.pg * 1000) / POSTS,
      serverUsPerDeliveredReport: issued ? (w.server * 1e6) / issued : NaN,
      pgUsPerDeliveredReport: issued ? (w.pg * 1e6) / issued : NaN,
      cursorsBehind: acks ? await cursorsBehind('delivered_seq', lastSeq) : NaN,
      staleLastOwn: acks ? readers.filter((r) => lastOwn.get(r.userId) !== lastSeq).length : NaN,
      senderToldAfterLastReport: acks ? lastChangedAt >= lastReportAt : true,
      otherPct: w.otherPct,
      otherTop: w.otherTop,
    };
    console.log(
      `big group, posting (${mode} delivered acks, a post every ${intervalMs} ms): ${POSTS} posts (ack p50/p99/max ` +
        `${ms3(out.postAck)}), ${deliveries} deliveries, ${issued} delivered reports (ack p50/p99 ` +
        `${fmt(out.deliveredAck.p50)} / ${fmt(out.deliveredAck.p99)} ms) → ${changedAtSender} receipts:changed at the ` +
        `sender (${fmt(out.changedAtSenderPerPost, 2)}/post), ${ownAtReaders} receipt:updated at readers ` +
        `(${fmt(out.ownAtReadersPerPost, 1)}/post), ${misrouted} misrouted; server CPU ${fmt(w.server, 2)} s, PG ` +
        `${fmt(w.pg, 2)} s in ${fmt(w.seconds)} s (${fmt(out.serverMsPerPost, 0)} + ${fmt(out.pgMsPerPost, 0)} ms/post); ` +
        `checks: ${out.cursorsBehind} cursors behind, ${out.staleLastOwn} stale last own events, sender told after ` +
        `the last report: ${out.senderToldAfterLastReport}; other ${fmt(w.otherPct, 0)} %${drained ? '' : ' (not drained)'}`,
    );
    return out;
  };
  const posts: PostRunResult[] = [];
  for (const { mode, intervalMs } of POST_RUNS) posts.push(await postRun(mode, intervalMs));
  if (seqs.length === 0) {
    // No post runs: one message to read.
    const res = await new Promise<Ack<MessageSendAck> | null>((resolve) =>
      emitAck<MessageSendAck>(sender.socket, 'message:send', seal(bigId, sender, '通知'), resolve),
    );
    if (!res?.ok) throw new Error(`posting to the big group failed: ${JSON.stringify(res)}`);
    seqs.push(res.data.seq);
  }
  const lastSeq = seqs.at(-1)!;

  // Every connected reader reports reading the latest seq, all at once.
  const changedAt: number[] = [];
  let toReader = 0;
  let toOthers = 0;
  const lastOwn = new Map<string, number>();
  events.changed = (to, e) => {
    if (e.conversationId !== bigId) return;
    if (to.userId === sender.userId) changedAt.push(performance.now());
    else toOthers++;
  };
  events.updated = (to, e) => {
    if (e.conversationId !== bigId) return;
    if (to.userId === e.userId && to.userId !== sender.userId) {
      toReader++;
      lastOwn.set(e.userId, e.readSeq);
    } else toOthers++;
  };
  const sent = new Map<string, { t0: number; ta: number }>();
  let acked = 0;
  let errors = 0;
  let allAckedAt = NaN;
  await quiet(server, db);
  const burstCpu = await cpuWindow(server, db);
  const burstT0 = performance.now();
  for (const r of readers) {
    const entry = { t0: performance.now(), ta: NaN };
    sent.set(r.userId, entry);
    emitAck<ReceiptCursors>(r.socket, 'receipt:read', { conversationId: bigId, seq: lastSeq }, (res) => {
      acked++;
      if (!res?.ok || res.data.readSeq !== lastSeq) errors++;
      else entry.ta = performance.now();
      if (acked === readers.length) allAckedAt = performance.now();
    });
  }
  const burstDrained = await until(() => acked === readers.length);
  await sleep(SETTLE_MS);
  const bw = await burstCpu();
  events.reset();
  const early: number[] = [];
  const late: number[] = [];
  let unmatched = 0;
  for (const { t0, ta } of sent.values()) {
    const d = Number.isNaN(ta) ? {} : toSender(changedAt, t0, ta);
    if (d.early === undefined || d.late === undefined) unmatched++;
    else {
      early.push(d.early);
      late.push(d.late);
    }
  }
  // The sender's refresh that sees every read: the first event after the last ack (or the last one, if none).
  const lastAck = Math.max(...[...sent.values()].map((x) => x.ta).filter((x) => !Number.isNaN(x)));
  const allTold = toSender(changedAt, burstT0, lastAck).late;
  const readsBehind = await cursorsBehind('read_seq', lastSeq);
  const staleOwn = readers.filter((r) => lastOwn.get(r.userId) !== lastSeq).length;
  const upper = summarize(late);
  const lower = summarize(early);
  const burst = {
    reads: readers.length,
    changedAtSender: changedAt.length,
    ownAtReaders: toReader,
    toOtherMembers: toOthers,
    eventsPerRead: (changedAt.length + toReader + toOthers) / readers.length,
    latency: upper,
    latencyLowerBound: lower,
    allToldMs: allTold,
    changedTimesMs: changedAt.map((x) => x - burstT0),
    allAckedMs: allAckedAt - burstT0,
    drained: burstDrained,
    errors,
    unmatched,
    readsBehind,
    staleOwn,
    serverUsPerRead: (bw.server * 1e6) / readers.length,
    pgUsPerRead: (bw.pg * 1e6) / readers.length,
    pgEndedUsPerRead: (bw.pgEnded * 1e6) / readers.length,
    pgBackgroundUsPerRead: (bw.pgBackground * 1e6) / readers.length,
    otherPct: bw.otherPct,
    otherTop: bw.otherTop,
  };
  console.log(
    `big group, read burst: ${readers.length} reads → ${changedAt.length} receipts:changed at the sender (at ` +
      `${burst.changedTimesMs.map((x) => fmt(x, 0)).join(', ')} ms), ${toReader} receipt:updated at the readers' ` +
      `devices, ${toOthers} events to other members; read→sender ${ms3(upper)} (after sending: ${ms3(lower)}); ` +
      `sender told of all reads at ${fmt(allTold, 0)} ms; all acked in ${fmt(burst.allAckedMs, 0)} ms; ` +
      `server CPU ${us(burst.serverUsPerRead)}/read, PG ${us(burst.pgUsPerRead)}/read; other ${fmt(bw.otherPct, 0)} %; ` +
      `errors ${errors}, unmatched ${unmatched}, cursors behind ${readsBehind}, stale last own events ${staleOwn}` +
      `${burstDrained ? '' : ' (not drained)'}`,
  );

  // The sender's REST views.
  const rest = async (p: string) => {
    const lat: number[] = [];
    let body: unknown = null;
    for (let i = 0; i < REST_CALLS; i++) {
      const t0 = performance.now();
      const res = await fetch(b.url + p, { headers: { cookie: sender.cookie } });
      body = await res.json();
      lat.push(performance.now() - t0);
      if (!res.ok) throw new Error(`GET ${p}: ${res.status} ${JSON.stringify(body)}`);
    }
    return { ...summarize(lat), body };
  };
  await quiet(server, db);
  const base = `/api/conversations/${bigId}`;
  const ringSeqs = seqs.slice(-20);
  const unread = await rest(`${base}/messages/${lastSeq}/receipts?state=unread&limit=50`);
  const unreadTotal = (unread.body as ReceiptListPage).total;
  const readList = await rest(`${base}/messages/${lastSeq}/receipts?state=read&limit=50`);
  const deepOffset = Math.max(0, unreadTotal - 100);
  const deep = await rest(`${base}/messages/${lastSeq}/receipts?state=unread&limit=50&offset=${deepOffset}`);
  const ring = await rest(`${base}/receipts?seqs=${ringSeqs.join(',')}`);
  const ringOne = await rest(`${base}/receipts?seqs=${lastSeq}`);
  const last = (ring.body as ReceiptSummary).items.find((x) => x.seq === lastSeq);
  const restRows: Array<[string, Summary]> = [
    [`unread list, limit 50 (total ${unreadTotal})`, unread],
    [`read list, limit 50 (total ${(readList.body as ReceiptListPage).total})`, readList],
    [`unread list, limit 50, offset ${deepOffset}`, deep],
    [`summary, ${ringSeqs.length} seqs (last: read ${last?.read}, delivered ${last?.delivered})`, ring],
    ['summary, 1 seq', ringOne],
  ];
  for (const [name, s] of restRows) console.log(`REST ${name}: p50 ${fmt(s.p50)} ms, p99 ${fmt(s.p99)} ms`);
  summary.bigGroup = {
    members: BIG,
    readers: readers.length,
    createMs,
    posts,
    burst,
    rest: Object.fromEntries(restRows.map(([name, s]) => [name, { p50: s.p50, p99: s.p99, max: s.max }])),
    serverRssMiB: { connected: rssConnected, end: rssMiB(server.pid) },
  };
  readers.forEach((r) => r.socket.disconnect());
  return { posts, burst, restRows };
}
/** One reader with two devices reports each of SCROLL messages within SCROLL_MS. */
async function scroll(b: Bench, server: BenchServer, db: pg.Pool, events: Events, summary: Record<string, unknown>) {
  const reader = await newClient(b, 'scroll-reader');
  const second = { userId: reader.userId, ...(await newDevice(b, 'scroll-reader', reader.userId)) };
  const author = await newClient(b, 'scroll-sender');
  [reader, second, author].forEach((c) => events.listen(c));
  const id = await createConversation(b.url, author, [reader.userId], 'direct');
  const base = (
    await insertMessages(
      db,
      [{ conversationId: id, senderUserId: author.userId, senderDeviceId: author.deviceId }],
      SCROLL,
    )
  ).get(id)!;
  await db.query(
    `UPDATE conversation_members SET read_seq = $3, delivered_seq = $3 WHERE conversation_id = $1 AND user_id = $2`,
    [id, reader.userId, base],
  );
  const final = base + SCROLL;
  const seen = { author: 0, second: 0, first: 0 };
  let authorLastAt = -1;
  let secondFinalAt = NaN; // when the second device was told the final cursor
  let lastAtSecond = 0;
  let lastAtFirst = 0;
  let outOfOrder = 0; // own events with a lower readSeq than the previous one on the same device
  let misrouted = 0;
  events.changed = (to, e) => {
    if (e.conversationId !== id) return;
    if (to !== author) misrouted++;
    else {
      seen.author++;
      authorLastAt = performance.now();
    }
  };
  events.updated = (to, e) => {
    if (e.conversationId !== id) return;
    if (e.userId !== reader.userId || to === author) misrouted++;
    else if (to === second) {
      seen.second++;
      if (e.readSeq < lastAtSecond) outOfOrder++;
      lastAtSecond = e.readSeq;
      if (e.readSeq === final && Number.isNaN(secondFinalAt)) secondFinalAt = performance.now();
    } else {
      seen.first++;
      if (e.readSeq < lastAtFirst) outOfOrder++;
      lastAtFirst = e.readSeq;
    }
  };
  let acked = 0;
  let changed = 0;
  let errors = 0;
  let lastSentAt = 0;
  let lastAckAt = 0;
  await quiet(server, db);
  const cpu = await cpuWindow(server, db);
  let previous = base;
  await paced((SCROLL * 1000) / SCROLL_MS, SCROLL_MS / 1000, (i) => {
    lastSentAt = performance.now();
    emitAck<ReceiptCursors>(reader.socket, 'receipt:read', { conversationId: id, seq: base + i + 1 }, (res) => {
      acked++;
      lastAckAt = performance.now();
      if (!res?.ok) errors++;
      else if (res.data.readSeq > previous) {
        changed++;
        previous = res.data.readSeq;
      }
    });
  });
  await until(() => acked === SCROLL && lastAtSecond >= final, 10_000);
  await sleep(SETTLE_MS);
  const w = await cpu();
  events.reset();
  const committed = Number(
    (
      await db.query<{ s: string }>(
        `SELECT read_seq AS s FROM conversation_members WHERE conversation_id = $1 AND user_id = $2`,
        [id, reader.userId],
      )
    ).rows[0]!.s,
  );
  const out = {
    reports: SCROLL,
    overMs: SCROLL_MS,
    changedAtSender: seen.author,
    updatesAtSecondDevice: seen.second,
    updatesAtReportingDevice: seen.first,
    /** Reports whose ack showed the cursor further than any earlier ack: how many batches moved it. */
    cursorMoves: changed,
    committedReadSeq: committed - base,
    finalAtSecondDevice: lastAtSecond - base,
    finalAtReportingDevice: lastAtFirst - base,
    outOfOrder,
    misrouted,
    /** From the last report sent to the second device's event with the final cursor / to the sender's last event. */
    lastReportToSecondDeviceMs: secondFinalAt - lastSentAt,
    lastReportToSenderMs: authorLastAt - lastSentAt,
    lastAckMs: lastAckAt - lastSentAt,
    senderToldAfterLastReport: authorLastAt >= lastSentAt,
    errors,
    serverCpuMs: w.server * 1000,
    pgCpuMs: w.pg * 1000,
    pgEndedCpuMs: w.pgEnded * 1000,
    pgBackgroundCpuMs: w.pgBackground * 1000,
    otherPct: w.otherPct,
    otherTop: w.otherTop,
  };
  console.log(
    `scroll: ${SCROLL} reports in ${SCROLL_MS} ms → ${seen.author} receipts:changed at the sender, ${seen.second} ` +
      `receipt:updated at the reader's second device, ${seen.first} at the reporting device (${changed} acks moved ` +
      `the cursor); committed ${out.committedReadSeq}, last event at the second device ${out.finalAtSecondDevice}, ` +
      `at the reporting device ${out.finalAtReportingDevice}; last report → final cursor at the second device ` +
      `${fmt(out.lastReportToSecondDeviceMs, 0)} ms, → the sender's last event ${fmt(out.lastReportToSenderMs, 0)} ms ` +
      `(last ack ${fmt(out.lastAckMs, 0)} ms); ${outOfOrder} out of order, ${misrouted} misrouted, errors ${errors}; ` +
      `server CPU ${fmt(out.serverCpuMs, 0)} ms, PG ${fmt(out.pgCpuMs, 0)} ms`,
  );
  summary.scroll = out;
  return out;
}

async function main(): Promise<void> {
  const crypto = await loadCrypto();
  const server = await startServer({ dbPrefix: 'miyu_bench_receipts' });
  // Connections kept open (idleTimeoutMillis 0): one ending within a window would count as the server's.
  const db = new pg.Pool({ connectionString: server.dbUrl, max: 4, idleTimeoutMillis: 0, application_name: BENCH_APP });
  const events = new Events();
  try {
    await run(await setupBench(crypto, server.url, server.setupToken), server, db, events);
  } finally {
    events.sockets.forEach((s) => s.disconnect());
    await db.end();
    await server.stop();
  }
}

async function run(b: Bench, server: BenchServer, db: pg.Pool, events: Events): Promise<void> {
  const started = performance.now();
  const summary: Record<string, unknown> = {
    date: new Date().toISOString(),
    cores: cpus().length,
    cpu: cpus()[0]?.model ?? '?',
    node: process.version,
    postgres: (await db.query<{ v: string }>(`SELECT current_setting('server_version') AS v`)).rows[0]?.v,
    eventIntervalMs: RECEIPT_EVENT_INTERVAL_MS,
  };
  const readers = PHASES.has('absorb') || PHASES.has('baseline') ? await setUpReaders(b, db, events, summary) : null;
  if (readers) {
    // The server's own background CPU with every client connected and idle: part of every per-operation figure
    // below, which are gross (all server CPU in the window ÷ operations).
    await quiet(server, db);
    const idle = await cpuWindow(server, db);
    await sleep(2000);
    const iw = await idle();
    summary.idle = { serverPct: iw.serverPct, pgPct: iw.pgPct, otherPct: iw.otherPct };
    console.log(`idle: server ${fmt(iw.serverPct)} % of a core, PG ${fmt(iw.pgPct)} %, other ${fmt(iw.otherPct, 0)} %`);
  }
  const absorbed = readers && PHASES.has('absorb') ? await absorb(server, db, events, readers, summary) : null;
  const base = readers && PHASES.has('baseline') ? await baselines(b, server, db, readers, summary) : null;
  const big = PHASES.has('big') ? await bigGroup(b, server, db, events, summary) : null;
  const scrolled = PHASES.has('scroll') ? await scroll(b, server, db, events, summary) : null;
  summary.totalSeconds = (performance.now() - started) / 1000;

  console.log(
    `\nRead-receipt benchmark — ${String(summary.date).slice(0, 10)}, ${cpus().length} cores (${summary.cpu}), ` +
      `node ${process.version}, PostgreSQL ${summary.postgres}, one server process, persistence on; ` +
      `${SECONDS} s measured per step after ${WARMUP} s warm-up; events coalesced per ${RECEIPT_EVENT_INTERVAL_MS} ms; ` +
      `${fmt(summary.totalSeconds as number, 0)} s in all\n`,
  );
  if (absorbed) console.log(`${markdownTable(absorbed.rows)}\n`);
  const costRows: Row[] = [];
  for (const s of absorbed?.steps ?? []) {
    costRows.push({
      operation: `receipt:read at ${s.offered}/s (whole step)`,
      'server CPU/op': us(s.serverUsPerReport as number),
      'PG CPU/op': us(s.pgUsPerReport as number),
      'ack p50/p99': `${fmt(s.ackP50 as number)} / ${fmt(s.ackP99 as number)} ms`,
    });
  }
  if (base) {
    for (const [name, x] of [
      [`system:ping at ${PING_RATE}/s`, base.ping],
      [`message:send 1:1 at ${SEND_RATE}/s`, base.send],
    ] as const) {
      costRows.push({
        operation: name,
        'server CPU/op': us(x.serverUsPerOp),
        'PG CPU/op': us(x.pgUsPerOp),
        'ack p50/p99': `${fmt(x.p50)} / ${fmt(x.p99)} ms`,
      });
    }
  }
  if (costRows.length) console.log(`${markdownTable(costRows)}\n`);
  if (big) {
    console.log(
      markdownTable(
        big.posts.map((p) => ({
          [`${BIG}-member group, ${big.burst.reads} connected readers: ${POSTS} posts`]: `${p.mode} delivered acks, every ${p.intervalMs} ms`,
          'delivered reports/post': fmt(p.deliveredReports / p.posts, 0),
          'receipts:changed at the sender/post': fmt(p.changedAtSenderPerPost, 2),
          'receipt:updated at readers/post': fmt(p.ownAtReadersPerPost, 1),
          'server + PG CPU/post': `${fmt(p.serverMsPerPost, 1)} + ${fmt(p.pgMsPerPost, 1)} ms`,
          'per delivered report': `${us(p.serverUsPerDeliveredReport)} + ${us(p.pgUsPerDeliveredReport)}`,
          'post ack p50/p99': `${fmt(p.postAck.p50)} / ${fmt(p.postAck.p99)} ms`,
          checks: `${p.misrouted} misrouted, ${fmt(p.cursorsBehind, 0)} behind, ${fmt(p.staleLastOwn, 0)} stale, told: ${p.senderToldAfterLastReport}`,
        })),
      ),
    );
    console.log(
      `\n${markdownTable([
        {
          'read burst': `${big.burst.reads} reads`,
          'events: at the sender / readers / other members': `${big.burst.changedAtSender} / ${big.burst.ownAtReaders} / ${big.burst.toOtherMembers}`,
          'read→sender p50/p99/max (after the ack)': ms3(big.burst.latency),
          '(after sending)': ms3(big.burst.latencyLowerBound),
          'all reads told': `${fmt(big.burst.allToldMs, 0)} ms (all acked ${fmt(big.burst.allAckedMs, 0)} ms)`,
          'server / PG CPU per read': `${us(big.burst.serverUsPerRead)} / ${us(big.burst.pgUsPerRead)}`,
        },
      ])}`,
    );
    console.log(
      `\n${markdownTable(big.restRows.map(([name, s]) => ({ 'sender REST call': name, p50: `${fmt(s.p50)} ms`, p99: `${fmt(s.p99)} ms` })))}\n`,
    );
  }
  if (scrolled)
    console.log(
      `scroll: ${scrolled.reports} reports in ${scrolled.overMs} ms → ${scrolled.changedAtSender} receipts:changed ` +
        `at the sender, ${scrolled.updatesAtSecondDevice} receipt:updated at the reader's second device ` +
        `(final cursor there ${fmt(scrolled.lastReportToSecondDeviceMs, 0)} ms after the last report)\n`,
    );
  console.log(`JSON ${JSON.stringify(summary)}`);
  report({ bench: 'receipts', settings: settings(), metrics: headlineMetrics(absorbed, base, big, scrolled) });
}

/** The flags this run used (the defaults included), for `npm run bench`. */
function settings(): Record<string, string | number | boolean> {
  return {
    phases: [...PHASES].join(','),
    seconds: SECONDS,
    warmup: WARMUP,
    rates: RATES.join(','),
    pairs: PAIRS,
    history: HISTORY,
    groups: GROUPS,
    groupSize: GROUP_SIZE,
    pingRate: PING_RATE,
    sendRate: SEND_RATE,
    bigGroup: BIG,
    readers: READERS,
    posts: POSTS,
    postRuns: POST_RUNS.map((r) => `${r.mode}@${r.intervalMs}`).join(','),
    restCalls: REST_CALLS,
    scroll: SCROLL,
    scrollMs: SCROLL_MS,
  };
}

/**
 * The headline figures of the phases that ran: per absorb step its completions, ack p99 and CPU per report; the
 * baselines' CPU per operation; the big group's CPU per post and read burst; the scroll's events at the sender.
 */
function headlineMetrics(
  absorbed: Awaited<ReturnType<typeof absorb>> | null,
  base: Awaited<ReturnType<typeof baselines>> | null,
  big: Awaited<ReturnType<typeof bigGroup>> | null,
  scrolled: Awaited<ReturnType<typeof scroll>> | null,
): Metric[] {
  const out: Metric[] = [];
  const add = (name: string, value: number, unit: string, better: Metric['better'] = 'lower') =>
    out.push({ name, value, unit, better });
  for (const step of absorbed?.steps ?? []) {
    const s = step as Record<string, number>;
    const at = `receipt:read at ${s.offered}/s`;
    add(`${at}: completed`, s.completed!, 'reports/s', 'higher');
    add(`${at}: ack p99`, s.ackP99!, 'ms');
    add(`${at}: server + PG CPU`, s.serverUsPerReport! + s.pgUsPerReport!, 'µs/report');
  }
  if (base) {
    add('system:ping: server CPU', base.ping.serverUsPerOp, 'µs/op');
    add('message:send 1:1: server + PG CPU', base.send.serverUsPerOp + base.send.pgUsPerOp, 'µs/op');
  }
  if (big) {
    for (const p of big.posts)
      add(
        `big group, ${p.mode} acks @${p.intervalMs} ms: server + PG CPU`,
        p.serverMsPerPost + p.pgMsPerPost,
        'ms/post',
      );
    add('big group read burst: events at the sender', big.burst.changedAtSender, 'events');
    add('big group read burst: sender told of all reads', big.burst.allToldMs ?? NaN, 'ms');
    add('big group read burst: server + PG CPU', big.burst.serverUsPerRead + big.burst.pgUsPerRead, 'µs/read');
    const unread = big.restRows[0];
    if (unread) add('big group REST unread list (limit 50) p50', unread[1].p50, 'ms');
  }
  if (scrolled) add('scroll: events at the sender', scrolled.changedAtSender, 'events');
  return out;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
