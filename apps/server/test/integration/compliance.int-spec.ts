import {
  ed25519GenerateKeyPair,
  escrowUnwrap,
  fromBase64Url,
  ready,
  toBase64Url,
  x25519GenerateKeyPair,
  type X25519KeyPair,
} from '@miyu/crypto';
import {
  AUDIT_ACTIONS,
  type ApiTokenDto,
  type AuditPage,
  COMPLIANCE_PUBLIC_KEY_FORMAT,
  type ComplianceKeyDto,
  type ComplianceNotice,
  type ComplianceOverview,
  type CompliancePublicKeyFile,
  type ConversationDto,
  type ConversationRetention,
  type CreatedApiToken,
  type DepartmentDto,
  type ExportConversationsResult,
  type ExportMessagesPage,
  type RetentionRunDto,
  type RetentionScopeDto,
} from '@miyu/protocol';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { complianceKeyFingerprint } from '../../src/common/security/compliance-fingerprint.js';
import { createE2EPerson, type E2EDevice } from '../support/e2e-device.js';
import { TestClient } from '../support/http-client.js';
import { createAuditor, createGroup, sendTestMessage } from '../support/people.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

type ErrorBody = { error: { code: string; details?: Array<{ path: string; message: string }> } };

interface OrgKey {
  escrow: X25519KeyPair;
  file: CompliancePublicKeyFile;
}

function orgKey(): OrgKey {
  const escrow = x25519GenerateKeyPair();
  const signing = ed25519GenerateKeyPair();
  return {
    escrow,
    file: {
      format: COMPLIANCE_PUBLIC_KEY_FORMAT,
      encryptionKey: toBase64Url(escrow.publicKey),
      signingKey: toBase64Url(signing.publicKey),
      fingerprint: complianceKeyFingerprint(escrow.publicKey, signing.publicKey),
      createdAt: new Date().toISOString(),
    },
  };
}

/**
 * Compliance retention under E2E (issue 10) against the real server and PostgreSQL: the org key and its rotation,
 * scopes and legal holds, the escrow every retained send must carry (and recipients verify), API tokens for the
 * export, and the deletion job.
 */
describe('compliance retention (real PostgreSQL)', () => {
  let t: TestServer;
  let admin: TestClient;
  let auditor: TestClient;
  const people: Record<string, { id: string; http: TestClient; device: E2EDevice }> = {};
  let retained: ConversationDto;
  let outside: ConversationDto;
  let first: OrgKey;
  let second: OrgKey;
  let hold: RetentionScopeDto;

  const retentionOf = async (who: string, conversationId: string) =>
    (await people[who]!.http.request<ConversationRetention>('GET', `/api/conversations/${conversationId}/retention`))
      .body;
  const keysFor = async (http: TestClient) =>
    (await http.request<ComplianceNotice>('GET', '/api/compliance/notice')).body.keys.map((k) =>
      fromBase64Url(k.encryptionKey),
    );
  /** Every envelope of the conversation as `who` reads it, with the escrow check against the org's listed keys. */
  const readAs = async (who: string, conversationId: string, expected: boolean) => {
    const device = people[who]!.device;
    await device.drainInbox();
    const keys = await keysFor(people[who]!.http);
    const out: Array<{ seq: number; text: string; escrow: string; wrap: Uint8Array | null }> = [];
    for (const { seq, envelope } of await device.syncAll(conversationId)) {
      const d = await device.crypto.decryptMessage(envelope, { mode: 'history', compliance: { keys, expected } });
      out.push({
        seq,
        text: d.content.type === 'text' ? d.content.body : `<${d.content.type}>`,
        escrow: d.escrow,
        wrap: envelope.escrow,
      });
    }
    return out;
  };
  const useKey = async (who: string, conversationId: string, key: Uint8Array | null) => {
    const device = people[who]!.device;
    await device.crypto.setConversationDevices(conversationId, await device.memberDevices(conversationId), {
      compliancePublicKey: key,
    });
  };

  beforeAll(async () => {
    await ready();
    t = await startTestServer();
    admin = new TestClient(t.url);
    await admin.setupAdmin();
    for (const login of ['alice', 'bob', 'carol', 'dave', 'erin'])
      people[login] = await createE2EPerson(t.url, admin, login);
    auditor = await createAuditor(t.url, admin);
    const ids = (...logins: string[]) => logins.map((l) => people[l]!.id);
    retained = await createGroup(people.alice!.http, 'Deal room', ids('bob', 'carol'));
    outside = await createGroup(people.dave!.http, 'Lunch', ids('erin'));
    first = orgKey();
    second = orgKey();
  });
  afterAll(async () => {
    Object.values(people).forEach((p) => p.device.socket.disconnect());
    await t?.close();
  });

  describe('the org compliance key', () => {
    it('is required before retention can start', async () => {
      const res = await admin.request<ErrorBody>('POST', '/api/compliance/scopes', { kind: 'org' });
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe('COMPLIANCE_KEY_REQUIRED');
    });

    it('refuses a changed or malformed key file, and members', async () => {
      const changed = { ...first.file, signingKey: second.file.signingKey };
      const bad = await admin.request<ErrorBody>('POST', '/api/compliance/keys', { publicKey: changed });
      expect([bad.status, bad.body.error.code]).toEqual([400, 'COMPLIANCE_KEY_INVALID']);
      const lowOrder = { ...first.file, encryptionKey: toBase64Url(new Uint8Array(32)) };
      lowOrder.fingerprint = complianceKeyFingerprint(new Uint8Array(32), fromBase64Url(first.file.signingKey));
      const weak = await admin.request<ErrorBody>('POST', '/api/compliance/keys', { publicKey: lowOrder });
      expect([weak.status, weak.body.error.code]).toEqual([400, 'COMPLIANCE_KEY_INVALID']);
      const shape = await admin.request<ErrorBody>('POST', '/api/compliance/keys', {
        publicKey: { ...first.file, encryptionKey: 'short' },
      });
      expect([shape.status, shape.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
      const member = await people.alice!.http.request<ErrorBody>('POST', '/api/compliance/keys', {
        publicKey: first.file,
      });
      expect(member.status).toBe(403);
    });

    it('is uploaded once (public half only) and listed for every member', async () => {
      const res = await admin.request<ComplianceKeyDto>('POST', '/api/compliance/keys', {
        publicKey: first.file,
        label: 'Compliance office 2026',
      });
      expect(res.status).toBe(201);
      expect(res.body).toMatchObject({ active: true, fingerprint: first.file.fingerprint, escrowedSessions: 0 });
      const again = await admin.request<ErrorBody>('POST', '/api/compliance/keys', { publicKey: first.file });
      expect([again.status, again.body.error.code]).toEqual([409, 'COMPLIANCE_KEY_EXISTS']);
      const notice = (await people.erin!.http.request<ComplianceNotice>('GET', '/api/compliance/notice')).body;
      expect(notice.keys).toEqual([
        { id: res.body.id, encryptionKey: first.file.encryptionKey, fingerprint: first.file.fingerprint, active: true },
      ]);
      expect(notice.heldUserIds).toEqual([]);
    });
  });

  describe('scopes and legal holds', () => {
    it('validates the scope', async () => {
      const cases: Array<[Record<string, unknown>, number, string]> = [
        [{ kind: 'user' }, 400, 'VALIDATION_FAILED'],
        [{ kind: 'org', targetId: people.alice!.id }, 400, 'VALIDATION_FAILED'],
        [{ kind: 'user', targetId: '00000000-0000-4000-8000-000000000000' }, 400, 'RETENTION_SCOPE_INVALID'],
        [{ kind: 'department', targetId: people.alice!.id }, 400, 'RETENTION_SCOPE_INVALID'],
        [{ kind: 'org', startsAt: '2030-13-01T00:00:00Z' }, 400, 'VALIDATION_FAILED'],
        [
          { kind: 'org', startsAt: new Date(Date.now() + 400 * 86_400_000).toISOString() },
          400,
          'RETENTION_SCOPE_INVALID',
        ],
      ];
      for (const [body, status, code] of cases) {
        const res = await admin.request<ErrorBody>('POST', '/api/compliance/scopes', body);
        expect([JSON.stringify(body), res.status, res.body.error.code]).toEqual([JSON.stringify(body), status, code]);
      }
    });

    it('puts a person under legal hold: the conversations they are in become retained, the others do not', async () => {
      const res = await admin.request<RetentionScopeDto>('POST', '/api/compliance/scopes', {
        kind: 'user',
        targetId: people.alice!.id,
        note: 'Matter 2026-17',
      });
      expect(res.status).toBe(201);
      hold = res.body;
      expect(hold).toMatchObject({ kind: 'user', legalHold: true, targetName: 'alice', endedAt: null });
      const twice = await admin.request<ErrorBody>('POST', '/api/compliance/scopes', {
        kind: 'user',
        targetId: people.alice!.id,
      });
      expect(twice.body.error.code).toBe('RETENTION_SCOPE_INVALID');

      expect(await retentionOf('bob', retained.id)).toMatchObject({
        retained: true,
        encryptionKey: first.file.encryptionKey,
        heldUserIds: [people.alice!.id],
        since: hold.startsAt,
      });
      expect(await retentionOf('dave', outside.id)).toMatchObject({
        retained: false,
        encryptionKey: null,
        heldUserIds: [],
      });
      const stranger = await people.dave!.http.request<ErrorBody>('GET', `/api/conversations/${retained.id}/retention`);
      expect([stranger.status, stranger.body.error.code]).toEqual([404, 'CONVERSATION_NOT_FOUND']);
      expect(
        (await people.erin!.http.request<ComplianceNotice>('GET', '/api/compliance/notice')).body.heldUserIds,
      ).toEqual([people.alice!.id]);
    });
  });

  describe('escrow on every retained session', () => {
    it('refuses a send without the wrap in a retained conversation, and with one elsewhere', async () => {
      const plain = await people.bob!.device.sendText(retained.id, 'no escrow').catch((e: Error) => e.message);
      expect(plain).toContain('ESCROW_REQUIRED');
      await useKey('dave', outside.id, fromBase64Url(first.file.encryptionKey));
      const extra = await people.dave!.device.sendText(outside.id, 'escrow nobody asked for').catch((e: Error) => e);
      expect(String(extra)).toContain('ESCROW_NOT_EXPECTED');
      // A structurally valid envelope without escrow, outside the E2E client, gets the same answer.
      const person = {
        user: { id: people.bob!.id } as never,
        http: people.bob!.http,
        deviceId: people.bob!.device.deviceId,
        socket: people.bob!.device.socket,
        received: [],
      };
      expect(await sendTestMessage(person, retained.id, 'raw')).toMatchObject({
        ok: false,
        error: { code: 'ESCROW_REQUIRED' },
      });
    });

    it('files each session’s wrap beside its id; every recipient recomputes it and finds it valid', async () => {
      const key = fromBase64Url(first.file.encryptionKey);
      for (const who of ['alice', 'bob', 'carol']) await useKey(who, retained.id, key);
      await people.alice!.device.sendText(retained.id, 'Q3 numbers attached');
      await people.bob!.device.sendText(retained.id, 'thanks');
      await people.carol!.device.sendText(retained.id, 'seen');
      await people.alice!.device.sendText(retained.id, 'one more from alice');

      for (const reader of ['alice', 'bob', 'carol']) {
        const read = await readAs(reader, retained.id, true);
        expect(read.map((m) => [m.text, m.escrow])).toEqual([
          ['Q3 numbers attached', 'valid'],
          ['thanks', 'valid'],
          ['seen', 'valid'],
          ['one more from alice', 'valid'],
        ]);
      }
      const rows = (await t.dataSource.query(
        `SELECT session_id, sender_user_id, wrap, first_seq FROM escrow_sessions WHERE conversation_id = $1 ORDER BY first_seq`,
        [retained.id],
      )) as Array<{ session_id: Buffer; sender_user_id: string; wrap: Buffer; first_seq: string }>;
      // Three senders, three sessions (alice's second message reuses her session): one row each, the envelope's wrap.
      const base = await firstMessageSeq(retained.id);
      expect(rows.map((r) => [r.sender_user_id, Number(r.first_seq)])).toEqual([
        [people.alice!.id, base],
        [people.bob!.id, base + 1],
        [people.carol!.id, base + 2],
      ]);
      const envelopes = await people.bob!.device.syncAll(retained.id);
      expect(Buffer.from(envelopes[0]!.envelope.escrow!)).toEqual(rows[0]!.wrap);
      expect(Buffer.from(envelopes[3]!.envelope.escrow!)).toEqual(rows[0]!.wrap);
      // Only the compliance private key opens it.
      expect(() => escrowUnwrap(new Uint8Array(rows[0]!.wrap), first.escrow)).not.toThrow();
      expect(() => escrowUnwrap(new Uint8Array(rows[0]!.wrap), second.escrow)).toThrow();
      const overview = (await admin.request<ComplianceOverview>('GET', '/api/compliance/overview')).body;
      expect(overview.keys[0]!.escrowedSessions).toBe(3);
    });

    it('a conversation with nobody in scope produces no escrow', async () => {
      await useKey('dave', outside.id, null);
      await people.dave!.device.sendText(outside.id, 'pizza?');
      const read = await readAs('erin', outside.id, false);
      expect(read.map((m) => [m.text, m.escrow, m.wrap])).toEqual([['pizza?', 'none', null]]);
      const [{ n }] = (await t.dataSource.query(
        `SELECT count(*)::int AS n FROM escrow_sessions WHERE conversation_id = $1`,
        [outside.id],
      )) as [{ n: number }];
      expect(n).toBe(0);
    });

    it('a modified client that escrows to another key is caught by every recipient (the server cannot tell)', async () => {
      const attacker = x25519GenerateKeyPair();
      await useKey('carol', retained.id, attacker.publicKey);
      await people.carol!.device.sendText(retained.id, 'escrowed to someone else');
      for (const reader of ['alice', 'bob']) {
        const read = await readAs(reader, retained.id, true);
        expect(read.at(-1)).toMatchObject({ text: 'escrowed to someone else', escrow: 'mismatch' });
        expect(read.slice(0, -1).every((m) => m.escrow === 'valid')).toBe(true);
      }
      await useKey('carol', retained.id, fromBase64Url(first.file.encryptionKey));
    });
  });

  describe('key rotation', () => {
    it('retires the old key, keeps it listed, and sessions wrapped to it still verify', async () => {
      const res = await admin.request<ComplianceKeyDto>('POST', '/api/compliance/keys', { publicKey: second.file });
      expect(res.status).toBe(201);
      const overview = (await admin.request<ComplianceOverview>('GET', '/api/compliance/overview')).body;
      expect(overview.keys.map((k) => [k.fingerprint, k.active, k.retiredAt !== null])).toEqual([
        [second.file.fingerprint, true, false],
        [first.file.fingerprint, false, true],
      ]);
      expect((await retentionOf('alice', retained.id)).encryptionKey).toBe(second.file.encryptionKey);
      // Alice's client learns the new key: her next send starts a new session wrapped to it.
      await useKey('alice', retained.id, fromBase64Url(second.file.encryptionKey));
      await people.alice!.device.sendText(retained.id, 'after rotation');
      const read = await readAs('bob', retained.id, true);
      expect(read.at(-1)).toMatchObject({ text: 'after rotation', escrow: 'valid' });
      expect(read[0]).toMatchObject({ text: 'Q3 numbers attached', escrow: 'valid' });
      expect(() => escrowUnwrap(read.at(-1)!.wrap!, second.escrow)).not.toThrow();
    });
  });

  describe('API tokens for the export', () => {
    let token: CreatedApiToken;
    const bearer = (value: string) => ({ authorization: `Bearer ${value}` });
    const anonymous = () => new TestClient(t.url);

    it('are created by auditors with the export scope, shown once, and refused to others', async () => {
      const res = await auditor.request<CreatedApiToken>('POST', '/api/tokens', {
        name: 'export laptop',
        scopes: ['compliance:export'],
        expiresInDays: 7,
      });
      expect(res.status).toBe(201);
      token = res.body;
      expect(token.token).toMatch(/^miyu_pat_[A-Za-z0-9_-]{43}$/);
      const listed = (await auditor.request<ApiTokenDto[]>('GET', '/api/tokens')).body;
      expect(listed).toHaveLength(1);
      expect(JSON.stringify(listed)).not.toContain(token.token);
      const member = await people.bob!.http.request<ErrorBody>('POST', '/api/tokens', {
        name: 'x',
        scopes: ['compliance:export'],
        expiresInDays: 7,
      });
      expect([member.status, member.body.error.code]).toEqual([403, 'API_TOKEN_SCOPE_FORBIDDEN']);
      const bad = await auditor.request<ErrorBody>('POST', '/api/tokens', {
        name: 'x',
        scopes: ['everything'],
        expiresInDays: 999,
      });
      expect([bad.status, bad.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    });

    it('open the export endpoints, and nothing else', async () => {
      const list = await anonymous().request<ExportConversationsResult>(
        'GET',
        '/api/compliance/export/conversations',
        undefined,
        bearer(token.token),
      );
      expect(list.status).toBe(200);
      // Only retained conversations (with escrowed sessions) are listed.
      expect(list.body.conversations.map((c) => c.id)).toEqual([retained.id]);
      expect(list.body.people.map((p) => p.displayName).sort()).toEqual(['alice', 'bob', 'carol']);
      const page = await anonymous().request<ExportMessagesPage>(
        'GET',
        `/api/compliance/export/messages?conversationId=${retained.id}&limit=2`,
        undefined,
        bearer(token.token),
      );
      expect(page.body.messages.map((m) => m.seq)).toHaveLength(2);
      expect(page.body.nextAfterSeq).toBe(page.body.messages[1]!.seq);
      const checkpoint = await anonymous().request('GET', '/api/audit/checkpoint', undefined, bearer(token.token));
      expect(checkpoint.status).toBe(200);
      const other = await anonymous().request<ErrorBody>('GET', '/api/auth/session', undefined, bearer(token.token));
      expect([other.status, other.body.error.code]).toEqual([403, 'API_TOKEN_SCOPE_FORBIDDEN']);
      const entries = await anonymous().request<ErrorBody>('GET', '/api/audit/entries', undefined, bearer(token.token));
      expect(entries.status).toBe(403);
      const notRetained = await anonymous().request<ErrorBody>(
        'GET',
        `/api/compliance/export/messages?conversationId=${outside.id}`,
        undefined,
        bearer(token.token),
      );
      expect([notRetained.status, notRetained.body.error.code]).toEqual([404, 'CONVERSATION_NOT_FOUND']);
      const badFilter = await anonymous().request<ErrorBody>(
        'GET',
        '/api/compliance/export/conversations?users=not-an-id',
        undefined,
        bearer(token.token),
      );
      expect([badFilter.status, badFilter.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
      const member = await people.alice!.http.request<ErrorBody>('GET', '/api/compliance/export/conversations');
      expect(member.status).toBe(403);
    });

    it('stop working when malformed, unknown or revoked', async () => {
      for (const value of ['miyu_pat_short', `miyu_pat_${'A'.repeat(43)}`]) {
        const res = await anonymous().request<ErrorBody>(
          'GET',
          '/api/compliance/export/conversations',
          undefined,
          bearer(value),
        );
        expect([res.status, res.body.error.code]).toEqual([401, 'UNAUTHENTICATED']);
      }
      const scheme = await anonymous().request<ErrorBody>('GET', '/api/compliance/notice', undefined, {
        authorization: 'Basic abc',
      });
      expect(scheme.status).toBe(401);
      expect((await auditor.request('DELETE', `/api/tokens/${token.id}`)).status).toBe(204);
      const revoked = await anonymous().request<ErrorBody>(
        'GET',
        '/api/compliance/notice',
        undefined,
        bearer(token.token),
      );
      expect([revoked.status, revoked.body.error.code]).toEqual([401, 'UNAUTHENTICATED']);
      const foreign = await people.bob!.http.request<ErrorBody>('DELETE', `/api/tokens/${token.id}`);
      expect([foreign.status, foreign.body.error.code]).toEqual([404, 'API_TOKEN_NOT_FOUND']);
    });
  });

  describe('deletion policies', () => {
    let department: DepartmentDto;

    /** Backdates every message of a conversation from `seq` on. */
    const age = async (conversationId: string, days: number, fromSeq = 1) =>
      t.dataSource.query(
        `UPDATE messages SET server_ts = now() - make_interval(days => $2) WHERE conversation_id = $1 AND seq >= $3`,
        [conversationId, days, fromSeq],
      );
    /** Uploads `size` bytes of (opaque) ciphertext as `who`; returns the attachment id. */
    const upload = async (who: string, conversationId: string, size: number) => {
      const http = people[who]!.http;
      const created = await http.request<{ id: string }>('POST', `/api/conversations/${conversationId}/attachments`, {
        size,
      });
      const res = await fetch(`${t.url}/api/attachments/${created.body.id}`, {
        method: 'PATCH',
        headers: {
          cookie: http.cookie!,
          'x-csrf-token': http.csrfToken!,
          'content-type': 'application/offset+octet-stream',
          'upload-offset': '0',
        },
        body: new Uint8Array(size).fill(7),
      });
      expect(res.status).toBe(200);
      return created.body.id;
    };
    const seqs = async (conversationId: string) =>
      (
        (await t.dataSource.query(
          `SELECT seq FROM messages WHERE conversation_id = $1 AND envelope IS NOT NULL ORDER BY seq`,
          [conversationId],
        )) as Array<{ seq: string }>
      ).map((r) => Number(r.seq));

    beforeAll(async () => {
      department = (await admin.request<DepartmentDto>('POST', '/api/admin/directory/departments', { name: 'Trading' }))
        .body;
      await admin.request('PUT', `/api/admin/directory/departments/${department.id}/members/${people.dave!.id}`, {
        primary: true,
      });
    });

    it('validate their input', async () => {
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ scope: 'org', days: 0 }, 'VALIDATION_FAILED'],
        [{ scope: 'department', days: 5 }, 'VALIDATION_FAILED'],
        [{ scope: 'department', departmentId: people.alice!.id, days: 5 }, 'RETENTION_SCOPE_INVALID'],
      ];
      for (const [body, code] of cases) {
        expect((await admin.request<ErrorBody>('PUT', '/api/compliance/policies', body)).body.error.code).toBe(code);
      }
      const missing = await admin.request<ErrorBody>('DELETE', `/api/compliance/policies/${people.alice!.id}`);
      expect(missing.body.error.code).toBe('RETENTION_POLICY_NOT_FOUND');
    });

    it('delete exactly the ciphertext past its period, and nothing in a conversation under legal hold', async () => {
      // Outside: dave (Trading, 5 days) and erin (org, 30 days); a message of each at 10 and 40 days, one fresh.
      await people.dave!.device.sendText(outside.id, 'dave old');
      await people.erin!.device.sendText(outside.id, 'erin old');
      await people.erin!.device.sendText(outside.id, 'erin 10 days');
      await people.dave!.device.sendText(outside.id, 'dave fresh');
      const [pizza, daveOld, erinOld, erin10, daveFresh] = await seqs(outside.id);
      await age(outside.id, 40);
      await age(outside.id, 10, erin10!);
      await age(outside.id, 0, daveFresh!);
      await age(retained.id, 100);
      const oldFile = await upload('dave', outside.id, 100);
      const newFile = await upload('erin', outside.id, 100);
      const heldFile = await upload('bob', retained.id, 100);
      await t.dataSource.query(
        `UPDATE attachments SET created_at = now() - interval '40 days' WHERE id = ANY($1::uuid[])`,
        [[oldFile, heldFile]],
      );

      expect((await admin.request('PUT', '/api/compliance/policies', { scope: 'org', days: 30 })).status).toBe(200);
      const dept = await admin.request('PUT', '/api/compliance/policies', {
        scope: 'department',
        departmentId: department.id,
        days: 5,
      });
      expect(dept.status).toBe(200);
      const retainedBefore = await seqs(retained.id);

      const run = await admin.request<RetentionRunDto>('POST', '/api/compliance/retention/run');
      expect(run.status).toBe(200);
      // dave's 40-day-old "pizza?" and "dave old" (Trading: 5 days) and erin's 40-day-old message go; erin's
      // 10-day-old one stays (org: 30 days), so does the fresh one. The held conversation keeps everything.
      expect(await seqs(outside.id)).toEqual([erin10, daveFresh]);
      expect([pizza, daveOld, erinOld].every((s) => s !== undefined)).toBe(true);
      expect(await seqs(retained.id)).toEqual(retainedBefore);
      const download = (who: string, id: string) =>
        people[who]!.http.request('GET', `/api/attachments/${id}`).then((r) => r.status);
      expect([
        await download('erin', oldFile),
        await download('dave', newFile),
        await download('alice', heldFile),
      ]).toEqual([404, 200, 200]);
      // The bytes went too (LocalDiskBlobStore keeps <FILES_DIR>/<2 chars>/<id>).
      const onDisk = (id: string) => existsSync(join(t.config.attachments.filesDir, id.slice(0, 2), id));
      expect([onDisk(oldFile), onDisk(newFile), onDisk(heldFile)]).toEqual([false, true, true]);
      expect(run.body).toMatchObject({
        deletedMessages: 3,
        deletedAttachments: 1,
        conversations: 1,
        keptForHold: retainedBefore.length,
      });
      const again = await admin.request<RetentionRunDto>('POST', '/api/compliance/retention/run');
      expect(again.body.deletedMessages).toBe(0);
      const member = await people.dave!.http.request('POST', '/api/compliance/retention/run');
      expect(member.status).toBe(403);
    });

    it('after the hold ends, the held conversation follows the policy too', async () => {
      const ended = await admin.request<RetentionScopeDto>('DELETE', `/api/compliance/scopes/${hold.id}`);
      expect(ended.body.endedAt).not.toBeNull();
      expect((await retentionOf('bob', retained.id)).retained).toBe(false);
      const run = await admin.request<RetentionRunDto>('POST', '/api/compliance/retention/run');
      expect(run.body.keptForHold).toBe(0);
      expect(await seqs(retained.id)).toEqual([]);
      // Ending twice changes nothing; unknown scopes are named.
      expect((await admin.request('DELETE', `/api/compliance/scopes/${hold.id}`)).status).toBe(200);
      const unknown = await admin.request<ErrorBody>('DELETE', `/api/compliance/scopes/${people.alice!.id}`);
      expect(unknown.body.error.code).toBe('RETENTION_SCOPE_NOT_FOUND');
    });

    it('read old messages through the BRIN index on server_ts', async () => {
      const plan = await t.dataSource.transaction(async (m) => {
        await m.query(`SET LOCAL enable_seqscan = off`);
        return (await m.query(
          `EXPLAIN SELECT conversation_id, seq FROM messages WHERE server_ts < now() - interval '5 days'`,
        )) as Array<{ 'QUERY PLAN': string }>;
      });
      expect(plan.map((r) => r['QUERY PLAN']).join('\n')).toContain('messages_server_ts_brin');
    });
  });

  it('tells every client when the organisation name changes, and audits every change, run and export', async () => {
    const told = new Promise<void>((resolve) => people.erin!.device.socket.once('compliance:changed', () => resolve()));
    await admin.request('PUT', '/api/compliance/settings', { organisationName: 'Acme Securities' });
    await told;
    expect(
      (await people.bob!.http.request<ComplianceNotice>('GET', '/api/compliance/notice')).body.organisationName,
    ).toBe('Acme Securities');
    const policies = (await admin.request<ComplianceOverview>('GET', '/api/compliance/overview')).body.policies;
    expect((await admin.request('DELETE', `/api/compliance/policies/${policies[0]!.id}`)).status).toBe(204);
    await auditor.request('GET', '/api/compliance/export/conversations');
    await auditor.request('GET', `/api/compliance/export/messages?conversationId=${retained.id}`);
    const missing: string[] = [];
    for (const action of AUDIT_ACTIONS.filter((a) => a.startsWith('compliance.') || a.startsWith('api_token.'))) {
      for (let attempt = 0; ; attempt += 1) {
        const page = (await admin.request<AuditPage>('GET', `/api/audit/entries?action=${action}&limit=1`)).body;
        if (page.total > 0) break;
        if (attempt === 50) {
          missing.push(action);
          break;
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    expect(missing).toEqual([]);
    const rotation = (await admin.request<AuditPage>('GET', '/api/audit/entries?action=compliance.key_uploaded')).body;
    expect(rotation.items.map((e) => e.entry.context)).toContainEqual(
      expect.objectContaining({ rotation: true, fingerprint: second.file.fingerprint }),
    );
  });

  async function firstMessageSeq(conversationId: string): Promise<number> {
    const [{ seq }] = (await t.dataSource.query(
      `SELECT min(seq) AS seq FROM messages WHERE conversation_id = $1 AND envelope IS NOT NULL`,
      [conversationId],
    )) as [{ seq: string }];
    return Number(seq);
  }
});
