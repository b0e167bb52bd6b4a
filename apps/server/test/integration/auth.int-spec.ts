import type { AuthState, SessionDto, TotpEnrollResponse, UserDto } from '@miyu/protocol';
import { totpCode, totpStep } from '../../src/common/security/totp.js';
import { ThrottleRepository } from '../../src/modules/auth/throttle.repository.js';
import { TestClient } from '../support/http-client.js';
import { startTestServer, TEST_SETUP_TOKEN, type TestServer } from '../support/test-server.js';

describe('accounts and sessions (real PostgreSQL)', () => {
  let t: TestServer;
  let admin: TestClient;

  beforeAll(async () => {
    t = await startTestServer({ LOGIN_MAX_FAILURES: '3', LOGIN_IP_LIMIT_PER_MINUTE: '1000' });
    admin = new TestClient(t.url);
  });
  afterAll(async () => {
    await t.close();
  });

  async function createUser(login: string, password = 'member-password-1', role = 'member'): Promise<UserDto> {
    const res = await admin.request<UserDto>('POST', '/api/admin/users', { login, displayName: login, password, role });
    expect(res.status).toBe(201);
    return res.body;
  }

  describe('first-run setup', () => {
    it('reports that setup is needed and refuses a wrong token', async () => {
      const anon = new TestClient(t.url);
      expect((await anon.request('GET', '/api/setup/status')).body).toEqual({ needsSetup: true });
      const bad = await anon.request<{ error: { code: string } }>('POST', '/api/setup/admin', {
        token: 'wrong-token-wrong-token',
        login: 'mallory',
        displayName: 'M',
        password: 'mallory-password',
      });
      expect(bad.status).toBe(403);
      expect(bad.body.error.code).toBe('SETUP_TOKEN_INVALID');
    });

    it('creates the first admin with the token, signs them in, and then refuses a second setup', async () => {
      const state = await admin.setupAdmin();
      expect(state.user.role).toBe('admin');
      expect(admin.cookie).toMatch(/^miyu_session=/);
      expect((await admin.request('GET', '/api/setup/status')).body).toEqual({ needsSetup: false });
      const again = await new TestClient(t.url).request<{ error: { code: string } }>('POST', '/api/setup/admin', {
        token: TEST_SETUP_TOKEN,
        login: 'second',
        displayName: 'Second',
        password: 'second-password',
      });
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('SETUP_ALREADY_DONE');
    });
  });

  describe('login', () => {
    it('sets an httpOnly, SameSite=Strict session cookie and returns a CSRF token', async () => {
      await createUser('alice');
      const res = await fetch(`${t.url}/api/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: 'Alice', password: 'member-password-1' }),
      });
      expect(res.status).toBe(200);
      const cookie = res.headers.get('set-cookie') ?? '';
      expect(cookie).toMatch(/miyu_session=[A-Za-z0-9_-]{43}/);
      expect(cookie).toMatch(/HttpOnly/i);
      expect(cookie).toMatch(/SameSite=Strict/i);
      const body = (await res.json()) as AuthState;
      expect(body.user.login).toBe('alice');
      expect(body.csrfToken.length).toBeGreaterThan(20);
    });

    it('gives the same generic error for an unknown user and a wrong password', async () => {
      const c = new TestClient(t.url);
      const unknown = await c.login('nobody-here', 'whatever-password');
      const wrong = await c.login('alice', 'wrong-password!');
      expect(unknown.status).toBe(401);
      expect(wrong.status).toBe(401);
      expect(unknown.body).toMatchObject({ error: { code: 'AUTH_INVALID_CREDENTIALS' } });
      expect((unknown.body as unknown as { error: { message: string } }).error.message).toBe(
        (wrong.body as unknown as { error: { message: string } }).error.message,
      );
    });

    it('locks an account after repeated failures, with Retry-After, and also locks unknown names', async () => {
      await createUser('bob');
      const c = new TestClient(t.url);
      for (let i = 0; i < 2; i++) expect((await c.login('bob', 'bad-password-x')).status).toBe(401);
      const third = await c.login('bob', 'bad-password-x');
      expect(third.status).toBe(423);
      expect(third.body).toMatchObject({ error: { code: 'AUTH_ACCOUNT_LOCKED' } });
      expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
      // Even the right password is refused while locked.
      expect((await c.login('bob', 'member-password-1')).status).toBe(423);
      // An unknown name behaves the same, so a lockout does not reveal that an account exists.
      for (let i = 0; i < 2; i++) await c.login('ghost-user', 'bad-password-x');
      expect((await c.login('ghost-user', 'bad-password-x')).status).toBe(423);
    });

    it('prunes throttle rows idle for a day, keeping recent ones and active lockouts', async () => {
      await t.dataSource.query(
        `INSERT INTO auth_throttle (key, window_start, attempts, failures, locked_until) VALUES
           ('ip:old', now() - interval '2 days', 3, 0, NULL),
           ('login:locked', now() - interval '2 days', 0, 0, now() + interval '1 hour'),
           ('ip:recent', now(), 1, 0, NULL)`,
      );
      const removed = await t.server.app.get(ThrottleRepository).prune();
      expect(removed).toBeGreaterThanOrEqual(1);
      const keys = (await t.dataSource.query(
        `SELECT key FROM auth_throttle WHERE key IN ('ip:old', 'login:locked', 'ip:recent')`,
      )) as Array<{ key: string }>;
      expect(keys.map((k) => k.key).sort()).toEqual(['ip:recent', 'login:locked']);
    });

    it('refuses a disabled account with the generic error', async () => {
      const carol = await createUser('carol');
      expect((await admin.request('PATCH', `/api/admin/users/${carol.id}`, { status: 'disabled' })).status).toBe(200);
      const res = await new TestClient(t.url).login('carol', 'member-password-1');
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ error: { code: 'AUTH_INVALID_CREDENTIALS' } });
    });
  });

  describe('sessions', () => {
    it('rejects missing, forged and revoked session cookies', async () => {
      const anon = new TestClient(t.url);
      expect((await anon.request('GET', '/api/auth/session')).body).toMatchObject({
        error: { code: 'UNAUTHENTICATED' },
      });
      anon.cookie = 'miyu_session=forged-token-that-does-not-exist-anywhere-000';
      expect((await anon.request('GET', '/api/auth/session')).status).toBe(401);

      const c = new TestClient(t.url);
      await c.login('alice', 'member-password-1');
      const cookie = c.cookie;
      expect((await c.request('POST', '/api/auth/logout')).status).toBe(204);
      const replay = new TestClient(t.url);
      replay.cookie = cookie;
      const res = await replay.request('GET', '/api/auth/session');
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ error: { code: 'SESSION_EXPIRED' } });
    });

    it('treats a session past its expiry as expired', async () => {
      const c = new TestClient(t.url);
      const { body } = await c.login('alice', 'member-password-1');
      await t.dataSource.query(`UPDATE sessions SET expires_at = now() - interval '1 second' WHERE id = $1`, [
        body.sessionId,
      ]);
      const res = await c.request('GET', '/api/auth/session');
      expect(res.body).toMatchObject({ error: { code: 'SESSION_EXPIRED' } });
    });

    it('requires the CSRF token and a same-origin Origin on state-changing requests', async () => {
      const c = new TestClient(t.url);
      await c.login('alice', 'member-password-1');
      const missing = await c.request('POST', '/api/auth/sessions/revoke-others', undefined, { 'x-csrf-token': '' });
      expect(missing.status).toBe(403);
      expect(missing.body).toMatchObject({ error: { code: 'CSRF_INVALID' } });
      const wrong = await c.request('POST', '/api/auth/sessions/revoke-others', undefined, { 'x-csrf-token': 'nope' });
      expect(wrong.status).toBe(403);
      const crossSite = await c.request('POST', '/api/auth/sessions/revoke-others', undefined, {
        origin: 'https://evil.example',
      });
      expect(crossSite.status).toBe(403);
      const crossSiteLogin = await new TestClient(t.url).request(
        'POST',
        '/api/auth/login',
        { login: 'alice', password: 'member-password-1' },
        {
          origin: 'https://evil.example',
        },
      );
      expect(crossSiteLogin.status).toBe(403);
      expect((await c.request('POST', '/api/auth/sessions/revoke-others')).status).toBe(200);
    });

    it('lists sessions, revokes one, and signs out the others', async () => {
      const a = new TestClient(t.url);
      const b = new TestClient(t.url);
      const c = new TestClient(t.url);
      await a.login('alice', 'member-password-1');
      await b.login('alice', 'member-password-1');
      await c.login('alice', 'member-password-1');
      const list = await a.request<SessionDto[]>('GET', '/api/auth/sessions');
      expect(list.body.filter((s) => s.current)).toHaveLength(1);
      expect(list.body.length).toBeGreaterThanOrEqual(3);
      expect((await a.request('DELETE', `/api/auth/sessions/${b.state!.sessionId}`)).status).toBe(204);
      expect((await b.request('GET', '/api/auth/session')).status).toBe(401);
      const others = await a.request<{ revoked: number }>('POST', '/api/auth/sessions/revoke-others');
      expect(others.body.revoked).toBeGreaterThanOrEqual(1);
      expect((await c.request('GET', '/api/auth/session')).status).toBe(401);
      expect((await a.request('GET', '/api/auth/session')).status).toBe(200);
      // Someone else's session id is not found, not revoked.
      const adminSessions = await admin.request<SessionDto[]>('GET', '/api/auth/sessions');
      const res = await a.request('DELETE', `/api/auth/sessions/${adminSessions.body[0]!.id}`);
      expect(res.status).toBe(404);
    });

    it('changing the password ends the other sessions and needs the current password', async () => {
      await createUser('dave', 'dave-password-1');
      const a = new TestClient(t.url);
      const b = new TestClient(t.url);
      await a.login('dave', 'dave-password-1');
      await b.login('dave', 'dave-password-1');
      const wrong = await a.request('POST', '/api/auth/password', {
        currentPassword: 'nope-nope',
        newPassword: 'dave-password-2',
      });
      expect(wrong.body).toMatchObject({ error: { code: 'AUTH_PASSWORD_INVALID' } });
      const short = await a.request('POST', '/api/auth/password', {
        currentPassword: 'dave-password-1',
        newPassword: 'short',
      });
      expect(short.status).toBe(400);
      expect(short.body).toMatchObject({ error: { code: 'VALIDATION_FAILED', details: [{ path: 'newPassword' }] } });
      expect(
        (
          await a.request('POST', '/api/auth/password', {
            currentPassword: 'dave-password-1',
            newPassword: 'dave-password-2',
          })
        ).status,
      ).toBe(204);
      expect((await b.request('GET', '/api/auth/session')).status).toBe(401);
      expect((await a.request('GET', '/api/auth/session')).status).toBe(200);
      expect((await new TestClient(t.url).login('dave', 'dave-password-2')).status).toBe(200);
    });

    it('ends every session of a user an admin disables', async () => {
      const erin = await createUser('erin');
      const c = new TestClient(t.url);
      await c.login('erin', 'member-password-1');
      await admin.request('PATCH', `/api/admin/users/${erin.id}`, { status: 'disabled' });
      expect((await c.request('GET', '/api/auth/session')).status).toBe(401);
      const active = await t.dataSource.query(
        `SELECT count(*)::int AS n FROM sessions WHERE user_id = $1 AND revoked_at IS NULL`,
        [erin.id],
      );
      expect(active[0].n).toBe(0);
    });
  });

  describe('two-factor authentication (TOTP)', () => {
    it('enrols, then requires a code at sign-in, accepts a code once, and accepts a recovery code once', async () => {
      await createUser('frank', 'frank-password-1');
      const c = new TestClient(t.url);
      await c.login('frank', 'frank-password-1');
      const enrol = await c.request<TotpEnrollResponse>('POST', '/api/auth/totp/enroll');
      expect(enrol.body.otpauthUrl).toMatch(/^otpauth:\/\/totp\/Miyu:frank\?secret=/);
      const secret = enrol.body.secret;
      const confirmStep = totpStep(Date.now());
      const wrongCode = [-1, 0, 1].some((d) => totpCode(secret, confirmStep + d) === '000000') ? '111111' : '000000';
      expect((await c.request('POST', '/api/auth/totp/confirm', { code: wrongCode })).body).toMatchObject({
        error: { code: 'AUTH_TOTP_INVALID' },
      });
      const confirm = await c.request<{ recoveryCodes: string[] }>('POST', '/api/auth/totp/confirm', {
        code: totpCode(secret, confirmStep),
      });
      expect(confirm.status).toBe(200);
      expect(confirm.body.recoveryCodes).toHaveLength(10);

      const next = new TestClient(t.url);
      expect((await next.login('frank', 'frank-password-1')).body).toMatchObject({
        error: { code: 'AUTH_TOTP_REQUIRED' },
      });
      // The code used to confirm cannot be replayed; the next time step's code works once.
      expect((await next.login('frank', 'frank-password-1', { totpCode: totpCode(secret, confirmStep) })).status).toBe(
        401,
      );
      const fresh = totpCode(secret, confirmStep + 1);
      expect((await next.login('frank', 'frank-password-1', { totpCode: fresh })).status).toBe(200);
      expect((await new TestClient(t.url).login('frank', 'frank-password-1', { totpCode: fresh })).body).toMatchObject({
        error: { code: 'AUTH_TOTP_INVALID' },
      });

      const code = confirm.body.recoveryCodes[0]!;
      expect((await new TestClient(t.url).login('frank', 'frank-password-1', { recoveryCode: code })).status).toBe(200);
      expect((await new TestClient(t.url).login('frank', 'frank-password-1', { recoveryCode: code })).status).toBe(401);

      expect((await c.request('POST', '/api/auth/totp/disable', { password: 'frank-password-1' })).status).toBe(204);
      expect((await new TestClient(t.url).login('frank', 'frank-password-1')).status).toBe(200);
    });
  });

  describe('administration', () => {
    it('forbids members from admin endpoints', async () => {
      const c = new TestClient(t.url);
      await c.login('alice', 'member-password-1');
      const res = await c.request('GET', '/api/admin/users');
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ error: { code: 'FORBIDDEN' } });
    });

    it('lists and searches users with paging', async () => {
      const page = await admin.request<{ items: UserDto[]; total: number }>('GET', '/api/admin/users?q=ali&limit=5');
      expect(page.body.items.map((u) => u.login)).toEqual(['alice']);
      const bad = await admin.request('GET', '/api/admin/users?limit=100000');
      expect(bad.status).toBe(400);
    });

    it('lets an admin set a password for an account, ending its sessions', async () => {
      const gina = (
        await admin.request<UserDto>('POST', '/api/admin/users', {
          login: 'gina',
          displayName: 'gina',
          password: 'gina-password-1',
        })
      ).body;
      const c = new TestClient(t.url);
      await c.login('gina', 'gina-password-1');
      const member = new TestClient(t.url);
      await member.login('alice', 'member-password-1');
      expect(
        (await member.request('POST', `/api/admin/users/${gina.id}/password`, { password: 'x'.repeat(12) })).status,
      ).toBe(403);
      expect((await admin.request('POST', `/api/admin/users/${gina.id}/password`, { password: 'short' })).status).toBe(
        400,
      );
      expect(
        (await admin.request('POST', `/api/admin/users/${gina.id}/password`, { password: 'gina-password-2' })).status,
      ).toBe(204);
      expect((await c.request('GET', '/api/auth/session')).status).toBe(401);
      expect((await new TestClient(t.url).login('gina', 'gina-password-1')).status).toBe(401);
      expect((await new TestClient(t.url).login('gina', 'gina-password-2')).status).toBe(200);
    });

    it('refuses duplicate login names and demoting the last admin', async () => {
      const dup = await admin.request('POST', '/api/admin/users', {
        login: 'ALICE',
        displayName: 'A',
        password: 'x'.repeat(12),
      });
      expect(dup.status).toBe(409);
      expect(dup.body).toMatchObject({ error: { code: 'USER_LOGIN_TAKEN' } });
      const me = admin.state!.user;
      const demote = await admin.request('PATCH', `/api/admin/users/${me.id}`, { role: 'member' });
      expect(demote.status).toBe(409);
      expect(demote.body).toMatchObject({ error: { code: 'USER_LAST_ADMIN' } });
      const notUuid = await admin.request('PATCH', '/api/admin/users/not-a-uuid', { role: 'member' });
      expect(notUuid.body).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    });
  });

  describe('bad input', () => {
    it('answers malformed JSON with 400 MALFORMED_REQUEST and oversized bodies with 413', async () => {
      const c = new TestClient(t.url);
      const malformed = await c.request('POST', '/api/auth/login', '{"login": ', {
        'content-type': 'application/json',
      });
      expect(malformed.status).toBe(400);
      expect(malformed.body).toMatchObject({ error: { code: 'MALFORMED_REQUEST' } });
      const huge = await c.request(
        'POST',
        '/api/auth/login',
        JSON.stringify({ login: 'a', password: 'x'.repeat(300_000) }),
        {
          'content-type': 'application/json',
        },
      );
      expect(huge.status).toBe(413);
      expect(huge.body).toMatchObject({ error: { code: 'PAYLOAD_TOO_LARGE' } });
      const wrongTypes = await c.request('POST', '/api/auth/login', { login: 5, password: ['x'] });
      expect(wrongTypes.status).toBe(400);
      expect(wrongTypes.body).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
      const unknownRoute = await c.request('GET', '/api/nope');
      expect(unknownRoute.status).toBe(404);
      expect(unknownRoute.body).toMatchObject({ error: { code: 'NOT_FOUND' } });
    });
  });
});
