import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  encryptAttachmentStream,
  envelopeToJson,
  fromBase64Url,
  type MessageContent,
  ready,
  toBase64Url,
} from '@miyu/crypto';
import type {
  Ack,
  AttachmentDto,
  ComplianceNotice,
  ConversationDto,
  ConversationRetention,
  CreatedApiToken,
  MessageSendAck,
} from '@miyu/protocol';
import { uuidv7 } from '../../src/common/security/uuid.js';
import { MIN_ARGON2ID_LIMITS, readPublicKeyFile } from '../../src/cli/compliance/key-file.js';
import { createComplianceKey } from '../../src/cli/compliance/keygen.js';
import { runExportCommand } from '../../src/cli/compliance/export-command.js';
import type { ExportRecord } from '../../src/cli/compliance/message-record.js';
import type { ExportManifest } from '../../src/cli/compliance/manifest.js';
import { createE2EPerson, type E2EDevice } from '../support/e2e-device.js';
import { TestClient } from '../support/http-client.js';
import { createAuditor, createGroup } from '../support/people.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const PASSPHRASE = 'compliance officer passphrase 2026';
const NEW_PASSPHRASE = 'the 2027 compliance passphrase';
const DIST = path.resolve(__dirname, '../../dist/cli');

/** A built CLI as `npm run compliance:…` runs it (the server must have been built). */
function cli(name: 'compliance-export' | 'compliance-keygen', args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [path.join(DIST, `${name}.js`), ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

/** What the tool prints, and its exit code, called in process as `npm run compliance:export` would. */
async function exportTool(argv: string[], env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runExportCommand(argv, {
    env,
    stdin: { isTTY: false, on: () => undefined, off: () => undefined, resume: () => undefined, pause: () => undefined },
    stdout: { write: (t: string) => out.push(t) },
    stderr: { write: (t: string) => err.push(t) },
  });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/**
 * The offline compliance export tool end to end (issue 10): a key from the keygen module, uploaded by the admin; a
 * group of three retained through a legal hold, whose members send, reply, edit, recall and attach through real
 * libs/crypto clients with escrow; then the tool, with an auditor's API token, yields exactly what was sent, with a
 * signed manifest that verifies — and fails cleanly, leaving nothing behind, with the wrong key, passphrase or token.
 */
describe('compliance export tool (real server, PostgreSQL and crypto)', () => {
  let t: TestServer;
  let work: string;
  let filesDir: string;
  let admin: TestClient;
  let token: string;
  let keyDir: string;
  let group: ConversationDto;
  let outside: ConversationDto;
  const people: Record<string, { id: string; http: TestClient; device: E2EDevice }> = {};
  /** What was sent in the retained group, in order. */
  const sent: Array<{ seq: number; clientMsgId: string; sender: string; content: MessageContent }> = [];
  let attachmentPlaintext: Buffer;

  async function send(who: string, conversationId: string, content: MessageContent) {
    const { device, http } = people[who]!;
    const retention = (
      await http.request<ConversationRetention>('GET', `/api/conversations/${conversationId}/retention`)
    ).body;
    await device.crypto.setConversationDevices(conversationId, await device.memberDevices(conversationId), {
      compliancePublicKey: retention.encryptionKey ? fromBase64Url(retention.encryptionKey) : null,
    });
    const clientMsgId = uuidv7();
    const result = await device.crypto.encryptMessage({ conversationId, clientMsgId, policyVersion: 0, content });
    await device.sendToDevices(result.keyShares);
    const ack = (await device.socket.timeout(10_000).emitWithAck('message:send', {
      clientMsgId,
      conversationId,
      envelope: envelopeToJson(result.envelope) as unknown as Record<string, string | number>,
    })) as Ack<MessageSendAck>;
    if (!ack.ok) throw new Error(`send refused: ${JSON.stringify(ack)}`);
    if (conversationId === group.id) sent.push({ seq: ack.data.seq, clientMsgId, sender: who, content });
    return { seq: ack.data.seq, clientMsgId };
  }

  async function upload(who: string, conversationId: string, plaintext: Buffer) {
    const encrypted = encryptAttachmentStream([plaintext]);
    const pieces: Uint8Array[] = [];
    for await (const piece of encrypted.stream) pieces.push(piece);
    const blob = Buffer.concat(pieces);
    const { digest, size } = await encrypted.result;
    const http = people[who]!.http;
    const created = await http.request<AttachmentDto>('POST', `/api/conversations/${conversationId}/attachments`, {
      size: blob.length,
      digest: toBase64Url(digest),
    });
    if (created.status !== 201) throw new Error(`attachment: ${JSON.stringify(created.body)}`);
    const res = await fetch(`${t.url}/api/attachments/${created.body.id}`, {
      method: 'PATCH',
      headers: {
        cookie: http.cookie!,
        'x-csrf-token': http.csrfToken!,
        'content-type': 'application/offset+octet-stream',
        'upload-offset': '0',
      },
      body: blob,
    });
    if (res.status !== 200) throw new Error(`upload: ${res.status}`);
    return { blobId: created.body.id, key: encrypted.key, chunkSize: encrypted.chunkSize, digest, size };
  }

  const exportArgs = (out: string, key = path.join(keyDir, 'compliance-key.private.json'), pass = 'pass.txt') => [
    '--server',
    t.url,
    '--key',
    key,
    '--passphrase-file',
    path.join(work, pass),
    '--out',
    out,
  ];

  beforeAll(async () => {
    if (!existsSync(DIST)) throw new Error(`${DIST} is missing: build the server first`);
    await ready();
    work = await mkdtemp(path.join(tmpdir(), 'miyu-compliance-export-'));
    filesDir = path.join(work, 'files');
    t = await startTestServer({ FILES_DIR: filesDir });
    admin = new TestClient(t.url);
    await admin.setupAdmin();

    // The compliance officer's key, made with the keygen module; the admin uploads the public half.
    keyDir = path.join(work, 'keys');
    await createComplianceKey(keyDir, PASSPHRASE, { limits: MIN_ARGON2ID_LIMITS });
    await writeFile(path.join(work, 'pass.txt'), `${PASSPHRASE}\n`);
    await writeFile(path.join(work, 'wrong-pass.txt'), 'not the passphrase at all\n');
    const publicFile = await readPublicKeyFile(path.join(keyDir, 'compliance-key.public.json'));
    const uploaded = await admin.request('POST', '/api/compliance/keys', { publicKey: publicFile, label: 'test' });
    expect(uploaded.status).toBe(201);

    const names: Record<string, string> = { alice: '王芳', bob: 'Bob', carol: 'Carol', dave: 'Dave' };
    for (const login of Object.keys(names)) people[login] = await createE2EPerson(t.url, admin, login, names[login]);
    const auditorHttp = await createAuditor(t.url, admin);
    const created = await auditorHttp.request<CreatedApiToken>('POST', '/api/tokens', {
      name: 'export laptop',
      scopes: ['compliance:export'],
      expiresInDays: 7,
    });
    expect(created.status).toBe(201);
    token = created.body.token;

    const ids = (...logins: string[]) => logins.map((l) => people[l]!.id);
    group = await createGroup(people.alice!.http, 'Deal room', ids('bob', 'carol'));
    outside = await createGroup(people.dave!.http, 'Lunch', ids('carol'));
    // Alice under legal hold: the deal room is retained, the lunch group (without her) is not.
    const hold = await admin.request('POST', '/api/compliance/scopes', { kind: 'user', targetId: people.alice!.id });
    expect(hold.status).toBe(201);

    const hello = await send('alice', group.id, {
      type: 'text',
      body: '@Bob the term sheet is ready',
      mentions: [{ userId: people.bob!.id, start: 0, length: 4 }],
      replyTo: null,
    });
    attachmentPlaintext = Buffer.concat([Buffer.from('quarter,revenue\nQ1,100\n'), randomBytes(200_000)]);
    const file = await upload('bob', group.id, attachmentPlaintext);
    await send('bob', group.id, {
      type: 'attachment',
      caption: 'figures attached',
      replyTo: null,
      attachments: [{ ...file, name: '季度/报告.csv', mimeType: 'text/csv' }],
    });
    await send('carol', group.id, { type: 'text', body: '=SUM(A1:A9) is wrong', mentions: [], replyTo: null });
    const recalled = await send('alice', group.id, {
      type: 'text',
      body: 'offer the competitor’s price list',
      mentions: [],
      replyTo: null,
    });
    const recall = (await people
      .alice!.device.socket.timeout(10_000)
      .emitWithAck('message:recall', { conversationId: group.id, seq: recalled.seq })) as Ack<{ seq: number }>;
    expect(recall.ok).toBe(true);
    const typo = await send('bob', group.id, { type: 'text', body: 'we sign on Firday', mentions: [], replyTo: null });
    await send('bob', group.id, {
      type: 'edit',
      target: { clientMsgId: typo.clientMsgId, senderUserId: people.bob!.id },
      body: 'we sign on Friday',
      mentions: [],
    });
    await send('carol', group.id, {
      type: 'text',
      body: 'agreed 👍 多谢',
      mentions: [],
      replyTo: { clientMsgId: hello.clientMsgId, senderUserId: people.alice!.id },
    });
    await send('dave', outside.id, { type: 'text', body: 'not retained', mentions: [], replyTo: null });
  });

  afterAll(async () => {
    Object.values(people).forEach((p) => p.device.close());
    await t?.close();
    await rm(work, { recursive: true, force: true });
  });

  it('exports exactly the plaintexts sent, with the recall flagged, the edit pointing at its target and the file', async () => {
    const out = path.join(work, 'export-1');
    const res = await exportTool(exportArgs(out), { MIYU_API_TOKEN: token });
    expect(res.stderr).not.toMatch(/warning/);
    expect({ code: res.code, stdout: res.stdout }).toMatchObject({
      code: 0,
      stdout: expect.stringContaining(`Export complete: ${out}`),
    });
    expect(existsSync(`${out}.partial`)).toBe(false);

    const records = (await readFile(path.join(out, 'messages.jsonl'), 'utf8'))
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as ExportRecord);
    // Only the retained conversation, in seq order; server events (membership) are rows of their own.
    expect(new Set(records.map((r) => r.conversationId))).toEqual(new Set([group.id]));
    expect(records.map((r) => r.seq)).toEqual([...records.map((r) => r.seq)].sort((a, b) => a - b));
    const messages = records.filter((r) => r.type !== 'event');
    expect(messages.filter((r) => r.error !== null)).toEqual([]);
    expect(messages.map((r) => ({ seq: r.seq, clientMsgId: r.clientMsgId, sender: r.senderUserId }))).toEqual(
      sent.map((s) => ({ seq: s.seq, clientMsgId: s.clientMsgId, sender: people[s.sender]!.id })),
    );
    const bodies = messages.map((r) => [r.type, r.text]);
    expect(bodies).toEqual([
      ['text', '@Bob the term sheet is ready'],
      ['attachment', 'figures attached'],
      ['text', '=SUM(A1:A9) is wrong'],
      ['text', 'offer the competitor’s price list'],
      ['text', 'we sign on Firday'],
      ['edit', 'we sign on Friday'],
      ['text', 'agreed 👍 多谢'],
    ]);
    expect(messages.every((r) => r.escrow === 'valid')).toBe(true);
    expect(messages[0]).toMatchObject({
      senderName: '王芳',
      senderLogin: 'alice',
      mentions: [{ userId: people.bob!.id, name: 'Bob', start: 0, length: 4 }],
      recalled: false,
    });
    expect(messages[3]).toMatchObject({ recalled: true, recalledBy: people.alice!.id, recalledByName: '王芳' });
    expect(messages[3]!.recalledAt).toEqual(expect.any(String));
    expect(messages.filter((r) => r.recalled)).toHaveLength(1);
    expect(messages[5]!.target).toEqual({ clientMsgId: sent[4]!.clientMsgId, senderUserId: people.bob!.id });
    expect(messages[6]!.replyTo).toEqual({ clientMsgId: sent[0]!.clientMsgId, senderUserId: people.alice!.id });

    // The attachment, decrypted and digest-checked, under a safe name.
    const saved = messages[1]!.attachments[0]!;
    expect(saved).toMatchObject({ n: 1, name: '季度/报告.csv', error: null });
    expect(saved.file).toBe(`attachments/${group.id}/${messages[1]!.seq}-1-季度_报告.csv`);
    expect((await readFile(path.join(out, saved.file!))).equals(attachmentPlaintext)).toBe(true);

    // CSV: a header and one row per record, formula guarded; EML: one file for the conversation.
    const csv = await readFile(path.join(out, 'messages.csv'), 'utf8');
    expect(csv.startsWith('\ufeffconversation_id,')).toBe(true);
    expect(csv).toContain(",'=SUM(A1:A9) is wrong,");
    expect(csv.split('\r\n').filter((l) => l.startsWith(group.id))).toHaveLength(records.length);
    expect(await readdir(path.join(out, 'eml'))).toEqual([`${group.id}.eml`]);
    const eml = await readFile(path.join(out, 'eml', `${group.id}.eml`), 'utf8');
    expect(eml.match(/\r\nContent-Type: message\/rfc822\r\n/g)).toHaveLength(records.length);
    expect(eml).toContain('X-Miyu-Recalled: ');

    // The manifest: counts, the key, the audit checkpoint, every file's hash; signed and verifiable offline.
    const manifest = JSON.parse(await readFile(path.join(out, 'manifest.json'), 'utf8')) as ExportManifest;
    const publicFile = await readPublicKeyFile(path.join(keyDir, 'compliance-key.public.json'));
    expect(manifest).toMatchObject({
      server: new URL(t.url).origin,
      complianceKey: { fingerprint: publicFile.fingerprint, signingKey: publicFile.signingKey },
      counts: {
        conversations: 1,
        messages: records.length,
        opened: 7,
        unreadable: 0,
        recalled: 1,
        edits: 1,
        attachmentsSaved: 1,
        attachmentsFailed: 0,
      },
    });
    expect(manifest.auditCheckpoint.checkpoint.size).toBeGreaterThan(0);
    expect(manifest.files.map((f) => f.path).sort()).toEqual(
      ['messages.jsonl', 'messages.csv', `eml/${group.id}.eml`, saved.file!].sort(),
    );
    const publicPath = path.join(keyDir, 'compliance-key.public.json');
    expect(await exportTool(['--verify', out, '--public', publicPath], {})).toMatchObject({
      code: 0,
      stdout: expect.stringMatching(/^OK: manifest signature by key .* verified; 4 files/),
    });

    // The built CLI (what `npm run compliance:verify` runs) agrees, and catches a changed file.
    const verified = cli('compliance-export', ['--verify', out, '--public', publicPath]);
    expect({ status: verified.status, stderr: verified.stderr }).toEqual({ status: 0, stderr: '' });
    await writeFile(path.join(out, 'messages.csv'), csv.replace('we sign on Friday', 'we sign on Monday'));
    const tampered = cli('compliance-export', ['--verify', out, '--public', publicPath]);
    expect(tampered.status).toBe(1);
    expect(tampered.stderr).toContain('VERIFY_FAILED: messages.csv does not match its SHA-256 in the manifest');
  });

  it('keygen (the built CLI) writes both files and the fingerprint, and refuses short passphrases and overwrites', async () => {
    const dir = path.join(work, 'keygen-cli');
    const env = { MIYU_COMPLIANCE_PASSPHRASE: PASSPHRASE };
    const made = cli('compliance-keygen', ['--out', dir], env);
    expect(made.status).toBe(0);
    const publicFile = await readPublicKeyFile(path.join(dir, 'compliance-key.public.json'));
    expect(made.stdout).toContain(`fingerprint:  ${publicFile.fingerprint}`);
    expect(made.stdout).toContain('Admin → Compliance');
    expect((await stat(path.join(dir, 'compliance-key.private.json'))).mode & 0o777).toBe(0o600);
    const again = cli('compliance-keygen', ['--out', dir], env);
    expect([again.status, again.stderr]).toEqual([2, expect.stringContaining('KEY_FILE_EXISTS')]);
    const short = cli('compliance-keygen', ['--out', path.join(work, 'keygen-short')], {
      MIYU_COMPLIANCE_PASSPHRASE: 'too short',
    });
    expect([short.status, short.stderr]).toEqual([2, expect.stringContaining('PASSPHRASE_TOO_SHORT')]);
    expect(existsSync(path.join(work, 'keygen-short'))).toBe(false);
  });

  it('narrows by conversation and time', async () => {
    const out = path.join(work, 'export-2');
    const res = await exportTool(
      [...exportArgs(out), '--conversations', group.id, '--from', new Date(Date.now() + 60_000).toISOString()],
      { MIYU_API_TOKEN: token },
    );
    expect(res.code).toBe(0);
    expect(await readFile(path.join(out, 'messages.jsonl'), 'utf8')).toBe('');
    expect(await readFile(path.join(out, 'eml', `${group.id}.eml`), 'utf8')).toContain(
      'No messages in the selected range.',
    );
    const none = path.join(work, 'export-3');
    expect(
      (await exportTool([...exportArgs(none), '--conversations', outside.id], { MIYU_API_TOKEN: token })).code,
    ).toBe(0);
    expect(JSON.parse(await readFile(path.join(none, 'manifest.json'), 'utf8'))).toMatchObject({
      counts: { conversations: 0, messages: 0 },
      filters: { conversations: [outside.id] },
    });
  });

  it('fails cleanly, writing nothing, with the wrong key, passphrase or token, or an existing output', async () => {
    const out = path.join(work, 'never');
    const nothingWritten = () => {
      expect(existsSync(out)).toBe(false);
      expect(existsSync(`${out}.partial`)).toBe(false);
    };

    const otherDir = path.join(work, 'other-key');
    await createComplianceKey(otherDir, PASSPHRASE, { limits: MIN_ARGON2ID_LIMITS });
    const wrongKey = await exportTool(exportArgs(out, path.join(otherDir, 'compliance-key.private.json')), {
      MIYU_API_TOKEN: token,
    });
    expect(wrongKey).toMatchObject({ code: 1, stderr: expect.stringContaining('KEY_NOT_LISTED: The key ') });
    nothingWritten();

    const wrongPass = await exportTool(exportArgs(out, undefined, 'wrong-pass.txt'), { MIYU_API_TOKEN: token });
    expect(wrongPass).toMatchObject({ code: 2, stderr: expect.stringContaining('WRONG_PASSPHRASE') });
    nothingWritten();

    const badToken = await exportTool(exportArgs(out), { MIYU_API_TOKEN: `miyu_pat_${'A'.repeat(43)}` });
    expect(badToken).toMatchObject({ code: 1, stderr: expect.stringContaining('TOKEN_REFUSED') });
    nothingWritten();
    expect(await exportTool(exportArgs(out), {})).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('TOKEN_MISSING'),
    });
    expect(await exportTool(exportArgs(out), { MIYU_API_TOKEN: 'secret' })).toMatchObject({ code: 2 });
    nothingWritten();

    // An admin's audit:read token is refused by the export API.
    const adminToken = await admin.request<CreatedApiToken>('POST', '/api/tokens', {
      name: 'audit',
      scopes: ['audit:read'],
      expiresInDays: 1,
    });
    expect(adminToken.status).toBe(201);
    const refused = await exportTool(exportArgs(out), { MIYU_API_TOKEN: adminToken.body.token });
    expect(refused).toMatchObject({ code: 1, stderr: expect.stringContaining('TOKEN_REFUSED') });
    nothingWritten();

    await writeFile(path.join(work, 'existing'), 'x');
    expect(await exportTool(exportArgs(path.join(work, 'existing')), { MIYU_API_TOKEN: token })).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('OUTPUT_EXISTS'),
    });
    expect(await exportTool(['--server', t.url, '--out', out], { MIYU_API_TOKEN: token })).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--key is required'),
    });
    nothingWritten();
  });

  // Runs last: it rotates the organisation's key in the middle of the deal room's conversation.
  it('after a key rotation, one export with both keys opens every message; the old key alone leaves ESCROW_OTHER_KEY rows', async () => {
    const oldPrivate = path.join(keyDir, 'compliance-key.private.json');
    const oldPublic = path.join(keyDir, 'compliance-key.public.json');
    const newDir = path.join(work, 'keys-2027');
    const newPrivate = path.join(newDir, 'compliance-key.private.json');
    const newPublic = path.join(newDir, 'compliance-key.public.json');
    await createComplianceKey(newDir, NEW_PASSPHRASE, { limits: MIN_ARGON2ID_LIMITS });
    await writeFile(path.join(work, 'pass-2027.txt'), `${NEW_PASSPHRASE}\n`);
    const oldFile = await readPublicKeyFile(oldPublic);
    const newFile = await readPublicKeyFile(newPublic);

    // The admin uploads the new key: the old one is retired but stays listed. Each client's next send starts a
    // session wrapped to the new key (send() sets it with setConversationDevices, as for the first key).
    const rotated = await admin.request('POST', '/api/compliance/keys', { publicKey: newFile, label: '2027' });
    expect(rotated.status).toBe(201);
    const notice = (await people.alice!.http.request<ComplianceNotice>('GET', '/api/compliance/notice')).body;
    expect(notice.keys.map((k) => [k.fingerprint, k.active]).sort()).toEqual(
      [
        [oldFile.fingerprint, false],
        [newFile.fingerprint, true],
      ].sort(),
    );
    const before = sent.length;
    const after = await send('alice', group.id, {
      type: 'text',
      body: 'signed copy after the rotation',
      mentions: [],
      replyTo: null,
    });
    await send('bob', group.id, {
      type: 'edit',
      target: { clientMsgId: sent[4]!.clientMsgId, senderUserId: people.bob!.id },
      body: 'we sign on Friday at 10',
      mentions: [],
    });
    await send('carol', group.id, {
      type: 'text',
      body: '收到 (new key)',
      mentions: [],
      replyTo: { clientMsgId: after.clientMsgId, senderUserId: people.alice!.id },
    });
    expect(sent.length).toBe(before + 3);

    const read = async (out: string) =>
      (await readFile(path.join(out, 'messages.jsonl'), 'utf8'))
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as ExportRecord)
        .filter((r) => r.type !== 'event');
    const keyArgs = (keys: string[], passes: string[]) => [
      ...keys.flatMap((k) => ['--key', k]),
      ...passes.flatMap((p) => ['--passphrase-file', path.join(work, p)]),
    ];
    const base = (out: string) => ['--server', t.url, '--conversations', group.id, '--out', out];

    // One export with both keys, each with its own passphrase: every plaintext, no ESCROW_OTHER_KEY.
    const both = path.join(work, 'export-both-keys');
    const res = await exportTool([...base(both), ...keyArgs([oldPrivate, newPrivate], ['pass.txt', 'pass-2027.txt'])], {
      MIYU_API_TOKEN: token,
    });
    expect({ code: res.code, stderr: res.stderr }).toEqual({ code: 0, stderr: expect.not.stringMatching(/warning/) });
    expect(res.stderr).toContain(`Key ${oldFile.fingerprint} (${oldPrivate}) matches the organisation's retired key.`);
    expect(res.stderr).toContain(`Key ${newFile.fingerprint} (${newPrivate}) matches the organisation's active key.`);
    expect(res.stdout).toContain(`signed by ${newFile.fingerprint}`);
    const records = await read(both);
    expect(records.filter((r) => r.error !== null)).toEqual([]);
    expect(records.every((r) => r.escrow === 'valid')).toBe(true);
    expect(records.map((r) => ({ seq: r.seq, clientMsgId: r.clientMsgId, sender: r.senderUserId }))).toEqual(
      sent.map((s) => ({ seq: s.seq, clientMsgId: s.clientMsgId, sender: people[s.sender]!.id })),
    );
    expect(records.slice(before).map((r) => [r.type, r.text])).toEqual([
      ['text', 'signed copy after the rotation'],
      ['edit', 'we sign on Friday at 10'],
      ['text', '收到 (new key)'],
    ]);
    expect(records[before + 1]!.target).toEqual({ clientMsgId: sent[4]!.clientMsgId, senderUserId: people.bob!.id });
    expect(records[before + 2]!.replyTo).toEqual({ clientMsgId: after.clientMsgId, senderUserId: people.alice!.id });
    expect(records.slice(0, before).map((r) => r.text)).toContain('agreed 👍 多谢');

    // The manifest lists both keys and is signed by the last one given (the newest): it verifies with that key's
    // public file, not with the old one's.
    const manifest = JSON.parse(await readFile(path.join(both, 'manifest.json'), 'utf8')) as ExportManifest;
    expect(manifest.complianceKeys.map((k) => k.fingerprint)).toEqual([oldFile.fingerprint, newFile.fingerprint]);
    expect(manifest.complianceKey).toMatchObject({ fingerprint: newFile.fingerprint, signingKey: newFile.signingKey });
    expect(manifest.counts).toMatchObject({ opened: sent.length, unreadable: 0 });
    expect(await exportTool(['--verify', both, '--public', newPublic], {})).toMatchObject({
      code: 0,
      stdout: expect.stringContaining(`made with compliance keys ${oldFile.fingerprint}, ${newFile.fingerprint}`),
    });
    const built = cli('compliance-export', ['--verify', both, '--public', newPublic]);
    expect({ status: built.status, stderr: built.stderr }).toEqual({ status: 0, stderr: '' });
    expect(await exportTool(['--verify', both, '--public', oldPublic], {})).toMatchObject({
      code: 1,
      stderr: expect.stringContaining('VERIFY_FAILED: manifest.sig is not a valid signature'),
    });

    // The old key alone: the messages before the rotation open, the later ones are ESCROW_OTHER_KEY rows.
    const oldOnly = path.join(work, 'export-old-key');
    const partial = await exportTool([...base(oldOnly), ...keyArgs([oldPrivate], ['pass.txt'])], {
      MIYU_API_TOKEN: token,
    });
    expect(partial.code).toBe(0);
    expect(partial.stderr).toContain(`warning: 3 messages and 0 attachments could not be opened`);
    const oldRecords = await read(oldOnly);
    expect(oldRecords.map((r) => r.clientMsgId)).toEqual(sent.map((s) => s.clientMsgId));
    expect(oldRecords.slice(0, before).filter((r) => r.error !== null)).toEqual([]);
    expect(oldRecords.slice(before).map((r) => [r.type, r.text, r.error?.code])).toEqual([
      ['unreadable', null, 'ESCROW_OTHER_KEY'],
      ['unreadable', null, 'ESCROW_OTHER_KEY'],
      ['unreadable', null, 'ESCROW_OTHER_KEY'],
    ]);
    expect(await exportTool(['--verify', oldOnly, '--public', oldPublic], {})).toMatchObject({ code: 0 });

    // One passphrase for two keys sealed under different ones, a --passphrase-file count that fits neither rule,
    // the same key twice: clean failures, nothing written.
    const never = path.join(work, 'never-rotated');
    const refusals = [
      [keyArgs([oldPrivate, newPrivate], ['pass.txt']), 2, `${newPrivate}: Wrong passphrase`],
      [
        keyArgs(
          [oldPrivate, newPrivate, path.join(work, 'other-key', 'compliance-key.private.json')],
          ['pass.txt', 'pass-2027.txt'],
        ),
        2,
        '--passphrase-file is given 2 times for 3 --key file(s)',
      ],
      [keyArgs([oldPrivate, newPrivate, oldPrivate], []), 2, `--key ${oldPrivate} is given twice`],
    ] as const;
    for (const [args, code, message] of refusals) {
      const r = await exportTool([...base(never), ...args], { MIYU_API_TOKEN: token });
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code, stderr: expect.stringContaining(message) });
      expect(existsSync(never)).toBe(false);
      expect(existsSync(`${never}.partial`)).toBe(false);
    }
  });
});
