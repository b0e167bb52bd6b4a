import {
  bundleToJson,
  generateDeviceKeys,
  generateOneTimePrekeys,
  publicBundle,
  ready,
  toBase64Url,
} from '@miyu/crypto';
import {
  AUDIT_ACTIONS,
  type AuditAction,
  type AuditEntry,
  type AuditPage,
  type AuthState,
  type AttachmentDto,
  type ConversationDto,
  type DepartmentDto,
  type DepartmentGroupDto,
  type ImportReport,
  type MessageSendAck,
  type TotpEnrollResponse,
  type UserDto,
  type WordPolicyResponse,
} from '@miyu/protocol';
import { mkdtemp, rm } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { totpCode, totpStep } from '../../src/common/security/totp.js';
import { uuidv7 } from '../../src/common/security/uuid.js';
import { TestClient } from '../support/http-client.js';
import { createPerson, createUser, passwordOf, type Person, sendTestMessage } from '../support/people.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

type ErrorBody = { error: { code: string } };

/** Deep subset match: every key of `pattern` is in `value` with a matching value (arrays element by element). */
function matches(value: unknown, pattern: unknown): boolean {
  if (pattern === null || typeof pattern !== 'object') return Object.is(value, pattern);
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(pattern))
    return Array.isArray(value) && value.length === pattern.length && pattern.every((p, i) => matches(value[i], p));
  return Object.entries(pattern).every(([k, p]) => matches((value as Record<string, unknown>)[k], p));
}

type Pattern = { [K in keyof AuditEntry]?: unknown };

/**
 * Every action of the audit catalogue (issue 9, except the audit log's own `audit.*`), performed through the real
 * HTTP API and sockets against PostgreSQL, then read back from `GET /api/audit/entries` as an admin: right actor,
 * entity, context and result; and no entry holds message text, a password or a second-factor secret.
 */
describe('audit events of every module (real PostgreSQL)', () => {
  let t: TestServer;
  let filesDir: string;
  let admin: TestClient;
  let alice: Person;
  let bob: Person;
  let carol: Person;
  let group: ConversationDto;
  const CANARY_BODY = `canary-message-${randomUUID()}`;
  const CANARY_PASSWORD = `canary-password-${randomUUID()}`;
  /** Secrets handed out or typed during the test: none may appear in any entry. */
  const secrets: string[] = [CANARY_BODY, CANARY_PASSWORD];

  /** Polls the log (appends are batched and asynchronous) until an entry of `action` matches `pattern`. */
  async function expectEntry(action: AuditAction, pattern: Pattern, timeoutMs = 10_000): Promise<AuditEntry> {
    const deadline = Date.now() + timeoutMs;
    let seen: AuditEntry[];
    for (;;) {
      const res = await admin.request<AuditPage>('GET', `/api/audit/entries?action=${action}&limit=200`);
      expect(res.status).toBe(200);
      seen = res.body.items.map((i) => i.entry);
      const found = seen.find((e) => matches(e, pattern));
      if (found) return found;
      if (Date.now() > deadline)
        throw new Error(
          `no ${action} entry matching ${JSON.stringify(pattern)}; entries: ${JSON.stringify(seen, null, 1)}`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  const uid = (p: Person) => p.user.id;

  beforeAll(async () => {
    await ready();
    filesDir = await mkdtemp(join(tmpdir(), 'miyu-audit-files-'));
    t = await startTestServer({ LOGIN_MAX_FAILURES: '3', LOGIN_IP_LIMIT_PER_MINUTE: '1000', FILES_DIR: filesDir });
    admin = new TestClient(t.url);
    await admin.setupAdmin();
    alice = await createPerson(t.url, admin, 'alice');
    bob = await createPerson(t.url, admin, 'bob');
    carol = await createPerson(t.url, admin, 'carol');
  });
  afterAll(async () => {
    [alice, bob, carol].forEach((p) => p?.socket.disconnect());
    await t?.close();
    await rm(filesDir, { recursive: true, force: true });
  });

  describe('auth and sessions', () => {
    it('records successful sign-ins with the client address and user agent', async () => {
      await expectEntry('auth.sign_in', {
        actor: { userId: uid(alice), name: 'alice' },
        entity: { type: 'user', id: uid(alice), name: 'alice' },
        context: { sessionId: alice.http.state!.sessionId },
        result: { ok: true, reason: null },
      });
      const c = new TestClient(t.url);
      const res = await c.request<AuthState>(
        'POST',
        '/api/auth/login',
        { login: 'Bob', password: passwordOf('bob') },
        { 'user-agent': 'audit-test-agent/1.0' },
      );
      expect(res.status).toBe(200);
      const entry = await expectEntry('auth.sign_in', { context: { sessionId: res.body.sessionId } });
      expect(entry.actor).toMatchObject({ userId: uid(bob), userAgent: 'audit-test-agent/1.0' });
      expect(entry.actor.ip).toMatch(/127\.0\.0\.1/);
    });

    it('records failed sign-ins with the error code and why: unknown login, wrong password, locked', async () => {
      const c = new TestClient(t.url);
      expect((await c.login('nobody-at-all', 'whatever-password')).status).toBe(401);
      await expectEntry('auth.sign_in', {
        actor: { userId: null },
        entity: { type: 'user', id: null, name: 'nobody-at-all' },
        context: { cause: 'unknown_login' },
        result: { ok: false, reason: 'AUTH_INVALID_CREDENTIALS' },
      });

      const dave = await createUser(admin, 'dave');
      expect((await c.login('dave', CANARY_PASSWORD)).status).toBe(401);
      await expectEntry('auth.sign_in', {
        actor: { userId: null },
        entity: { type: 'user', id: dave.id, name: 'dave' },
        context: { cause: 'wrong_password' },
        result: { ok: false, reason: 'AUTH_INVALID_CREDENTIALS' },
      });
      // LOGIN_MAX_FAILURES=3: the third failure locks, and then even the right password is refused.
      await c.login('dave', 'wrong-password-2');
      expect((await c.login('dave', 'wrong-password-3')).body).toMatchObject({
        error: { code: 'AUTH_ACCOUNT_LOCKED' },
      });
      await expectEntry('auth.sign_in', {
        entity: { id: dave.id },
        context: { cause: 'wrong_password' },
        result: { ok: false, reason: 'AUTH_ACCOUNT_LOCKED' },
      });
      expect((await c.login('dave', passwordOf('dave'))).status).toBe(423);
      const locked = await expectEntry('auth.sign_in', {
        entity: { id: null, name: 'dave' },
        result: { ok: false, reason: 'AUTH_ACCOUNT_LOCKED' },
      });
      expect(locked.context).not.toHaveProperty('cause');
    });

    it('records TOTP enable and disable, and sign-ins needing or failing the second factor', async () => {
      const frank = await createUser(admin, 'frank');
      const c = new TestClient(t.url);
      await c.login('frank', passwordOf('frank'));
      const { secret } = (await c.request<TotpEnrollResponse>('POST', '/api/auth/totp/enroll')).body;
      secrets.push(secret);
      const step = totpStep(Date.now());
      const wrongCode = [-2, -1, 0, 1, 2].some((d) => totpCode(secret, step + d) === '000000') ? '111111' : '000000';
      expect((await c.request('POST', '/api/auth/totp/confirm', { code: wrongCode })).body).toMatchObject({
        error: { code: 'AUTH_TOTP_INVALID' },
      });
      await expectEntry('auth.totp_enabled', {
        actor: { userId: frank.id },
        entity: { type: 'user', id: frank.id },
        result: { ok: false, reason: 'AUTH_TOTP_INVALID' },
      });
      const confirm = await c.request<{ recoveryCodes: string[] }>('POST', '/api/auth/totp/confirm', {
        code: totpCode(secret, step),
      });
      expect(confirm.status).toBe(200);
      secrets.push(...confirm.body.recoveryCodes);
      await expectEntry('auth.totp_enabled', {
        actor: { userId: frank.id },
        entity: { type: 'user', id: frank.id, name: 'frank' },
        context: { recoveryCodes: 10 },
        result: { ok: true },
      });

      const next = new TestClient(t.url);
      expect((await next.login('frank', passwordOf('frank'))).body).toMatchObject({
        error: { code: 'AUTH_TOTP_REQUIRED' },
      });
      await expectEntry('auth.sign_in', {
        entity: { id: frank.id },
        context: { cause: 'second_factor_missing' },
        result: { ok: false, reason: 'AUTH_TOTP_REQUIRED' },
      });
      expect((await next.login('frank', passwordOf('frank'), { totpCode: wrongCode })).body).toMatchObject({
        error: { code: 'AUTH_TOTP_INVALID' },
      });
      await expectEntry('auth.sign_in', {
        entity: { id: frank.id },
        context: { cause: 'wrong_second_factor', secondFactor: 'totp' },
        result: { ok: false, reason: 'AUTH_TOTP_INVALID' },
      });
      expect((await next.login('frank', passwordOf('frank'), { totpCode: totpCode(secret, step + 1) })).status).toBe(
        200,
      );
      await expectEntry('auth.sign_in', {
        actor: { userId: frank.id },
        context: { sessionId: next.state!.sessionId, secondFactor: 'totp' },
        result: { ok: true },
      });

      expect((await c.request('POST', '/api/auth/totp/disable', { password: CANARY_PASSWORD })).status).toBe(400);
      await expectEntry('auth.totp_disabled', {
        entity: { id: frank.id },
        result: { ok: false, reason: 'AUTH_PASSWORD_INVALID' },
      });
      expect((await c.request('POST', '/api/auth/totp/disable', { password: passwordOf('frank') })).status).toBe(204);
      await expectEntry('auth.totp_disabled', {
        actor: { userId: frank.id },
        entity: { type: 'user', id: frank.id },
        context: { wasEnabled: true },
        result: { ok: true },
      });
    });

    it('records password changes (ending the other sessions), revocations and sign-outs', async () => {
      const grace = await createUser(admin, 'grace');
      const c = new TestClient(t.url);
      const other = new TestClient(t.url);
      const third = new TestClient(t.url);
      await c.login('grace', passwordOf('grace'));
      await other.login('grace', passwordOf('grace'));
      await third.login('grace', passwordOf('grace'));

      expect((await c.request('DELETE', `/api/auth/sessions/${third.state!.sessionId}`)).status).toBe(204);
      await expectEntry('session.revoked', {
        actor: { userId: grace.id },
        entity: { type: 'session', id: third.state!.sessionId },
        context: { userId: grace.id, reason: 'revoked' },
        result: { ok: true },
      });

      const newPassword = 'grace-new-password-2';
      secrets.push(newPassword);
      const wrong = await c.request('POST', '/api/auth/password', { currentPassword: CANARY_PASSWORD, newPassword });
      expect(wrong.status).toBe(400);
      await expectEntry('auth.password_changed', {
        entity: { id: grace.id },
        result: { ok: false, reason: 'AUTH_PASSWORD_INVALID' },
      });
      const changed = await c.request('POST', '/api/auth/password', {
        currentPassword: passwordOf('grace'),
        newPassword,
      });
      expect(changed.status).toBe(204);
      await expectEntry('auth.password_changed', {
        actor: { userId: grace.id },
        entity: { type: 'user', id: grace.id, name: 'grace' },
        context: { sessionsRevoked: 1 },
        result: { ok: true },
      });
      await expectEntry('session.revoked', {
        entity: { id: other.state!.sessionId },
        context: { reason: 'password_changed' },
      });

      expect((await c.request('POST', '/api/auth/logout')).status).toBe(204);
      await expectEntry('auth.sign_out', {
        actor: { userId: grace.id },
        entity: { type: 'session', id: c.state!.sessionId },
        result: { ok: true },
      });
    });
  });

  describe('devices and keys', () => {
    it('records devices added and removed, and one record per prekey upload with its count', async () => {
      await expectEntry('device.added', {
        actor: { userId: uid(alice) },
        entity: { type: 'device', id: alice.deviceId, name: 'test' },
        context: { userId: uid(alice), oneTimePrekeys: 2 },
      });
      const base = generateDeviceKeys({ userId: uid(bob), deviceId: uuidv7() });
      const { keys, prekeys } = generateOneTimePrekeys(base, 1);
      const deviceId = keys.identity.deviceId;
      const registered = await bob.http.request('POST', '/api/devices', {
        name: 'Second laptop',
        bundle: bundleToJson(publicBundle(keys, prekeys)),
      });
      expect(registered.status).toBe(201);
      const more = generateOneTimePrekeys(keys, 3).prekeys;
      const refill = await bob.http.request('POST', `/api/devices/${deviceId}/prekeys`, {
        oneTimePrekeys: more.map((p) => ({ id: p.id, publicKey: toBase64Url(p.keyPair.publicKey) })),
      });
      expect(refill.status).toBe(201);
      await expectEntry('keys.prekeys_added', {
        actor: { userId: uid(bob), deviceId },
        entity: { type: 'device', id: deviceId, name: 'Second laptop' },
        context: { count: 3, available: 4 },
      });
      expect((await bob.http.request('DELETE', `/api/devices/${deviceId}`)).status).toBe(204);
      await expectEntry('device.removed', {
        actor: { userId: uid(bob) },
        entity: { type: 'device', id: deviceId },
        context: { userId: uid(bob), reason: 'removed_by_user' },
      });
    });
  });

  describe('users', () => {
    it('records accounts created, updated (before and after), role changes, disabling, enabling, passwords set', async () => {
      const adminId = admin.state!.user.id;
      const erin = await createUser(admin, 'erin', 'Erin');
      await expectEntry('user.created', {
        actor: { userId: adminId, name: 'Admin' },
        entity: { type: 'user', id: erin.id, name: 'erin' },
        context: { source: 'admin', displayName: 'Erin', role: 'member' },
      });
      await expectEntry('user.created', {
        actor: { userId: adminId },
        entity: { id: adminId, name: 'admin' },
        context: { source: 'setup', role: 'admin' },
      });
      const patch = (body: Record<string, unknown>) =>
        admin.request<UserDto>('PATCH', `/api/admin/users/${erin.id}`, body);
      expect((await patch({ displayName: 'Erin Li', employeeNo: 'E42' })).status).toBe(200);
      await expectEntry('user.updated', {
        actor: { userId: adminId },
        entity: { type: 'user', id: erin.id },
        context: {
          changes: { displayName: { before: 'Erin', after: 'Erin Li' }, employeeNo: { before: null, after: 'E42' } },
        },
      });
      expect((await patch({ role: 'auditor' })).status).toBe(200);
      await expectEntry('user.role_changed', {
        actor: { userId: adminId },
        entity: { id: erin.id },
        context: { before: 'member', after: 'auditor' },
      });
      expect((await patch({ status: 'disabled' })).status).toBe(200);
      await expectEntry('user.disabled', {
        actor: { userId: adminId },
        entity: { id: erin.id },
        context: { before: 'active', after: 'disabled' },
      });
      expect((await patch({ status: 'active' })).status).toBe(200);
      await expectEntry('user.enabled', { entity: { id: erin.id }, context: { before: 'disabled', after: 'active' } });
      const newPassword = 'erin-set-by-admin-1';
      secrets.push(newPassword);
      expect(
        (await admin.request('POST', `/api/admin/users/${erin.id}/password`, { password: newPassword })).status,
      ).toBe(204);
      await expectEntry('user.password_set', {
        actor: { userId: adminId },
        entity: { type: 'user', id: erin.id, name: 'erin' },
        context: { sessionsRevoked: 0 },
      });
      // A person's own profile change is audited too.
      expect((await carol.http.request('PATCH', '/api/auth/profile', { displayName: 'Carol C' })).status).toBe(200);
      await expectEntry('user.updated', {
        actor: { userId: uid(carol) },
        entity: { id: uid(carol) },
        context: { source: 'profile', changes: { displayName: { before: 'carol', after: 'Carol C' } } },
      });
    });
  });

  describe('directory', () => {
    it('records departments created, updated, moved and deleted, memberships, groups and imports', async () => {
      const adminId = admin.state!.user.id;
      const post = <T>(path: string, body: unknown) => admin.request<T>('POST', `/api/admin/directory${path}`, body);
      const hq = (await post<DepartmentDto>('/departments', { name: '审计总部', parentId: null, code: 'AUD' })).body;
      await expectEntry('department.created', {
        actor: { userId: adminId },
        entity: { type: 'department', id: hq.id, name: '审计总部' },
        context: { parentId: null, code: 'AUD' },
      });
      const sales = (await post<DepartmentDto>('/departments', { name: '销售', parentId: hq.id })).body;
      const rd = (await post<DepartmentDto>('/departments', { name: '研发', parentId: hq.id })).body;
      const renamed = await admin.request('PATCH', `/api/admin/directory/departments/${rd.id}`, { name: '研发中心' });
      expect(renamed.status).toBe(200);
      await expectEntry('department.updated', {
        entity: { type: 'department', id: rd.id, name: '研发中心' },
        context: { changes: { name: { before: '研发', after: '研发中心' } } },
      });
      expect((await post(`/departments/${rd.id}/move`, { parentId: sales.id })).status).toBe(200);
      await expectEntry('department.moved', {
        actor: { userId: adminId },
        entity: { type: 'department', id: rd.id, name: '研发中心' },
        context: { fromParentId: hq.id, toParentId: sales.id },
      });

      const member = `/api/admin/directory/departments/${rd.id}/members/${uid(alice)}`;
      expect((await admin.request('PUT', member, { title: '工程师' })).status).toBe(200);
      await expectEntry('department.member_added', {
        actor: { userId: adminId },
        entity: { type: 'department', id: rd.id },
        context: { userId: uid(alice), change: 'added', primary: true, title: '工程师' },
      });
      // A department group is a conversation: created by the admin, its members follow the directory.
      const dg = await post<DepartmentGroupDto>('/groups', { departmentId: rd.id, includeSubdepartments: false });
      expect(dg.status).toBe(201);
      await expectEntry('conversation.created', {
        actor: { userId: adminId },
        entity: { type: 'conversation', id: dg.body.id, name: '研发中心' },
        context: { kind: 'department', departmentId: rd.id },
      });
      await expectEntry('conversation.member_added', {
        entity: { id: dg.body.id },
        context: { userIds: [uid(alice)], source: 'directory' },
      });
      expect((await admin.request('DELETE', member)).status).toBe(204);
      await expectEntry('department.member_removed', {
        actor: { userId: adminId },
        entity: { type: 'department', id: rd.id },
        context: { userId: uid(alice) },
      });

      const temp = (await post<DepartmentDto>('/departments', { name: '临时', parentId: null })).body;
      expect((await admin.request('DELETE', `/api/admin/directory/departments/${temp.id}`)).status).toBe(204);
      await expectEntry('department.deleted', {
        actor: { userId: adminId },
        entity: { type: 'department', id: temp.id, name: '临时' },
      });

      const csv = [
        'kind,code,name,name_en,parent_code,sort_order,login,display_name,employee_no,email,phone,department_code,title,manager_employee_no,primary',
        'department,AUD-IMP,导入部,,AUD,,,,,,,,,,',
        'person,,,,,,henry,亨利,E7001,,,AUD-IMP,,,',
      ].join('\n');
      const imported = await fetch(`${t.url}/api/admin/directory/import?format=csv&dryRun=false`, {
        method: 'POST',
        headers: { cookie: admin.cookie!, 'x-csrf-token': admin.csrfToken!, 'content-type': 'text/csv' },
        body: csv,
      });
      expect(imported.status).toBe(200);
      expect(((await imported.json()) as ImportReport).ok).toBe(true);
      await expectEntry('directory.imported', {
        actor: { userId: adminId },
        entity: { type: 'import' },
        context: { rows: 2, departmentsCreated: 1, peopleCreated: 1, membershipsSet: 1 },
      });
    });
  });

  describe('messaging', () => {
    it('records conversations created, updated, members added, removed and their roles changed', async () => {
      const res = await alice.http.request<ConversationDto>('POST', '/api/conversations', {
        kind: 'group',
        name: '审计组',
        memberIds: [uid(bob)],
      });
      expect(res.status).toBe(201);
      group = res.body;
      await expectEntry('conversation.created', {
        actor: { userId: uid(alice) },
        entity: { type: 'conversation', id: group.id, name: '审计组' },
        context: { kind: 'group', memberIds: [uid(alice), uid(bob)] },
      });
      const direct = await alice.http.request<ConversationDto>('POST', '/api/conversations', {
        kind: 'direct',
        userId: uid(carol),
      });
      await expectEntry('conversation.created', {
        entity: { id: direct.body.id },
        context: { kind: 'direct', memberIds: [uid(alice), uid(carol)] },
      });

      const renamed = await alice.http.request('PATCH', `/api/conversations/${group.id}`, {
        name: '审计小组',
        topic: '周会',
      });
      expect(renamed.status).toBe(200);
      await expectEntry('conversation.updated', {
        actor: { userId: uid(alice) },
        entity: { type: 'conversation', id: group.id, name: '审计小组' },
        context: { changes: { name: { before: '审计组', after: '审计小组' }, topic: { before: null, after: '周会' } } },
      });
      const added = await alice.http.request('POST', `/api/conversations/${group.id}/members`, {
        userIds: [uid(carol)],
      });
      expect(added.status).toBe(200);
      await expectEntry('conversation.member_added', {
        actor: { userId: uid(alice) },
        entity: { type: 'conversation', id: group.id },
        context: { userIds: [uid(carol)] },
      });
      const role = await alice.http.request('PUT', `/api/conversations/${group.id}/members/${uid(bob)}/role`, {
        role: 'admin',
      });
      expect(role.status).toBe(200);
      await expectEntry('conversation.role_changed', {
        actor: { userId: uid(alice) },
        entity: { type: 'conversation', id: group.id },
        context: { userId: uid(bob), before: 'member', after: 'admin' },
      });
      expect((await alice.http.request('DELETE', `/api/conversations/${group.id}/members/${uid(carol)}`)).status).toBe(
        204,
      );
      await expectEntry('conversation.member_removed', {
        actor: { userId: uid(alice) },
        entity: { type: 'conversation', id: group.id },
        context: { userIds: [uid(carol)], left: false, role: 'member' },
      });
    });

    it('records messages sent (metadata only, from the socket with the device) and recalled', async () => {
      const ack = await sendTestMessage(alice, group.id, CANARY_BODY);
      expect(ack.ok).toBe(true);
      const seq = (ack as { data: MessageSendAck }).data.seq;
      const sent = await expectEntry('message.sent', {
        actor: { userId: uid(alice), deviceId: alice.deviceId },
        entity: { type: 'message', id: `${group.id}:${seq}` },
        context: { conversationId: group.id, seq, mentionsAll: false },
        result: { ok: true },
      });
      expect(sent.actor.ip).toMatch(/127\.0\.0\.1/);
      expect(sent.context!.bytes).toEqual(expect.any(Number));
      expect(sent.context!.bytes as number).toBeGreaterThan(CANARY_BODY.length);
      expect(sent.context!.clientMsgId).toEqual(expect.any(String));

      const recall = await alice.socket
        .timeout(10_000)
        .emitWithAck('message:recall', { conversationId: group.id, seq });
      expect(recall).toEqual({ ok: true, data: { seq } });
      const recalled = await expectEntry('message.recalled', {
        actor: { userId: uid(alice), deviceId: alice.deviceId },
        entity: { type: 'message', id: `${group.id}:${seq}` },
        context: { conversationId: group.id, seq, senderUserId: uid(alice), byAdmin: false },
      });
      expect(recalled.actor.ip).toMatch(/127\.0\.0\.1/);
    });

    it('records uploaded attachments with their size and conversation', async () => {
      const created = await alice.http.request<AttachmentDto>('POST', `/api/conversations/${group.id}/attachments`, {
        size: 1000,
      });
      expect(created.status).toBe(201);
      const piece = await fetch(`${t.url}/api/attachments/${created.body.id}`, {
        method: 'PATCH',
        headers: {
          cookie: alice.http.cookie!,
          'x-csrf-token': alice.http.csrfToken!,
          'content-type': 'application/offset+octet-stream',
          'upload-offset': '0',
        },
        body: new Uint8Array(1000).fill(7),
      });
      expect(piece.status).toBe(200);
      await expectEntry('attachment.uploaded', {
        actor: { userId: uid(alice) },
        entity: { type: 'attachment', id: created.body.id },
        context: { conversationId: group.id, size: 1000, digest: false },
      });
    });

    it('records messaging settings changes with before and after, including the receipts policy', async () => {
      const res = await admin.request('PUT', '/api/admin/settings/messaging', {
        recallWindowMinutes: 7,
        receiptsPolicy: 'optional',
        notificationPreviews: true,
      });
      expect(res.status).toBe(200);
      const entry = await expectEntry('messaging_settings.updated', {
        actor: { userId: admin.state!.user.id },
        entity: { type: 'settings', id: 'messaging' },
        context: {
          changes: { recallWindowMinutes: { after: 7 }, receiptsPolicy: { before: 'enforced', after: 'optional' } },
        },
      });
      // Unchanged values are not listed as changes.
      expect(entry.context!.changes).not.toHaveProperty('notificationPreviews');
    });
  });

  describe('word policy', () => {
    it('records each published version with what changed, and every filed hit without any text', async () => {
      const adminId = admin.state!.user.id;
      const wp = (method: string, path: string, body?: unknown) =>
        admin.request<{ id: string; version: number } & ErrorBody>(method, `/api/admin/word-policy${path}`, body);
      const rule = await wp('POST', '/rules', { type: 'word', pattern: '内幕', category: '保密', action: 'flag' });
      expect(rule.status).toBe(201);
      await expectEntry('word_policy.published', {
        actor: { userId: adminId },
        entity: { type: 'word_policy', id: String(rule.body.version) },
        context: {
          version: rule.body.version,
          change: 'rule_added',
          ruleId: rule.body.id,
          rule: { type: 'word', pattern: '内幕', category: '保密', action: 'flag' },
        },
      });
      const updated = await wp('PUT', `/rules/${rule.body.id}`, {
        type: 'word',
        pattern: '内幕',
        category: '保密',
        action: 'block',
      });
      await expectEntry('word_policy.published', {
        context: {
          version: updated.body.version,
          change: 'rule_updated',
          before: { action: 'flag' },
          after: { action: 'block' },
        },
      });
      const allow = await wp('POST', '/whitelist', { phrase: '内幕交易法' });
      await expectEntry('word_policy.published', {
        context: { version: allow.body.version, change: 'whitelist_added', phrase: '内幕交易法' },
      });
      const options = await wp('PATCH', '/options', { foldTraditional: false });
      await expectEntry('word_policy.published', {
        context: {
          version: options.body.version,
          change: 'options',
          changes: { foldTraditional: { before: true, after: false } },
        },
      });
      const imported = await wp('POST', '/import', {
        rows: [
          { word: '代考', category: null, action: null },
          { word: '内幕', category: '保密', action: 'flag' },
        ],
        defaultCategory: '考试',
        defaultAction: 'warn',
      });
      expect(imported.status).toBe(200);
      await expectEntry('word_policy.published', {
        context: { version: imported.body.version, change: 'import', rows: 2, added: 1, updated: 1 },
      });
      const doomed = await wp('POST', '/rules', { type: 'word', pattern: '删掉', category: 'x', action: 'warn' });
      const deleted = await wp('DELETE', `/rules/${doomed.body.id}`);
      expect(deleted.status).toBe(200);
      await expectEntry('word_policy.published', {
        context: { version: deleted.body.version, change: 'rule_deleted', ruleId: doomed.body.id },
      });

      // A client files a hit (content-free); the server files its own when a group name trips a rule.
      const policy = (await alice.http.request<WordPolicyResponse>('GET', '/api/word-policy')).body.policy!;
      const clientMsgId = randomUUID();
      const filed = await alice.http.request<{ filed: number }>('POST', '/api/word-policy/hits', {
        policyVersion: policy.version,
        hits: [{ ruleId: rule.body.id, action: 'flag', conversationId: group.id, clientMsgId }],
      });
      expect(filed.body.filed).toBe(1);
      await expectEntry('word_filter.hit', {
        actor: { userId: uid(alice) },
        entity: { type: 'word_policy', id: rule.body.id },
        context: {
          ruleId: rule.body.id,
          category: '保密',
          action: 'flag',
          source: 'message',
          conversationId: group.id,
          clientMsgId,
          policyVersion: policy.version,
        },
      });
      const renamed = await alice.http.request('PATCH', `/api/conversations/${group.id}`, { topic: '讨论代考安排' });
      expect(renamed.status).toBe(200);
      const hit = await expectEntry('word_filter.hit', {
        actor: { userId: uid(alice) },
        context: { category: '考试', action: 'warn', source: 'group_topic', conversationId: group.id },
      });
      expect(JSON.stringify(hit)).not.toContain('讨论');
    });
  });

  describe('the whole log', () => {
    it('has at least one entry of every action of the catalogue (but the audit log’s own)', async () => {
      const missing: string[] = [];
      for (const action of AUDIT_ACTIONS) {
        // The compliance and API token actions are proven in compliance.int-spec.ts.
        if (
          action.startsWith('audit.') ||
          action.startsWith('compliance.') ||
          action.startsWith('api_token.') ||
          action.startsWith('ldap.') ||
          action.startsWith('webhook.') ||
          action.startsWith('oidc.')
        )
          continue;
        const page = (await admin.request<AuditPage>('GET', `/api/audit/entries?action=${action}&limit=1`)).body;
        if (page.total === 0) missing.push(action);
      }
      expect(missing).toEqual([]);
    });

    it('holds no message text, password, TOTP secret or recovery code', async () => {
      const all: unknown[] = [];
      for (let offset = 0; ; offset += 200) {
        const page = (await admin.request<AuditPage>('GET', `/api/audit/entries?limit=200&offset=${offset}`)).body;
        all.push(...page.items);
        if (offset + 200 >= page.total) break;
      }
      expect(all.length).toBeGreaterThan(50);
      const text = JSON.stringify(all);
      for (const secret of secrets) expect(text).not.toContain(secret);
      expect(text).not.toContain('"password"');
    });
  });
});
