import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  createOutboundSenderKey,
  encryptGroupMessage,
  envelopeToJson,
  fromBase64Url,
  ready,
  toBase64Url,
  withEscrow,
} from '@miyu/crypto';
import type { ExportEscrowSession, ExportMessage } from '@miyu/protocol';
import { runExport } from './exporter.js';
import { createComplianceKey } from './keygen.js';
import { MIN_ARGON2ID_LIMITS, readPublicKeyFile } from './key-file.js';
import type { ExportManifest } from './manifest.js';
import { PASSPHRASE_ENV } from './passphrase.js';
import { verifyExport } from './verify-export.js';

const CONV = '0190a1b2-c3d4-7e5f-8a6b-00000000c001';
const ALICE = '0190a1b2-c3d4-7e5f-8a6b-00000000a001';
const DEVICE = '0190a1b2-c3d4-7e5f-8a6b-00000000d001';
const KEY_ID = '0190a1b2-c3d4-7e5f-8a6b-00000000e001';
const NEW_KEY_ID = '0190a1b2-c3d4-7e5f-8a6b-00000000e002';
const TOKEN = `miyu_pat_${'t'.repeat(43)}`;
const PASS = 'a long enough passphrase';
const NEW_PASS = 'the passphrase of the new key';
/** Messages after this seq are sent in sessions wrapped to the new key (the org key was rotated). */
const ROTATED_AFTER = 600;

/**
 * The export's orchestration against a scripted HTTP server (the real server is in
 * test/integration/compliance-export.int-spec.ts): paging, two keys across a rotation, and what is left on disk
 * when a page fails mid-way.
 */
describe('runExport', () => {
  let dir: string;
  let publicKey: Awaited<ReturnType<typeof readPublicKeyFile>>;
  let newPublicKey: Awaited<ReturnType<typeof readPublicKeyFile>>;
  let pages: ExportMessage[][];
  let sessions: ExportEscrowSession[];

  const routes = (failPage: number | null) =>
    (async (input: string | URL | Request, init?: RequestInit) => {
      const url = new URL(String(input));
      expect((init?.headers as Record<string, string>).authorization).toBe(`Bearer ${TOKEN}`);
      const json = (body: unknown, status = 200) =>
        new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
      switch (url.pathname) {
        case '/api/compliance/notice':
          return json({
            organisationName: 'Org',
            keys: [
              { id: KEY_ID, encryptionKey: publicKey.encryptionKey, fingerprint: publicKey.fingerprint, active: false },
              {
                id: NEW_KEY_ID,
                encryptionKey: newPublicKey.encryptionKey,
                fingerprint: newPublicKey.fingerprint,
                active: true,
              },
            ],
            heldUserIds: [],
          });
        case '/api/audit/checkpoint':
          return json({
            checkpoint: { v: 1, size: 7, root: 'a'.repeat(64), time: 't' },
            signature: 's',
            publicKey: 'k',
          });
        case '/api/compliance/export/conversations':
          return json({
            conversations: [{ id: CONV, kind: 'group', name: 'G', createdAt: 't', lastSeq: 1200, members: [ALICE] }],
            people: [{ id: ALICE, displayName: 'Alice', login: 'alice', employeeNo: null, email: null }],
          });
        case '/api/compliance/export/sessions':
          return json({ sessions });
        case '/api/compliance/export/messages': {
          const after = Number(url.searchParams.get('afterSeq'));
          const index = pages.findIndex((p) => p[0]!.seq > after);
          if (index === failPage) return json({ error: { code: 'INTERNAL', message: 'boom' } }, 500);
          const page = pages[index] ?? [];
          return json({ messages: page, nextAfterSeq: index < pages.length - 1 ? page.at(-1)!.seq : null });
        }
        default:
          return json({ error: { code: 'NOT_FOUND', message: url.pathname } }, 404);
      }
    }) as typeof fetch;

  const io = (failPage: number | null, env: Record<string, string> = {}) => ({
    env: { MIYU_API_TOKEN: TOKEN, ...env },
    stdin: { isTTY: false, on: () => undefined, off: () => undefined, resume: () => undefined, pause: () => undefined },
    stderr: { write: () => undefined },
    fetch: routes(failPage),
  });

  beforeAll(async () => {
    await ready();
    dir = await mkdtemp(path.join(tmpdir(), 'miyu-exporter-'));
    await createComplianceKey(path.join(dir, 'key'), PASS, { limits: MIN_ARGON2ID_LIMITS });
    await createComplianceKey(path.join(dir, 'new-key'), NEW_PASS, { limits: MIN_ARGON2ID_LIMITS });
    await writeFile(path.join(dir, 'pass'), PASS);
    await writeFile(path.join(dir, 'new-pass'), `${NEW_PASS}\n`);
    publicKey = await readPublicKeyFile(path.join(dir, 'key', 'compliance-key.public.json'));
    newPublicKey = await readPublicKeyFile(path.join(dir, 'new-key', 'compliance-key.public.json'));
    // A new session every 100 messages, wrapped to the key active at the time; the server lists every wrap.
    sessions = [];
    const start = (seq: number) => {
      const [keyId, key] = seq > ROTATED_AFTER ? [NEW_KEY_ID, newPublicKey] : [KEY_ID, publicKey];
      const s = withEscrow(
        createOutboundSenderKey({ conversationId: CONV, senderUserId: ALICE, senderDeviceId: DEVICE, epoch: seq }),
        fromBase64Url(key.encryptionKey),
      );
      sessions.push({
        sessionId: toBase64Url(s.sessionId),
        senderUserId: ALICE,
        senderDeviceId: DEVICE,
        keyId,
        wrap: toBase64Url(s.escrow!.wrap),
        firstSeq: seq,
      });
      return s;
    };
    let session = start(1);
    const all: ExportMessage[] = [];
    for (let seq = 1; seq <= 1200; seq++) {
      if (session.chainIndex >= 100) session = start(seq);
      const out = encryptGroupMessage(session, {
        clientMsgId: `0190a1b2-c3d4-7e5f-8a6b-${String(seq).padStart(12, '0')}`,
        policyVersion: 0,
        content: { type: 'text', body: `message ${seq}`, mentions: [], replyTo: null },
      });
      session = out.session;
      all.push({
        seq,
        serverTs: new Date(Date.UTC(2026, 0, 1, 0, 0, seq)).toISOString(),
        senderUserId: ALICE,
        senderDeviceId: DEVICE,
        envelope: envelopeToJson(out.envelope) as unknown as Record<string, unknown>,
        system: null,
        recalledAt: null,
        recalledBy: null,
      });
    }
    pages = [all.slice(0, 1000), all.slice(1000)];
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const OLD = { key: 'key', pass: 'pass' };
  const NEW = { key: 'new-key', pass: 'new-pass' };
  const options = (out: string, keys = [OLD, NEW]) => ({
    server: new URL('https://miyu.example.com'),
    keys: keys.map((k) => path.join(dir, k.key, 'compliance-key.private.json')),
    passphraseFiles: keys.map((k) => path.join(dir, k.pass)),
    out,
  });
  const rows = async (out: string) =>
    (await readFile(path.join(out, 'messages.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { seq: number; text: string | null; error: { code: string } | null });

  it('follows the pages to the end, opens both sides of a key rotation and signs with the last key', async () => {
    const out = path.join(dir, 'ok');
    const summary = await runExport(options(out), io(null));
    expect(summary.counts).toMatchObject({ conversations: 1, messages: 1200, opened: 1200, unreadable: 0 });
    expect(summary).toMatchObject({
      fingerprint: newPublicKey.fingerprint,
      keyId: NEW_KEY_ID,
      keys: [
        { fingerprint: publicKey.fingerprint, active: false },
        { fingerprint: newPublicKey.fingerprint, active: true },
      ],
    });
    expect((await rows(out)).map((r) => r.text)).toEqual(Array.from({ length: 1200 }, (_, i) => `message ${i + 1}`));
    const manifest = JSON.parse(await readFile(path.join(out, 'manifest.json'), 'utf8')) as ExportManifest;
    expect(manifest.complianceKey).toMatchObject({ fingerprint: newPublicKey.fingerprint, keyId: NEW_KEY_ID });
    expect(manifest.complianceKeys.map((k) => [k.fingerprint, k.keyId, k.signingKey])).toEqual([
      [publicKey.fingerprint, KEY_ID, publicKey.signingKey],
      [newPublicKey.fingerprint, NEW_KEY_ID, newPublicKey.signingKey],
    ]);
    await expect(verifyExport(out, newPublicKey)).resolves.toMatchObject({
      files: 3,
      keys: [publicKey.fingerprint, newPublicKey.fingerprint],
    });
    await expect(verifyExport(out, publicKey)).rejects.toMatchObject({ code: 'VERIFY_FAILED' });
  });

  it('leaves the sessions of a key not given as ESCROW_OTHER_KEY rows, and signs with the one key given', async () => {
    for (const [name, given, openedSeqs] of [
      ['old-only', OLD, (seq: number) => seq <= ROTATED_AFTER],
      ['new-only', NEW, (seq: number) => seq > ROTATED_AFTER],
    ] as const) {
      const out = path.join(dir, name);
      const summary = await runExport(options(out, [given]), io(null));
      expect(summary.counts).toMatchObject({ messages: 1200, opened: 600, unreadable: 600 });
      for (const r of await rows(out))
        expect(r.error?.code ?? r.text).toBe(openedSeqs(r.seq) ? `message ${r.seq}` : 'ESCROW_OTHER_KEY');
      const signer = given === OLD ? publicKey : newPublicKey;
      await expect(verifyExport(out, signer)).resolves.toMatchObject({ keys: [signer.fingerprint] });
    }
  });

  it('takes one passphrase for every key from one --passphrase-file or the environment', async () => {
    // Both keys under one passphrase: a third key file, sealed under PASS, stands in for the new key.
    await createComplianceKey(path.join(dir, 'same-pass'), PASS, { limits: MIN_ARGON2ID_LIMITS });
    const third = path.join(dir, 'same-pass', 'compliance-key.private.json');
    const keys = [path.join(dir, 'key', 'compliance-key.private.json'), third];
    const server = new URL('https://miyu.example.com');
    // The third key is not listed by the organisation: every key must be one of its keys.
    await expect(
      runExport({ server, keys, passphraseFiles: [path.join(dir, 'pass')], out: path.join(dir, 'x') }, io(null)),
    ).rejects.toMatchObject({ code: 'KEY_NOT_LISTED', message: expect.stringContaining(` in ${third} is not one`) });
    await expect(
      runExport({ server, keys, passphraseFiles: [], out: path.join(dir, 'y') }, io(null, { [PASSPHRASE_ENV]: PASS })),
    ).rejects.toMatchObject({ code: 'KEY_NOT_LISTED' });
    // One passphrase for two keys sealed under different ones: the second fails, naming its file.
    await expect(
      runExport({ ...options(path.join(dir, 'z')), passphraseFiles: [path.join(dir, 'pass')] }, io(null)),
    ).rejects.toMatchObject({
      code: 'WRONG_PASSPHRASE',
      message: expect.stringContaining(path.join(dir, 'new-key', 'compliance-key.private.json')),
    });
    for (const out of ['x', 'y', 'z']) expect(existsSync(path.join(dir, out))).toBe(false);
  });

  it('deletes everything it wrote when a page fails mid-export', async () => {
    const out = path.join(dir, 'failed');
    await expect(runExport(options(out), io(1))).rejects.toMatchObject({
      code: 'SERVER_ERROR',
      message: expect.stringContaining('500 INTERNAL: boom'),
    });
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.partial`)).toBe(false);
  });

  it('stops when Ctrl-C aborts it, leaving nothing', async () => {
    const out = path.join(dir, 'cancelled');
    const abort = new AbortController();
    abort.abort();
    await expect(runExport(options(out), { ...io(null), signal: abort.signal })).rejects.toMatchObject({
      code: 'CANCELLED',
    });
    expect(existsSync(`${out}.partial`)).toBe(false);
  });
});
