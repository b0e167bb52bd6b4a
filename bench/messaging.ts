// Messaging benchmark (issue #5): real socket.io clients on loopback against the real server process with
// persistence on. Workloads: 1:1 pairs, groups of 10, one large group. Reports accepted and delivered messages/s,
// send→ack and send→delivery latency (p50/p99/max), server CPU per delivery and RSS.
// Run: npm run bench:messaging  [-- --seconds 10 --rate 4 --pairs 100 --groups 20 --big 200]
// Needs the built server (npm run build). Uses DATABASE_URL's server (a throwaway database it creates and drops),
// or the embedded PostgreSQL in a temp folder when DATABASE_URL is unset. Loopback only; bounded in time.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { io, type Socket } from 'socket.io-client';

type Crypto = typeof import('@miyu/crypto');

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2)
  args.set(process.argv[i]!.replace(/^--/, ''), process.argv[i + 1] ?? '');
const SECONDS = Number(args.get('seconds') ?? 10);
const RATE = Number(args.get('rate') ?? 4); // messages per second per sending client
const PAIRS = Number(args.get('pairs') ?? 100);
const GROUPS = Number(args.get('groups') ?? 20);
const BIG = Number(args.get('big') ?? 200);
const SETUP_TOKEN = randomBytes(24).toString('hex');

interface Client {
  userId: string;
  deviceId: string;
  cookie: string;
  socket: Socket;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => (typeof a === 'object' && a ? resolve(a.port) : reject(new Error('no port'))));
    });
  });
}

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, in clock ticks (100 Hz)
}

function rssMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'))!;
  return Number(line.replace(/\D+/g, '')) / 1024;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function main(): Promise<void> {
  const crypto: Crypto = await import(path.join(root, 'libs/crypto/dist/index.js'));
  await crypto.ready();
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;

  // A throwaway database: on DATABASE_URL's server, or the embedded PostgreSQL in a temp folder.
  let dbUrl: string | null = null;
  let dropDb: () => Promise<void> = async () => undefined;
  let dataDir: string | null = null;
  if (process.env.DATABASE_URL) {
    const name = `miyu_bench_${randomBytes(4).toString('hex')}`;
    const admin = new URL(process.env.DATABASE_URL);
    admin.pathname = '/postgres';
    const c = new pg.Client({ connectionString: admin.toString() });
    await c.connect();
    await c.query(`CREATE DATABASE "${name}"`);
    await c.end();
    const u = new URL(admin);
    u.pathname = `/${name}`;
    dbUrl = u.toString();
    dropDb = async () => {
      const d = new pg.Client({ connectionString: admin.toString() });
      await d.connect();
      await d.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
      await d.end();
    };
  } else {
    dataDir = mkdtempSync(path.join(tmpdir(), 'miyu-bench-'));
  }

  const nodeArgs = process.env.MIYU_BENCH_CPU_PROF
    ? ['--cpu-prof', `--cpu-prof-dir=${process.env.MIYU_BENCH_CPU_PROF}`]
    : [];
  const server: ChildProcess = spawn(process.execPath, [...nodeArgs, path.join(root, 'apps/server/dist/main.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_URL: url,
      WEB_DIST_DIR: '',
      LOG_LEVEL: 'warn',
      SETUP_TOKEN,
      PASSWORD_HASH_MEMORY_MIB: '19',
      PASSWORD_HASH_ITERATIONS: '1',
      API_RATE_LIMIT_PER_MINUTE: '1000000',
      LOGIN_IP_LIMIT_PER_MINUTE: '10000',
      ...(dbUrl ? { DATABASE_URL: dbUrl } : { DATA_DIR: dataDir! }),
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const stop = async () => {
    server.kill('SIGTERM');
    await new Promise((r) => server.once('exit', r));
    await dropDb();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${url}/health/ready`)).ok) break;
      } catch {
        /* starting */
      }
      if (i > 600) throw new Error('server did not start');
      await new Promise((r) => setTimeout(r, 100));
    }
    await run(crypto, url, server.pid!);
  } finally {
    await stop();
  }
}

async function api<T>(url: string, method: string, p: string, body: unknown, cookie?: string, csrf?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (cookie) headers.cookie = cookie;
  if (csrf) headers['x-csrf-token'] = csrf;
  const res = await fetch(url + p, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${p}: ${res.status} ${text}`);
  return { body: (text ? JSON.parse(text) : null) as T, cookie: res.headers.get('set-cookie')?.split(';')[0] };
}

async function run(crypto: Crypto, url: string, serverPid: number): Promise<void> {
  const setup = await api<{ csrfToken: string }>(url, 'POST', '/api/setup/admin', {
    token: SETUP_TOKEN,
    login: 'bench-admin',
    displayName: 'Bench',
    password: 'bench-admin-password',
  });
  const admin = { cookie: setup.cookie!, csrf: setup.body.csrfToken };

  async function newClient(i: number): Promise<Client> {
    const login = `u${i}`;
    const user = await api<{ id: string }>(
      url,
      'POST',
      '/api/admin/users',
      { login, displayName: login, password: 'bench-password-1' },
      admin.cookie,
      admin.csrf,
    );
    const session = await api<{ csrfToken: string }>(url, 'POST', '/api/auth/login', {
      login,
      password: 'bench-password-1',
    });
    const deviceId = `${randomBytes(4).toString('hex')}-${randomBytes(2).toString('hex')}-7${randomBytes(2).toString('hex').slice(1)}-8${randomBytes(2).toString('hex').slice(1)}-${randomBytes(6).toString('hex')}`;
    const keys = crypto.generateDeviceKeys({ userId: user.body.id, deviceId });
    await api(
      url,
      'POST',
      '/api/devices',
      { name: 'bench', bundle: crypto.bundleToJson(crypto.publicBundle(keys)) },
      session.cookie,
      session.body.csrfToken,
    );
    const socket = io(url, {
      path: '/socket.io',
      transports: ['websocket'],
      extraHeaders: { cookie: session.cookie!, origin: url },
      auth: { deviceId },
      reconnection: false,
      forceNew: true,
    });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', () => resolve());
      socket.once('connect_error', reject);
    });
    return { userId: user.body.id, deviceId, cookie: session.cookie!, socket };
  }

  async function conversation(owner: Client, members: Client[], kind: 'direct' | 'group'): Promise<string> {
    const csrf = (await api<{ csrfToken: string }>(url, 'GET', '/api/auth/session', undefined, owner.cookie)).body
      .csrfToken;
    const body =
      kind === 'direct'
        ? { kind, userId: members[0]!.userId }
        : { kind, name: 'bench', memberIds: members.map((m) => m.userId) };
    return (await api<{ id: string }>(url, 'POST', '/api/conversations', body, owner.cookie, csrf)).body.id;
  }

  let nextUser = 0;
  const clients = async (n: number) => {
    const out: Client[] = [];
    for (let i = 0; i < n; i += 20)
      out.push(...(await Promise.all(Array.from({ length: Math.min(20, n - i) }, () => newClient(nextUser++)))));
    return out;
  };

  const results: Array<Record<string, string>> = [];
  const workload = async (name: string, rooms: Array<{ id: string; senders: Client[]; members: Client[] }>) => {
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
    const sessions = new Map<string, ReturnType<Crypto['createOutboundSenderKey']>>();
    const send = (room: { id: string }, c: Client) => {
      const key = `${room.id}/${c.deviceId}`;
      const session =
        sessions.get(key) ??
        crypto.createOutboundSenderKey({
          conversationId: room.id,
          senderUserId: c.userId,
          senderDeviceId: c.deviceId,
          epoch: 0,
        });
      const clientMsgId = crypto
        .toHex(randomBytes(16))
        .replace(/^(.{8})(.{4}).(.{3}).(.{3})(.{12})$/, '$1-$2-7$3-8$4-$5');
      const { session: next, envelope } = crypto.encryptGroupMessage(session, {
        clientMsgId,
        policyVersion: 0,
        content: { type: 'text', body: 'x'.repeat(200), mentions: [], replyTo: null },
      });
      sessions.set(key, next);
      const t0 = performance.now();
      sentAt.set(clientMsgId, t0);
      c.socket
        .timeout(10_000)
        .emit(
          'message:send',
          { clientMsgId, conversationId: room.id, envelope: crypto.envelopeToJson(envelope) },
          (err: unknown, res: { ok: boolean }) => {
            if (err || !res.ok) errors += 1;
            else if (measuring) {
              accepted += 1;
              ackLatency.push(performance.now() - t0);
            }
          },
        );
    };
    const senders = rooms.flatMap((r) => r.senders.map((c) => ({ room: r, c })));
    const interval = 1000 / RATE;
    const intervals: NodeJS.Timeout[] = [];
    // Senders are spread evenly over one interval so the offered load is smooth (open loop).
    const timers = senders.map((s, i) =>
      setTimeout(() => intervals.push(setInterval(() => send(s.room, s.c), interval)), (i * interval) / senders.length),
    );
    await new Promise((r) => setTimeout(r, 2000)); // warm-up
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
    const row = {
      workload: name,
      offered: `${Math.round(senders.length * RATE)}/s`,
      accepted: `${Math.round(accepted / elapsed)}/s`,
      delivered: `${Math.round(delivered / elapsed)}/s`,
      'ack p50/p99': `${quantile(ackLatency, 0.5).toFixed(1)} / ${quantile(ackLatency, 0.99).toFixed(1)} ms`,
      'delivery p50/p99/max': `${quantile(deliveryLatency, 0.5).toFixed(1)} / ${quantile(deliveryLatency, 0.99).toFixed(1)} / ${(deliveryLatency[deliveryLatency.length - 1] ?? NaN).toFixed(0)} ms`,
      'server CPU/delivery': `${delivered ? ((cpu * 1e6) / delivered).toFixed(0) : '–'} µs`,
      'server RSS': `${rssMiB(serverPid).toFixed(0)} MiB`,
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
  await workload(`1:1, ${PAIRS} pairs`, pairRooms);

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
  await workload(`${GROUPS} groups × 10`, groupRooms);

  // (c) one large group, five senders.
  const bigMembers = [...pairClients, ...(await clients(Math.max(0, BIG - pairClients.length)))].slice(0, BIG);
  const bigId = await conversation(bigMembers[0]!, bigMembers.slice(1), 'group');
  await workload(`1 group × ${BIG}`, [{ id: bigId, senders: bigMembers.slice(0, 5), members: bigMembers }]);

  console.log(
    `\nMessaging benchmark — ${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), ` +
      `${SECONDS} s measured after 2 s warm-up, ${RATE} msg/s per sender, persistence on (PostgreSQL), one server process\n`,
  );
  const headers = Object.keys(results[0]!);
  console.log(`| ${headers.join(' | ')} |\n| ${headers.map(() => '---').join(' | ')} |`);
  for (const r of results) console.log(`| ${headers.map((h) => r[h]).join(' | ')} |`);
  [...new Set([...pairClients, ...bigMembers])].forEach((c) => c.socket.disconnect());
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
