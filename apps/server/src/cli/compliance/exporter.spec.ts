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
  withEscrow,
} from '@miyu/crypto';
import type { ExportMessage } from '@miyu/protocol';
import { runExport } from './exporter.js';
import { createComplianceKey } from './keygen.js';
import { MIN_ARGON2ID_LIMITS, readPublicKeyFile } from './key-file.js';
import { verifyExport } from './verify-export.js';

const CONV = '0190a1b2-c3d4-7e5f-8a6b-00000000c001';
const ALICE = '0190a1b2-c3d4-7e5f-8a6b-00000000a001';
const DEVICE = '0190a1b2-c3d4-7e5f-8a6b-00000000d001';
const KEY_ID = '0190a1b2-c3d4-7e5f-8a6b-00000000e001';
const TOKEN = `miyu_pat_${'t'.repeat(43)}`;
const PASS = 'a long enough passphrase';

/**
 * The export's orchestration against a scripted HTTP server (the real server is in
 * test/integration/compliance-export.int-spec.ts): paging, and what is left on disk when a page fails mid-way.
 */
describe('runExport', () => {
  let dir: string;
  let publicKey: Awaited<ReturnType<typeof readPublicKeyFile>>;
  let pages: ExportMessage[][];

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
              { id: KEY_ID, encryptionKey: publicKey.encryptionKey, fingerprint: publicKey.fingerprint, active: true },
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
          return json({ sessions: [] });
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

  const io = (failPage: number | null) => ({
    env: { MIYU_API_TOKEN: TOKEN },
    stdin: { isTTY: false, on: () => undefined, off: () => undefined, resume: () => undefined, pause: () => undefined },
    stderr: { write: () => undefined },
    fetch: routes(failPage),
  });

  beforeAll(async () => {
    await ready();
    dir = await mkdtemp(path.join(tmpdir(), 'miyu-exporter-'));
    await createComplianceKey(path.join(dir, 'key'), PASS, { limits: MIN_ARGON2ID_LIMITS });
    await writeFile(path.join(dir, 'pass'), PASS);
    publicKey = await readPublicKeyFile(path.join(dir, 'key', 'compliance-key.public.json'));
    let session = withEscrow(
      createOutboundSenderKey({ conversationId: CONV, senderUserId: ALICE, senderDeviceId: DEVICE, epoch: 0 }),
      fromBase64Url(publicKey.encryptionKey),
    );
    const all: ExportMessage[] = [];
    for (let seq = 1; seq <= 1200; seq++) {
      if (session.chainIndex >= 100)
        session = withEscrow(
          createOutboundSenderKey({ conversationId: CONV, senderUserId: ALICE, senderDeviceId: DEVICE, epoch: seq }),
          fromBase64Url(publicKey.encryptionKey),
        );
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

  const options = (out: string) => ({
    server: new URL('https://miyu.example.com'),
    key: path.join(dir, 'key', 'compliance-key.private.json'),
    passphraseFile: path.join(dir, 'pass'),
    out,
  });

  it('follows the pages to the end and writes a verifiable export', async () => {
    const out = path.join(dir, 'ok');
    const summary = await runExport(options(out), io(null));
    expect(summary.counts).toMatchObject({ conversations: 1, messages: 1200, opened: 1200, unreadable: 0 });
    const lines = (await readFile(path.join(out, 'messages.jsonl'), 'utf8')).trim().split('\n');
    expect(lines.map((l) => (JSON.parse(l) as { text: string }).text)).toEqual(
      Array.from({ length: 1200 }, (_, i) => `message ${i + 1}`),
    );
    await expect(verifyExport(out, publicKey)).resolves.toMatchObject({ files: 3 });
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
