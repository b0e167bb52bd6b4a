// Messaging benchmark (issue #5): real socket.io clients on loopback against the real server process with
// persistence on. Workloads: 1:1 pairs, groups of 10, one large group. Reports accepted and delivered messages/s,
// send→ack and send→delivery latency (p50/p99/max), server CPU per delivery and RSS.
// Run: npm run bench:messaging  [-- --seconds 10 --warmup 2 --rate 4 --pairs 100 --groups 20 --big 200]
// Needs the built server (npm run build). Uses DATABASE_URL's server (a throwaway database it creates and drops),
// or the embedded PostgreSQL in a temp folder when DATABASE_URL is unset. Loopback only; bounded in time.
import { cpus } from 'node:os';
import { parseFlags } from './support/args.js';
import {
  type Bench,
  type Client,
  createConversation,
  loadCrypto,
  messageSealer,
  newClients,
  setupBench,
} from './support/clients.js';
import { cpuSeconds, rssMiB } from './support/proc.js';
import { type Metric, report } from './support/report.js';
import { startServer } from './support/server.js';
import { markdownTable, quantile } from './support/stats.js';

const flags = parseFlags();
const SECONDS = flags.number('seconds', 10);
const WARMUP = flags.number('warmup', 2);
const RATE = flags.number('rate', 4); // messages per second per sending client
const PAIRS = flags.number('pairs', 100);
const GROUPS = flags.number('groups', 20);
const BIG = flags.number('big', 200);
// The groups of 10 are cut from the pairs' clients, the large group needs senders: below these the workloads break.
if (SECONDS <= 0 || WARMUP < 0 || RATE <= 0 || PAIRS < 6 || GROUPS < 1 || BIG < 5) {
  throw new Error('expected --seconds > 0, --warmup ≥ 0, --rate > 0, --pairs ≥ 6, --groups ≥ 1, --big ≥ 5');
}

async function main(): Promise<void> {
  const crypto = await loadCrypto();
  const server = await startServer();
  try {
    await run(await setupBench(crypto, server.url, server.setupToken), server.pid);
  } finally {
    await server.stop();
  }
}

async function run(b: Bench, serverPid: number): Promise<void> {
  const conversation = (owner: Client, members: Client[], kind: 'direct' | 'group') =>
    createConversation(
      b.url,
      owner,
      members.map((m) => m.userId),
      kind,
    );

  let nextUser = 0;
  const clients = (n: number) =>
    newClients(
      b,
      Array.from({ length: n }, () => `u${nextUser++}`),
    );

  const results: Array<Record<string, string>> = [];
  const metrics: Metric[] = [];
  let peakRss = 0;
  /** `key`: the workload's short, stable name in the metrics (its sizes are in the settings). */
  const workload = async (
    name: string,
    key: string,
    rooms: Array<{ id: string; senders: Client[]; members: Client[] }>,
  ) => {
    const all = [...new Set(rooms.flatMap((r) => r.members))];
    const sentAt = new Map<string, number>();
    const ackLatency: number[] = [];
    const deliveryLatency: number[] = [];
    let accepted = 0;
    let delivered = 0;
    let errors = 0;
    let measuring = false;
    const onMessage = (m: { clientMsgId: string | null }) => {
      if (!m.clientMsgId) return;
      const t0 = sentAt.get(m.clientMsgId);
      if (t0 === undefined) return;
      delivered += measuring ? 1 : 0;
      if (measuring) deliveryLatency.push(performance.now() - t0);
    };
    all.forEach((c) => c.socket.on('message:new', onMessage));
    const seal = messageSealer(b.crypto);
    const send = (room: { id: string }, c: Client) => {
      const payload = seal(room.id, c, 'x'.repeat(200));
      const t0 = performance.now();
      sentAt.set(payload.clientMsgId, t0);
      c.socket.timeout(10_000).emit('message:send', payload, (err: unknown, res: { ok: boolean }) => {
        if (err || !res.ok) errors += 1;
        else if (measuring) {
          accepted += 1;
          ackLatency.push(performance.now() - t0);
        }
      });
    };
    const senders = rooms.flatMap((r) => r.senders.map((c) => ({ room: r, c })));
    const interval = 1000 / RATE;
    const intervals: NodeJS.Timeout[] = [];
    // Senders are spread evenly over one interval so the offered load is smooth (open loop).
    const timers = senders.map((s, i) =>
      setTimeout(() => intervals.push(setInterval(() => send(s.room, s.c), interval)), (i * interval) / senders.length),
    );
    await new Promise((r) => setTimeout(r, WARMUP * 1000));
    measuring = true;
    const cpu0 = cpuSeconds(serverPid);
    const loadCpu0 = process.cpuUsage();
    const t0 = performance.now();
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const elapsed = (performance.now() - t0) / 1000;
    const cpu = cpuSeconds(serverPid) - cpu0;
    const loadCpu = process.cpuUsage(loadCpu0);
    const loadGenPercent = ((loadCpu.user + loadCpu.system) / 1e6 / elapsed) * 100;
    measuring = false;
    timers.forEach(clearTimeout);
    intervals.forEach(clearInterval);
    await new Promise((r) => setTimeout(r, 1000));
    all.forEach((c) => c.socket.off('message:new', onMessage));
    ackLatency.sort((a, b) => a - b);
    deliveryLatency.sort((a, b) => a - b);
    const rss = rssMiB(serverPid);
    peakRss = Math.max(peakRss, rss);
    metrics.push(
      { name: `${key}: delivered`, value: delivered / elapsed, unit: 'msg/s', better: 'higher' },
      { name: `${key}: delivery p50`, value: quantile(deliveryLatency, 0.5), unit: 'ms', better: 'lower' },
      { name: `${key}: delivery p99`, value: quantile(deliveryLatency, 0.99), unit: 'ms', better: 'lower' },
      { name: `${key}: server CPU per delivery`, value: (cpu * 1e6) / delivered, unit: 'µs', better: 'lower' },
    );
    const row = {
      workload: name,
      offered: `${Math.round(senders.length * RATE)}/s`,
      accepted: `${Math.round(accepted / elapsed)}/s`,
      delivered: `${Math.round(delivered / elapsed)}/s`,
      'ack p50/p99': `${quantile(ackLatency, 0.5).toFixed(1)} / ${quantile(ackLatency, 0.99).toFixed(1)} ms`,
      'delivery p50/p99/max': `${quantile(deliveryLatency, 0.5).toFixed(1)} / ${quantile(deliveryLatency, 0.99).toFixed(1)} / ${(deliveryLatency[deliveryLatency.length - 1] ?? NaN).toFixed(0)} ms`,
      'server CPU/delivery': `${delivered ? ((cpu * 1e6) / delivered).toFixed(0) : '–'} µs`,
      'server RSS': `${rss.toFixed(0)} MiB`,
      // Above ~90 % the load generator, not the server, limits the figures (2-core machine: it shares them).
      'load-gen CPU': `${loadGenPercent.toFixed(0)} %`,
      errors: String(errors),
    };
    results.push(row);
    console.log(row);
  };

  // (a) 1:1 pairs: both sides send.
  const pairClients = await clients(PAIRS * 2);
  const pairRooms = [];
  for (let i = 0; i < PAIRS; i++) {
    const a = pairClients[2 * i]!;
    const b = pairClients[2 * i + 1]!;
    pairRooms.push({ id: await conversation(a, [b], 'direct'), senders: [a, b], members: [a, b] });
  }
  await workload(`1:1, ${PAIRS} pairs`, '1:1', pairRooms);

  // (b) groups of 10, two senders each.
  const groupRooms = [];
  for (let g = 0; g < GROUPS; g++) {
    const members = pairClients.slice(
      (g * 10) % (pairClients.length - 10),
      ((g * 10) % (pairClients.length - 10)) + 10,
    );
    groupRooms.push({
      id: await conversation(members[0]!, members.slice(1), 'group'),
      senders: members.slice(0, 2),
      members,
    });
  }
  await workload(`${GROUPS} groups × 10`, 'groups of 10', groupRooms);

  // (c) one large group, five senders.
  const bigMembers = [...pairClients, ...(await clients(Math.max(0, BIG - pairClients.length)))].slice(0, BIG);
  const bigId = await conversation(bigMembers[0]!, bigMembers.slice(1), 'group');
  await workload(`1 group × ${BIG}`, 'large group', [
    { id: bigId, senders: bigMembers.slice(0, 5), members: bigMembers },
  ]);

  console.log(
    `\nMessaging benchmark — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ` +
      `${SECONDS} s measured after ${WARMUP} s warm-up, ${RATE} msg/s per sender, persistence on (PostgreSQL), one server process\n`,
  );
  console.log(markdownTable(results));
  metrics.push({ name: 'server RSS, highest after a workload', value: peakRss, unit: 'MiB', better: 'lower' });
  report({
    bench: 'messaging',
    settings: { seconds: SECONDS, warmup: WARMUP, ratePerSender: RATE, pairs: PAIRS, groups: GROUPS, bigGroup: BIG },
    metrics,
  });
  [...new Set([...pairClients, ...bigMembers])].forEach((c) => c.socket.disconnect());
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
