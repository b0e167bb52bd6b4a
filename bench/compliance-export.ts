// Compliance export benchmark (issue 10): the offline export tool (`npm run compliance:export`,
// apps/server/dist/cli/compliance-export.js, a separate process) exports a retained group of 10,000 and then one of
// 100,000 escrowed messages from the real server process over loopback HTTP, decrypting every message locally with
// the compliance private key; then the verifier (`npm run compliance:verify`) checks each export. Reports per export:
// duration, messages/s, the tool's peak RSS (VmHWM) and its RSS growth while messages stream (the peak minus the RSS
// when streaming starts, i.e. once the key is open: Argon2id's 256 MiB arena is resident from then on and is the
// same for every export). The target is memory that does not grow with the message count: large/small ≈ 1.
//
// Messages are made by the bench as clients make them — libs/crypto sender keys (3 senders, a new escrowed session
// every --rotate messages as the client's rotation policy does), the escrow wrap of each session, padded and signed
// envelopes — and bulk-inserted into `messages` (binary envelopes) with each session's wrap in `escrow_sessions`, the
// conversation's `last_seq` moved last. The key is made by the real keygen CLI and uploaded through the admin API;
// retention is org-wide; the export runs with an auditor's API token.
//
// Run: npm run bench:compliance-export  [-- --small 10000 --large 100000 --rotate 100 --batch 5000]
// Needs the built server. Uses DATABASE_URL's server (a throwaway database it creates and drops) or the embedded
// PostgreSQL in a temp folder. Key and export files go to a temp folder, deleted at the end (MIYU_BENCH_KEEP_FILES=1
// keeps them). Loopback only.
import { spawn, spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { parseFlags } from './support/args.js';
import {
  api,
  type Bench,
  type Crypto,
  createUser,
  login,
  registerDevice,
  loadCrypto,
  setupBench,
} from './support/clients.js';
import { root } from './support/paths.js';
import { rssMiB } from './support/proc.js';
import { type Metric, report } from './support/report.js';
import { startServer } from './support/server.js';
import { markdownTable } from './support/stats.js';

const flags = parseFlags();
const SMALL = flags.number('small', 10_000);
const LARGE = flags.number('large', 100_000);
const ROTATE = flags.number('rotate', 100);
const BATCH = flags.number('batch', 5000);
if (SMALL < 1 || LARGE < 1 || ROTATE < 1 || BATCH < 1) {
  throw new Error('expected --small, --large, --rotate and --batch ≥ 1');
}
const PASSPHRASE = 'bench compliance passphrase 2026';
const CLI = path.join(root, 'apps/server/dist/cli');
const started = Date.now();

const fmt = (v: number, digits = 1) => (Number.isFinite(v) ? v.toFixed(digits) : '–');
const int = (v: number) => Math.round(v).toLocaleString('en-US');
const log = (msg: string) => console.error(`[${fmt((Date.now() - started) / 1000, 0)}s] ${msg}`);

const WORDS = ['合同', '报价', 'the', 'contract', '审批', 'meeting', '明天', 'price', '客户', 'ok', '确认', 'draft'];

interface Sender {
  userId: string;
  deviceId: string;
}

/** Peak RSS of a process so far (VmHWM), MiB. */
function hwmMiB(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmHWM:'))!;
  return Number(line.replace(/\D+/g, '')) / 1024;
}

/**
 * Fills a conversation with `n` escrowed text messages from `senders` in turn (every 25th a reply, every 40th an
 * edit, every 500th recalled), inserting a batch while the next is being encrypted.
 */
async function seed(
  crypto: Crypto,
  db: pg.Pool,
  conversationId: string,
  senders: Sender[],
  n: number,
  compliance: { publicKey: Uint8Array; keyId: string },
): Promise<void> {
  const sessions = new Map<string, ReturnType<Crypto['createOutboundSenderKey']>>();
  const epochs = new Map<string, number>();
  let previous: { clientMsgId: string; senderUserId: string } | null = null;
  let inFlight: Promise<unknown> = Promise.resolve();
  const t0 = Date.UTC(2026, 0, 5);
  // After what the conversation already holds (its creation's membership events).
  const base = Number(
    (await db.query<{ last_seq: string }>(`SELECT last_seq FROM conversations WHERE id = $1`, [conversationId]))
      .rows[0]!.last_seq,
  );
  const last = base + n;
  for (let start = base + 1; start <= last; start += BATCH) {
    const rows = {
      seq: [] as number[],
      id: [] as string[],
      user: [] as string[],
      device: [] as string[],
      envelope: [] as Buffer[],
      ts: [] as string[],
      recalledAt: [] as Array<string | null>,
      recalledBy: [] as Array<string | null>,
    };
    const escrows = {
      session: [] as Buffer[],
      user: [] as string[],
      device: [] as string[],
      wrap: [] as Buffer[],
      seq: [] as number[],
    };
    for (let seq = start; seq < start + BATCH && seq <= last; seq++) {
      const s = senders[seq % senders.length]!;
      let session = sessions.get(s.deviceId);
      if (!session || session.chainIndex >= ROTATE) {
        const epoch = (epochs.get(s.deviceId) ?? -1) + 1;
        epochs.set(s.deviceId, epoch);
        session = crypto.withEscrow(
          crypto.createOutboundSenderKey({
            conversationId,
            senderUserId: s.userId,
            senderDeviceId: s.deviceId,
            epoch,
          }),
          compliance.publicKey,
        );
        escrows.session.push(Buffer.from(session.sessionId));
        escrows.user.push(s.userId);
        escrows.device.push(s.deviceId);
        escrows.wrap.push(Buffer.from(session.escrow!.wrap));
        escrows.seq.push(seq);
      }
      const words = Array.from({ length: 3 + (seq % 17) }, (_, k) => WORDS[(seq * 7 + k) % WORDS.length]).join(' ');
      const clientMsgId = randomUUID();
      const content =
        seq % 40 === 0 && previous
          ? { type: 'edit' as const, target: previous, body: `${words} (corrected)`, mentions: [] }
          : {
              type: 'text' as const,
              body: `#${seq} ${words}`,
              mentions: [],
              replyTo: seq % 25 === 0 ? previous : null,
            };
      const out = crypto.encryptGroupMessage(session, { clientMsgId, policyVersion: 0, content });
      sessions.set(s.deviceId, out.session);
      previous = { clientMsgId, senderUserId: s.userId };
      rows.seq.push(seq);
      rows.id.push(clientMsgId);
      rows.user.push(s.userId);
      rows.device.push(s.deviceId);
      rows.envelope.push(Buffer.from(crypto.encodeEnvelope(out.envelope)));
      rows.ts.push(new Date(t0 + seq * 1000).toISOString());
      rows.recalledAt.push(seq % 500 === 0 ? new Date(t0 + seq * 1000 + 60_000).toISOString() : null);
      rows.recalledBy.push(seq % 500 === 0 ? s.userId : null);
    }
    await inFlight; // one batch in flight: memory stays bounded
    inFlight = (async () => {
      await db.query(
        `INSERT INTO messages (conversation_id, seq, client_msg_id, sender_user_id, sender_device_id, envelope, server_ts,
                               recalled_at, recalled_by)
         SELECT $1, s, c, u, d, e, t, ra, rb
           FROM unnest($2::bigint[], $3::uuid[], $4::uuid[], $5::uuid[], $6::bytea[], $7::timestamptz[],
                       $8::timestamptz[], $9::uuid[]) AS x(s, c, u, d, e, t, ra, rb)`,
        [
          conversationId,
          rows.seq,
          rows.id,
          rows.user,
          rows.device,
          rows.envelope,
          rows.ts,
          rows.recalledAt,
          rows.recalledBy,
        ],
      );
      await db.query(
        `INSERT INTO escrow_sessions (session_id, conversation_id, sender_user_id, sender_device_id, key_id, wrap,
                                      first_seq)
         SELECT s, $1, u, d, $2, w, f
           FROM unnest($3::bytea[], $4::uuid[], $5::uuid[], $6::bytea[], $7::bigint[]) AS x(s, u, d, w, f)`,
        [conversationId, compliance.keyId, escrows.session, escrows.user, escrows.device, escrows.wrap, escrows.seq],
      );
    })();
  }
  await inFlight;
  await db.query(`UPDATE conversations SET last_seq = $2 WHERE id = $1`, [conversationId, last]);
  await db.query('VACUUM ANALYZE messages');
}

interface ExportRun {
  ok: boolean;
  output: string;
  totalMs: number;
  streamMs: number;
  hwm: number;
  baseRss: number;
  peakRss: number;
}

/** Runs the export CLI, sampling its RSS every 25 ms; streaming starts when it reports the conversations. */
function runExport(args: string[], env: Record<string, string>): Promise<ExportRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, [path.join(CLI, 'compliance-export.js'), ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    let streamStart = 0;
    let baseRss = 0;
    let peakRss = 0;
    let hwm = 0;
    const sample = () => {
      try {
        hwm = Math.max(hwm, hwmMiB(child.pid!));
        if (streamStart) peakRss = Math.max(peakRss, rssMiB(child.pid!));
      } catch {
        /* exited */
      }
    };
    const timer = setInterval(sample, 25);
    child.stdout.on('data', (d: Buffer) => (output += d.toString('utf8')));
    child.stderr.on('data', (d: Buffer) => {
      const text = d.toString('utf8');
      output += text;
      if (!streamStart && text.includes('conversation(s) to export')) {
        streamStart = performance.now();
        try {
          baseRss = rssMiB(child.pid!);
          peakRss = baseRss;
        } catch {
          /* exited */
        }
      }
      const progress = text.trim().split('\n').at(-1);
      if (progress?.startsWith('[')) process.stderr.write(`    ${progress}\r`);
    });
    child.once('error', reject);
    child.once('close', (code) => {
      clearInterval(timer);
      process.stderr.write('\n');
      const end = performance.now();
      resolve({
        ok: code === 0,
        output: output.trim(),
        totalMs: end - t0,
        streamMs: streamStart ? end - streamStart : NaN,
        hwm,
        baseRss,
        peakRss,
      });
    });
  });
}

function dirBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    total += entry.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return total;
}

async function people(b: Bench, logins: string[]): Promise<Sender[]> {
  const out: Sender[] = [];
  for (const l of logins) {
    const userId = await createUser(b, l);
    const session = await login(b.url, l);
    out.push({ userId, deviceId: await registerDevice(b, session, userId) });
  }
  return out;
}

async function main(): Promise<void> {
  const crypto = await loadCrypto();
  const work = mkdtempSync(path.join(tmpdir(), 'miyu-bench-compliance-'));
  log(`creating the compliance key with the keygen CLI (${cpus().length} cores)`);
  const keygen = spawnSync(
    process.execPath,
    [path.join(CLI, 'compliance-keygen.js'), '--out', path.join(work, 'key')],
    {
      env: { PATH: process.env.PATH ?? '', MIYU_COMPLIANCE_PASSPHRASE: PASSPHRASE },
      encoding: 'utf8',
    },
  );
  if (keygen.status !== 0) throw new Error(`keygen failed: ${keygen.stderr}`);
  const publicPath = path.join(work, 'key', 'compliance-key.public.json');
  const publicFile = JSON.parse(readFileSync(publicPath, 'utf8')) as { encryptionKey: string };

  const server = await startServer({ dbPrefix: 'miyu_bench_compliance' });
  const db = new pg.Pool({ connectionString: server.dbUrl, max: 4 });
  const rows: Array<Record<string, string>> = [];
  const verifyRows: Array<Record<string, string>> = [];
  const growth = new Map<string, number>();
  /** The headline figures, for `npm run bench`; names say small / large, the settings how large. */
  const metrics: Metric[] = [];
  try {
    const b = await setupBench(crypto, server.url, server.setupToken);
    const admin = (method: string, p: string, body?: unknown) =>
      api<{ id: string }>(server.url, method, p, body, b.admin.cookie, b.admin.csrf);
    const key = await admin('POST', '/api/compliance/keys', { publicKey: publicFile, label: 'bench' });
    await admin('POST', '/api/compliance/scopes', { kind: 'org' });
    const senders = await people(b, ['bench-a', 'bench-b', 'bench-c']);
    const auditorId = await createUser(b, 'bench-auditor');
    await admin('PATCH', `/api/admin/users/${auditorId}`, { role: 'auditor' });
    const auditor = await login(server.url, 'bench-auditor');
    const token = (
      await api<{ token: string }>(
        server.url,
        'POST',
        '/api/tokens',
        { name: 'bench', scopes: ['compliance:export'], expiresInDays: 1 },
        auditor.cookie,
        auditor.csrf,
      )
    ).body.token;
    const owner = await login(server.url, 'bench-a');
    const compliance = { publicKey: crypto.fromBase64Url(publicFile.encryptionKey), keyId: key.body.id };

    for (const [label, n] of [
      ['small', SMALL],
      ['large', LARGE],
    ] as const) {
      const conversationId = (
        await api<{ id: string }>(
          server.url,
          'POST',
          '/api/conversations',
          { kind: 'group', name: `retained ${label}`, memberIds: senders.slice(1).map((s) => s.userId) },
          owner.cookie,
          owner.csrf,
        )
      ).body.id;
      const s0 = performance.now();
      await seed(crypto, db, conversationId, senders, n, compliance);
      const seedS = (performance.now() - s0) / 1000;
      log(`seeded ${int(n)} escrowed messages in ${fmt(seedS)} s (${int(n / seedS)} /s); exporting`);
      const out = path.join(work, `export-${label}`);
      const r = await runExport(
        [
          '--server',
          server.url,
          '--key',
          path.join(work, 'key', 'compliance-key.private.json'),
          '--out',
          out,
          '--conversations',
          conversationId,
        ],
        { MIYU_API_TOKEN: token, MIYU_COMPLIANCE_PASSPHRASE: PASSPHRASE },
      );
      if (!r.ok) throw new Error(`export failed: ${r.output}`);
      const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as {
        counts: { messages: number; unreadable: number; recalled: number; edits: number };
      };
      if (manifest.counts.unreadable !== 0) throw new Error(`${manifest.counts.unreadable} messages not opened`);
      growth.set(label, r.peakRss - r.baseRss);
      const perSecond = manifest.counts.messages / (r.streamMs / 1000);
      metrics.push(
        { name: `${label} export, streaming`, value: perSecond, unit: 'messages/s', better: 'higher' },
        { name: `${label} export: peak RSS (VmHWM)`, value: r.hwm, unit: 'MiB', better: 'lower' },
        {
          name: `${label} export: RSS growth while streaming`,
          value: r.peakRss - r.baseRss,
          unit: 'MiB',
          better: 'lower',
        },
      );
      rows.push({
        export: label,
        messages: int(manifest.counts.messages),
        'recalled / edits': `${int(manifest.counts.recalled)} / ${int(manifest.counts.edits)}`,
        output: `${fmt(dirBytes(out) / 2 ** 20)} MiB`,
        'total time': `${fmt(r.totalMs / 1000)} s`,
        streaming: `${fmt(r.streamMs / 1000)} s`,
        'messages/s': int(perSecond),
        'peak RSS (VmHWM)': `${fmt(r.hwm, 0)} MiB`,
        'RSS at stream start → peak': `${fmt(r.baseRss, 0)} → ${fmt(r.peakRss, 0)} MiB`,
        'growth while streaming': `${fmt(r.peakRss - r.baseRss, 1)} MiB`,
      });
      log(`  ${int(manifest.counts.messages)} messages in ${fmt(r.streamMs / 1000)} s; peak RSS ${fmt(r.hwm, 0)} MiB`);
      const v0 = performance.now();
      const v = spawnSync(
        process.execPath,
        [path.join(CLI, 'compliance-export.js'), '--verify', out, '--public', publicPath],
        {
          encoding: 'utf8',
        },
      );
      if (v.status !== 0) throw new Error(`verification failed: ${v.stdout}${v.stderr}`);
      const verifyS = (performance.now() - v0) / 1000;
      metrics.push({ name: `${label} export: verify`, value: verifyS, unit: 's', better: 'lower' });
      verifyRows.push({
        export: label,
        result: v.stdout.split('\n')[0]!.replace(/ by key [0-9a-f ]{39}/, ''),
        duration: `${fmt(verifyS, 2)} s`,
      });
    }
    console.log(`\n## Compliance export (${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores)\n`);
    console.log(markdownTable(rows));
    console.log();
    console.log(markdownTable(verifyRows));
    const small = rows.find((r) => r.export === 'small');
    const large = rows.find((r) => r.export === 'large');
    if (small && large) {
      const hwm = (r: Record<string, string>) => Number.parseFloat(r['peak RSS (VmHWM)']!);
      console.log(
        `\npeak RSS, ${int(LARGE)} / ${int(SMALL)} messages: ${fmt(hwm(large) / hwm(small), 2)}; ` +
          `RSS growth while streaming: ${fmt(growth.get('small')!, 1)} MiB vs ${fmt(growth.get('large')!, 1)} MiB`,
      );
      // ≈ 1 when the tool streams in constant memory.
      const ratio = hwm(large) / hwm(small);
      metrics.push({ name: 'peak RSS, large / small export', value: ratio, unit: '×', better: 'lower' });
    }
    report({
      bench: 'compliance-export',
      settings: { small: SMALL, large: LARGE, rotate: ROTATE, batch: BATCH },
      metrics,
    });
  } finally {
    await db.end();
    await server.stop();
    if (process.env.MIYU_BENCH_KEEP_FILES === '1') console.log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
