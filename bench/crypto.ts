// Micro-benchmarks of @miyu/crypto (issue #3): message encrypt/decrypt, session setup, attachments, and the
// cost of a group send and of a new epoch's key distribution at 2 vs 5,000 members.
// Run: npx tsc -p bench/tsconfig.json && node bench/dist/crypto.js   (or: npm run bench:crypto)
//      [-- --ms 1000 --chain 20000 --attachment-mib 100 --big-group 5000]   (the defaults; smaller for a quick run)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseFlags } from './support/args.js';
import { type Metric, report } from './support/report.js';

type Lib = typeof import('@miyu/crypto');

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Builds libs/crypto when its dist is missing or older than a source file, so the bench never measures stale code. */
function ensureLibraryBuilt(): void {
  const lib = path.join(root, 'libs/crypto');
  const built = path.join(lib, 'dist/index.js');
  const newest = readdirSync(path.join(lib, 'src'))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
    .reduce((t, f) => Math.max(t, statSync(path.join(lib, 'src', f)).mtimeMs), 0);
  if (existsSync(built) && statSync(built).mtimeMs >= newest) return;
  console.log('building libs/crypto …');
  const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
  const res = spawnSync(process.execPath, [tsc, '-p', path.join(lib, 'tsconfig.lib.json')], { stdio: 'inherit' });
  if (res.status !== 0) throw new Error('building libs/crypto failed');
}

interface Row {
  name: string;
  value: string;
  note?: string;
}

const rows: Row[] = [];
/** The headline figures, for `npm run bench` (bench/support/report.ts). */
const metrics: Metric[] = [];

const flags = parseFlags();
/** Milliseconds each ops/s figure runs for. */
const OPS_MS = flags.number('ms', 1000);
/** Messages decrypted in order for the decrypt figures. */
const CHAIN = flags.number('chain', 20_000);
const ATTACHMENT_MIB = flags.number('attachment-mib', 100);
/** Members of the large group (the small one has 2). */
const BIG_GROUP = flags.number('big-group', 5000);
if (OPS_MS < 10 || CHAIN < 1 || ATTACHMENT_MIB < 1 || BIG_GROUP < 3) {
  throw new Error('expected --ms ≥ 10, --chain ≥ 1, --attachment-mib ≥ 1, --big-group ≥ 3');
}

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** Runs `fn` repeatedly for about `ms` milliseconds (after a short warm-up) and returns operations per second. */
function opsPerSecond(fn: () => void, ms = OPS_MS): number {
  for (let i = 0; i < 20; i += 1) fn();
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 10; i += 1) fn();
    n += 10;
    now = performance.now();
  }
  return (n * 1000) / (now - start);
}

function text(size: number): string {
  return 'x'.repeat(size);
}

async function main(): Promise<void> {
  ensureLibraryBuilt();
  const c: Lib = await import('@miyu/crypto');
  await c.ready();

  // ------------------------------------------------------------------------------- pairwise (Double Ratchet)
  const aliceKeys = c.generateDeviceKeys({ userId: 'alice', deviceId: 'a1' });
  const bobGen = c.generateOneTimePrekeys(c.generateDeviceKeys({ userId: 'bob', deviceId: 'b1' }), 1);
  const otp = bobGen.prekeys[0]!;
  const handshake = (plaintext: Uint8Array) => {
    const alice = c.createOutboundPairwiseSession(aliceKeys, c.publicBundle(bobGen.keys, [otp]));
    const first = c.ratchetEncrypt(alice, plaintext);
    const parsed = c.decodePairwiseMessage(first.message);
    const bob = c.ratchetDecrypt(c.createInboundPairwiseSession(bobGen.keys, parsed.preamble!, otp), parsed).session;
    return { alice: first.session, bob };
  };
  for (const size of [100, 4096]) {
    const plaintext = new Uint8Array(size).fill(7);
    let alice = handshake(plaintext).alice;
    const enc = opsPerSecond(() => {
      alice = c.ratchetEncrypt(alice, plaintext).session;
    });
    // Decrypt a long in-order chain, each message once (what a receiving device does).
    const pair = handshake(plaintext);
    let sender = pair.alice;
    const messages: Uint8Array[] = [];
    for (let i = 0; i < CHAIN; i += 1) {
      const out = c.ratchetEncrypt(sender, plaintext);
      sender = out.session;
      messages.push(out.message);
    }
    let bob = pair.bob;
    const t = performance.now();
    for (const m of messages) bob = c.ratchetDecrypt(bob, c.decodePairwiseMessage(m)).session;
    const dec = (messages.length * 1000) / (performance.now() - t);
    rows.push({
      name: `pairwise encrypt, ${size} B`,
      value: `${fmt(enc)} ops/s`,
      note: 'Double Ratchet, state copied per call',
    });
    rows.push({
      name: `pairwise decrypt, ${size} B`,
      value: `${fmt(dec)} ops/s`,
      note: `in order, ${fmt(CHAIN)} messages`,
    });
    if (size === 100) {
      metrics.push({ name: 'pairwise encrypt, 100 B', value: enc, unit: 'ops/s', better: 'higher' });
      metrics.push({ name: 'pairwise decrypt, 100 B', value: dec, unit: 'ops/s', better: 'higher' });
    }
  }

  const setup = opsPerSecond(() => {
    const gen = c.generateOneTimePrekeys(bobGen.keys, 1);
    const o = gen.prekeys[0]!;
    const a = c.createOutboundPairwiseSession(aliceKeys, c.publicBundle(gen.keys, [o]));
    const m = c.decodePairwiseMessage(c.ratchetEncrypt(a, new Uint8Array(100)).message);
    c.ratchetDecrypt(c.createInboundPairwiseSession(gen.keys, m.preamble!, o), m);
  });
  metrics.push({ name: 'pairwise session setup', value: setup, unit: '/s', better: 'higher' });
  rows.push({
    name: 'pairwise session setup',
    value: `${fmt(setup)} /s`,
    note: 'bundle verify + X3DH both sides + first message (incl. one one-time prekey generation)',
  });

  // ------------------------------------------------------------------------------------------ sender keys
  for (const size of [100, 4096]) {
    const content = { type: 'text' as const, body: text(size), mentions: [], replyTo: null };
    let out = c.createOutboundSenderKey({
      conversationId: 'c1',
      senderUserId: 'alice',
      senderDeviceId: 'a1',
      epoch: 1,
    });
    const start = c.exportOutboundSenderKey(out);
    let i = 0;
    const envelopes: ReturnType<Lib['encryptGroupMessage']>['envelope'][] = [];
    const enc = opsPerSecond(() => {
      const r = c.encryptGroupMessage(out, { clientMsgId: `m${i++}`, policyVersion: 1, content });
      out = r.session;
      if (envelopes.length < CHAIN) envelopes.push(r.envelope);
    });
    let inbound = c.importSenderKey(start);
    const sample = envelopes.slice(0, CHAIN);
    const t = performance.now();
    for (const e of sample) inbound = c.decryptGroupMessage(inbound, e, { compliancePublicKey: null }).session;
    const dec = (sample.length * 1000) / (performance.now() - t);
    rows.push({
      name: `sender-key encrypt, ${size} B text`,
      value: `${fmt(enc)} ops/s`,
      note: 'content encode + pad + AEAD + Ed25519 sign',
    });
    metrics.push({ name: `sender-key encrypt, ${size} B text`, value: enc, unit: 'ops/s', better: 'higher' });
    metrics.push({ name: `sender-key decrypt, ${size} B text`, value: dec, unit: 'ops/s', better: 'higher' });
    rows.push({
      name: `sender-key decrypt, ${size} B text`,
      value: `${fmt(dec)} ops/s`,
      note: 'Ed25519 verify + AEAD + unpad + content decode',
    });
  }

  // ------------------------------------------------------------------------------------------- attachments
  {
    const total = ATTACHMENT_MIB * 1024 * 1024;
    const block = new Uint8Array(1024 * 1024).map((_, k) => k * 31);
    async function* source(): AsyncGenerator<Uint8Array> {
      for (let sent = 0; sent < total; sent += block.length) yield block;
    }
    const rssBefore = process.memoryUsage().rss;
    let peakRss = rssBefore;
    const sampler = setInterval(() => {
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }, 20);
    let t = performance.now();
    const encrypted = c.encryptAttachmentStream(source());
    let ciphertextBytes = 0;
    for await (const piece of encrypted.stream) ciphertextBytes += piece.length;
    const encSeconds = (performance.now() - t) / 1000;
    const result = await encrypted.result;
    // Then encrypt→decrypt as one stream (an upload piped into a download): the decrypt cost is the difference.
    const again = c.encryptAttachmentStream(source());
    t = performance.now();
    let plainBytes = 0;
    for await (const piece of c.decryptAttachmentStream(again.stream, { key: again.key, chunkSize: again.chunkSize }))
      plainBytes += piece.length;
    const pipeSeconds = (performance.now() - t) / 1000;
    clearInterval(sampler);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    const mib = total / (1024 * 1024);
    const decryptAlone = mib / Math.max(0.001, pipeSeconds - encSeconds);
    // The pipeline as measured: "decrypt alone" is a difference of two timings, too noisy for a headline figure.
    metrics.push({ name: 'attachment encrypt', value: mib / encSeconds, unit: 'MiB/s', better: 'higher' });
    metrics.push({
      name: 'attachment encrypt→decrypt pipeline',
      value: mib / pipeSeconds,
      unit: 'MiB/s',
      better: 'higher',
    });
    rows.push({
      name: `attachment encrypt (${fmt(mib)} MiB, 64 KiB chunks)`,
      value: `${fmt(mib / encSeconds)} MiB/s`,
      note: 'secretstream + BLAKE2b digest',
    });
    rows.push({
      name: `attachment encrypt→decrypt pipeline (${fmt(mib)} MiB)`,
      value: `${fmt(mib / pipeSeconds)} MiB/s`,
      note: `decrypt alone ≈ ${fmt(decryptAlone)} MiB/s; RSS ${fmt(rssBefore / 1048576)} → peak ${fmt(peakRss / 1048576)} MiB`,
    });
    if (result.ciphertextSize !== ciphertextBytes || plainBytes !== total) throw new Error('attachment sizes differ');
  }

  // ------------------------------------------------------ group send cost and key distribution, via the API
  for (const members of [2, BIG_GROUP]) {
    const devicesPerMember = 2;
    const directoryBundles = new Map<string, ReturnType<Lib['publicBundle']>>();
    const devices: { userId: string; deviceId: string }[] = [];
    let t = performance.now();
    for (let m = 0; m < members; m += 1) {
      for (let d = 0; d < devicesPerMember; d += 1) {
        const userId = m === 0 ? 'sender' : `user-${m}`;
        const deviceId = `dev-${d}`;
        if (m === 0 && d === 0) continue; // the sending device itself
        const gen = c.generateOneTimePrekeys(c.generateDeviceKeys({ userId, deviceId }), 1);
        directoryBundles.set(`${userId} ${deviceId}`, c.publicBundle(gen.keys, gen.prekeys));
        devices.push({ userId, deviceId });
      }
    }
    const keygenSeconds = (performance.now() - t) / 1000;
    const directory = {
      claims: 0,
      async claimBundles(list: readonly { userId: string; deviceId: string }[]) {
        this.claims += 1;
        return list.map((d) => directoryBundles.get(`${d.userId} ${d.deviceId}`)!).filter(Boolean);
      },
    };
    const store = new c.MemoryCryptoStore();
    // The message-count rotation is switched off here to isolate the per-message cost; its amortised price is
    // the "new epoch" rows below divided by the rotation interval (see docs/benchmarks.md).
    const sender = await c.MiyuCrypto.create({
      store,
      directory,
      userId: 'sender',
      deviceId: 'dev-0',
      rotationPolicy: { maxMessages: 1_000_000, maxAgeMs: c.DEFAULT_ROTATION_POLICY.maxAgeMs },
    });
    const content = { type: 'text' as const, body: text(100), mentions: [], replyTo: null };
    await sender.setConversationDevices('group', devices);
    t = performance.now();
    const first = await sender.encryptMessage({
      conversationId: 'group',
      clientMsgId: 'first',
      policyVersion: 1,
      content,
    });
    const firstMs = performance.now() - t;
    if (first.keyShares.length !== devices.length) throw new Error('not every device got the session');
    // Steady state: O(1) per message. Median of 7 batches of 100 sends, to damp GC and a busy machine.
    const batches: number[] = [];
    let k = 0;
    for (let b = 0; b < 7; b += 1) {
      t = performance.now();
      for (let n = 0; n < 100; n += 1, k += 1) {
        const r = await sender.encryptMessage({
          conversationId: 'group',
          clientMsgId: `m${k}`,
          policyVersion: 1,
          content,
        });
        if (r.keyShares.length !== 0 || r.rotated) throw new Error('unexpected key shares');
      }
      batches.push(((performance.now() - t) * 1000) / 100);
    }
    const perSendUs = batches.sort((x, y) => x - y)[3]!;
    // A new epoch after a removal: sessions exist, so this is pure Double-Ratchet encryption of the share.
    await sender.setConversationDevices('group', devices.slice(0, -1));
    t = performance.now();
    const rotated = await sender.encryptMessage({
      conversationId: 'group',
      clientMsgId: 'after-removal',
      policyVersion: 1,
      content,
    });
    const rotateMs = performance.now() - t;
    const shareBytes = rotated.keyShares.reduce((n, s) => n + s.ciphertext.length, 0);
    // Names without the size (a flag): the run's settings say how large the large group was.
    const group = members === 2 ? '2 members' : 'large group';
    metrics.push({ name: `group send, ${group}`, value: perSendUs, unit: 'µs/message', better: 'lower' });
    if (members !== 2) {
      const perDevice = (ms: number, n: number) => ms / Math.max(1, n);
      metrics.push({
        name: 'new epoch, first contact (X3DH)',
        value: perDevice(firstMs, devices.length),
        unit: 'ms/device',
        better: 'lower',
      });
      metrics.push({
        name: 'new epoch after removal',
        value: perDevice(rotateMs, rotated.keyShares.length),
        unit: 'ms/device',
        better: 'lower',
      });
    }
    rows.push({
      name: `group send, ${fmt(members)} members × ${devicesPerMember} devices`,
      value: `${fmt(perSendUs, 0)} µs/message`,
      note: 'MiyuCrypto.encryptMessage over MemoryCryptoStore, 100 B text, steady state (median of 7 × 100)',
    });
    rows.push({
      name: `new epoch, first contact (X3DH), ${fmt(devices.length)} devices`,
      value: `${fmt(firstMs, 0)} ms`,
      note: `${fmt(firstMs / devices.length, 3)} ms/device; ${directory.claims} directory claim(s); bundles generated in ${fmt(keygenSeconds, 1)} s (not counted)`,
    });
    rows.push({
      name: `new epoch after removal, ${fmt(rotated.keyShares.length)} devices`,
      value: `${fmt(rotateMs, 0)} ms`,
      note: `${fmt(rotateMs / Math.max(1, rotated.keyShares.length), 3)} ms/device; ${fmt(shareBytes / 1024, 0)} KiB of to-device messages`,
    });
  }

  // ---------------------------------------------------------------------------------------------- report
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  console.log(
    `\n@miyu/crypto benchmark — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${platform()} ${release()}`,
  );
  console.log(`${cpus().length} × ${cpu}, ${fmt(totalmem() / 2 ** 30, 1)} GiB RAM\n`);
  const w1 = Math.max(...rows.map((r) => r.name.length));
  const w2 = Math.max(...rows.map((r) => r.value.length));
  console.log(`| ${'Operation'.padEnd(w1)} | ${'Result'.padStart(w2)} | Notes`);
  console.log(`|${'-'.repeat(w1 + 2)}|${'-'.repeat(w2 + 2)}|------`);
  for (const r of rows) console.log(`| ${r.name.padEnd(w1)} | ${r.value.padStart(w2)} | ${r.note ?? ''}`);
  report({
    bench: 'crypto',
    settings: {
      opsMs: OPS_MS,
      chain: CHAIN,
      attachmentMiB: ATTACHMENT_MIB,
      bigGroupMembers: BIG_GROUP,
      devicesPerMember: 2,
    },
    metrics,
  });
}

await main();
