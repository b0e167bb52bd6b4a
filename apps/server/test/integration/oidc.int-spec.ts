import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { AuditAction, AuditEntry, AuditPage, AuthMethods, AuthState, OidcConfig, UserDto } from '@miyu/protocol';
import { TestClient } from '../support/http-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

type ErrorBody = { error: { code: string; message: string } };

/** Miyu's public address as the provider knows it; the test maps it onto the in-process server's real port. */
const PUBLIC_URL = 'http://miyu.test';
const CALLBACK = `${PUBLIC_URL}/api/auth/oidc/callback`;
const CLIENT_ID = 'miyu-test';
const CLIENT_SECRET = 'oidc-client-secret-0123456789-canary';

/** People at the identity provider (account id → claims). */
const ACCOUNTS = {
  alice: { email: 'Alice@Example.com', email_verified: true, name: 'Alice IdP', employee_number: 'E100' },
  bob: { email: 'bob@example.com', email_verified: true, name: 'Bob', employee_number: 'E200' },
  carol: { email: 'carol.w@example.com', email_verified: true, name: 'Carol Wang', employee_number: 'E300' },
  dave: { email: 'dave.other@example.com', email_verified: true, name: 'Dave', employee_number: 'E400' },
  eve: { email: 'eve@example.com', email_verified: false, name: 'Eve', employee_number: 'E500' },
};

/** A browser's cookies for one site (paths ignored: the test only needs the provider's and Miyu's own). */
class Jar {
  private readonly cookies = new Map<string, string>();
  take(res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a)) || value === '';
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  get(name: string): string | undefined {
    return this.cookies.get(name);
  }
  delete(name: string): void {
    this.cookies.delete(name);
  }
}

describe('OpenID Connect sign-in against a real oidc-provider', () => {
  let provider: ChildProcess;
  let issuer: string;
  let t: TestServer;
  let dataDir: string;
  let admin: TestClient;
  let member: TestClient;
  let alice: UserDto;

  async function get(url: string, jar: Jar): Promise<Response> {
    const res = await fetch(url, { redirect: 'manual', headers: { cookie: jar.header() } });
    jar.take(res);
    return res;
  }

  function location(res: Response, base: string): URL {
    expect([302, 303]).toContain(res.status);
    return new URL(res.headers.get('location')!, base);
  }

  /** Miyu's URL for an address under PUBLIC_URL. */
  const local = (url: URL) => `${t.url}${url.pathname}${url.search}`;

  /**
   * Drives a browser through the flow up to the provider's redirect back to Miyu (not followed). `tamper` may change
   * the authorization request on its way to the provider.
   */
  async function throughProvider(
    account: keyof typeof ACCOUNTS,
    tamper: (authUrl: URL) => void = () => {},
  ): Promise<{ jar: Jar; callback: URL }> {
    const miyu = new Jar();
    const idp = new Jar();
    const started = await get(`${t.url}/api/auth/oidc/start`, miyu);
    const binding = started.headers.getSetCookie().find((c) => c.startsWith('miyu_oidc='));
    // Lax, not Strict: it must come back on the provider's cross-site redirect to the callback.
    expect(binding).toMatch(/HttpOnly/i);
    expect(binding).toMatch(/SameSite=Lax/i);
    expect(binding).toMatch(/Path=\/api\/auth\/oidc/i);
    const authUrl = location(started, t.url);
    expect(authUrl.origin).toBe(issuer);
    expect(authUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authUrl.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authUrl.searchParams.get('redirect_uri')).toBe(CALLBACK);
    tamper(authUrl);
    let next = location(await get(authUrl.toString(), idp), issuer);
    expect(next.pathname).toMatch(/^\/interaction\//);
    next.searchParams.set('account', account);
    // Sign-in and consent at the provider, then its redirects until one leaves for Miyu.
    for (let hop = 0; next.origin === issuer; hop++) {
      if (hop > 5) throw new Error('too many redirects at the provider');
      next = location(await get(next.toString(), idp), issuer);
    }
    expect(`${next.origin}${next.pathname}`).toBe(CALLBACK);
    return { jar: miyu, callback: next };
  }

  /** Follows the provider's redirect into Miyu's callback with that browser's cookies. */
  async function callback(flow: { jar: Jar; callback: URL }): Promise<Response> {
    return get(local(flow.callback), flow.jar);
  }

  function errorOf(res: Response): string | null {
    expect(res.status).toBe(303);
    const to = new URL(res.headers.get('location')!);
    expect(`${to.origin}${to.pathname}`).toBe(`${PUBLIC_URL}/login`);
    return to.searchParams.get('oidcError');
  }

  /** The session the callback set, used as the app would right after the same-site refresh. */
  async function sessionOf(res: Response): Promise<AuthState> {
    expect(res.status).toBe(200);
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith('miyu_session='));
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    const html = await res.text();
    expect(html).toContain(`<meta http-equiv="refresh" content="0;url=${PUBLIC_URL}/">`);
    const session = await fetch(`${t.url}/api/auth/session`, { headers: { cookie: setCookie!.split(';')[0]! } });
    expect(session.status).toBe(200);
    return (await session.json()) as AuthState;
  }

  function noSessionCookie(res: { headers: Headers }): void {
    expect(res.headers.getSetCookie().some((c) => c.startsWith('miyu_session='))).toBe(false);
  }

  const baseConfig = {
    enabled: true,
    issuerUrl: '',
    clientId: CLIENT_ID,
    scopes: ['openid', 'email', 'profile', 'employee'],
    matchBy: 'email',
    employeeNoClaim: 'employee_number',
    nameClaim: 'name',
    jitProvisioning: false,
    buttonLabel: 'Example SSO',
    passwordSignInDisabled: false,
  };

  async function configure(patch: Record<string, unknown>): Promise<OidcConfig> {
    const res = await admin.request<OidcConfig>('PUT', '/api/admin/oidc', {
      ...baseConfig,
      issuerUrl: issuer,
      ...patch,
    });
    expect(res.status).toBe(200);
    return res.body;
  }

  async function expectAudit(action: AuditAction, test: (e: AuditEntry) => boolean): Promise<AuditEntry> {
    // Appends are batched: poll until the entry is there (bounded by the test timeout, not by a timed assertion).
    for (;;) {
      const res = await admin.request<AuditPage>('GET', `/api/audit/entries?action=${action}&limit=200`);
      expect(res.status).toBe(200);
      const found = res.body.items.map((i) => i.entry).find(test);
      if (found) return found;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  beforeAll(async () => {
    provider = spawn(process.execPath, [join(__dirname, '..', 'support', 'oidc-provider.mjs')], {
      env: {
        ...process.env,
        OIDC_FIXTURE: JSON.stringify({
          clients: [
            {
              client_id: CLIENT_ID,
              client_secret: CLIENT_SECRET,
              redirect_uris: [CALLBACK],
              grant_types: ['authorization_code'],
              response_types: ['code'],
            },
          ],
          accounts: ACCOUNTS,
        }),
      },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const [line] = (await once(createInterface({ input: provider.stdout! }), 'line')) as [string];
    issuer = (JSON.parse(line) as { issuer: string }).issuer;

    dataDir = await mkdtemp(join(tmpdir(), 'miyu-oidc-'));
    t = await startTestServer({ PUBLIC_URL, LOGIN_IP_LIMIT_PER_MINUTE: '1000', DATA_DIR: dataDir });
    admin = new TestClient(t.url);
    await admin.setupAdmin();
    const create = async (login: string, extra: Record<string, string>) => {
      const res = await admin.request<UserDto>('POST', '/api/admin/users', {
        login,
        displayName: login,
        password: `${login}-password-1`,
        ...extra,
      });
      expect(res.status).toBe(201);
      return res.body;
    };
    alice = await create('alice', { email: 'alice@example.com' });
    const bob = await create('bob', { email: 'bob@example.com' });
    await create('dave', { employeeNo: 'E400', email: 'dave@example.com' });
    await create('eve', { email: 'eve@example.com' });
    expect((await admin.request('PATCH', `/api/admin/users/${bob.id}`, { status: 'disabled' })).status).toBe(200);
    member = new TestClient(t.url);
    expect((await member.login('alice', 'alice-password-1')).status).toBe(200);
  });

  afterAll(async () => {
    await t?.close();
    if (provider && provider.exitCode === null) {
      provider.kill('SIGTERM');
      await once(provider, 'exit');
    }
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  describe('configuration', () => {
    it('is off until configured: the login screen offers the password only and start is refused', async () => {
      const methods = await new TestClient(t.url).request<AuthMethods>('GET', '/api/auth/methods');
      expect(methods.body).toEqual({ password: true, oidc: null });
      const start = await fetch(`${t.url}/api/auth/oidc/start`, { redirect: 'manual' });
      expect(errorOf(start)).toBe('OIDC_NOT_CONFIGURED');
    });

    it('cannot be read or changed by a non-admin', async () => {
      expect((await member.request<ErrorBody>('GET', '/api/admin/oidc')).body.error.code).toBe('FORBIDDEN');
      const put = await member.request<ErrorBody>('PUT', '/api/admin/oidc', { ...baseConfig, issuerUrl: issuer });
      expect(put.status).toBe(403);
      expect((await new TestClient(t.url).request('GET', '/api/admin/oidc')).status).toBe(401);
    });

    it('refuses bad input and changes nothing', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ issuerUrl: 'ftp://idp.example.com' }, 'VALIDATION_FAILED'],
        [{ scopes: ['email'] }, 'VALIDATION_FAILED'],
        [{ matchBy: 'phone' }, 'VALIDATION_FAILED'],
        [{ employeeNoClaim: 'bad claim' }, 'VALIDATION_FAILED'],
        [{ unknownField: true }, 'VALIDATION_FAILED'],
        [{ issuerUrl: 'http://idp.example.com', clientSecret: 'x' }, 'OIDC_CONFIG_INVALID'],
        // Turning it on needs a secret; none has been stored yet.
        [{}, 'OIDC_CONFIG_INVALID'],
        [{ enabled: false, passwordSignInDisabled: true, clientSecret: 'x' }, 'OIDC_CONFIG_INVALID'],
      ];
      for (const [patch, code] of cases) {
        const res = await admin.request<ErrorBody>('PUT', '/api/admin/oidc', {
          ...baseConfig,
          issuerUrl: issuer,
          ...patch,
        });
        expect([res.status, res.body.error?.code]).toEqual([400, code]);
      }
      const stored = await admin.request<OidcConfig>('GET', '/api/admin/oidc');
      expect(stored.body).toMatchObject({ enabled: false, clientSecretSet: false, updatedAt: null });
    });

    it('stores the client secret but never returns it, and keeps it when a later update leaves it out', async () => {
      const saved = await admin.request<OidcConfig>('PUT', '/api/admin/oidc', {
        ...baseConfig,
        issuerUrl: issuer,
        clientSecret: CLIENT_SECRET,
      });
      expect(saved.status).toBe(200);
      expect(saved.body).toMatchObject({
        enabled: true,
        clientSecretSet: true,
        redirectUri: CALLBACK,
        buttonLabel: 'Example SSO',
      });
      expect(JSON.stringify(saved.body)).not.toContain(CLIENT_SECRET);
      const read = await admin.request<OidcConfig>('GET', '/api/admin/oidc');
      expect(JSON.stringify(read.body)).not.toContain(CLIENT_SECRET);
      expect(read.body.clientSecretSet).toBe(true);
      // Stored sealed under the server's secret key, never in the clear.
      const [row] = (await t.dataSource.query(`SELECT client_secret_box FROM oidc_settings WHERE id = 1`)) as Array<{
        client_secret_box: Buffer;
      }>;
      expect(row!.client_secret_box.length).toBeGreaterThan(CLIENT_SECRET.length);
      expect(row!.client_secret_box.toString('latin1')).not.toContain(CLIENT_SECRET);
      expect((await stat(join(dataDir, 'server-secrets.key'))).mode & 0o077).toBe(0);
      // Without clientSecret the stored one stays (the next sign-ins prove it still works).
      expect((await configure({})).clientSecretSet).toBe(true);
      const methods = await new TestClient(t.url).request<AuthMethods>('GET', '/api/auth/methods');
      expect(methods.body).toEqual({
        password: true,
        oidc: { label: 'Example SSO', startUrl: '/api/auth/oidc/start' },
      });
      const entry = await expectAudit('oidc.config_updated', (e) => e.context?.secretChanged === true);
      expect(entry.actor.userId).toBe(admin.state!.user.id);
      expect(JSON.stringify(entry)).not.toContain(CLIENT_SECRET);
    });
  });

  describe('sign-in', () => {
    it('gives a person matched by email a session: SameSite=Strict cookie, then a same-site hop into the app', async () => {
      const flow = await throughProvider('alice');
      expect(flow.jar.get('miyu_oidc')).toBeTruthy();
      const res = await callback(flow);
      const state = await sessionOf(res);
      expect(state.user.id).toBe(alice.id);
      expect(state.csrfToken.length).toBeGreaterThan(20);
      // The browser-binding cookie is cleared on the callback.
      expect(res.headers.getSetCookie().some((c) => /^miyu_oidc=;/.test(c))).toBe(true);
      const entry = await expectAudit(
        'auth.sign_in',
        (e) => e.context?.method === 'oidc' && e.result.ok && e.entity.id === alice.id,
      );
      expect(entry.actor.userId).toBe(alice.id);
      expect(entry.context).toMatchObject({ method: 'oidc', matchedBy: 'email', sessionId: state.sessionId });
    });

    it('refuses a replayed callback and a replayed authorization code', async () => {
      const flow = await throughProvider('alice');
      await sessionOf(await callback(flow));
      // The same callback again: its state was used up.
      const again = await callback({ jar: flow.jar, callback: flow.callback });
      noSessionCookie(again);
      expect(errorOf(again)).toBe('OIDC_STATE_INVALID');
      // A fresh, valid state carrying the already redeemed code: the provider refuses the code.
      const fresh = await throughProvider('alice');
      fresh.callback.searchParams.set('code', flow.callback.searchParams.get('code')!);
      const replayed = await callback(fresh);
      noSessionCookie(replayed);
      expect(errorOf(replayed)).toBe('OIDC_TOKEN_INVALID');
    });

    it('refuses a tampered state, a callback from another browser, an expired state and a missing state', async () => {
      const flow = await throughProvider('alice');
      const tampered = new URL(flow.callback);
      tampered.searchParams.set('state', `${flow.callback.searchParams.get('state')}x`);
      expect(errorOf(await callback({ jar: flow.jar, callback: tampered }))).toBe('OIDC_STATE_INVALID');

      const other = await throughProvider('alice');
      other.jar.delete('miyu_oidc');
      const res = await callback(other);
      noSessionCookie(res);
      expect(errorOf(res)).toBe('OIDC_STATE_INVALID');

      // A state past its ten minutes (made old in the database: no waiting in tests).
      const late = await throughProvider('alice');
      await t.dataSource.query(`UPDATE oidc_login_states SET expires_at = now() - interval '1 second'`);
      expect(errorOf(await callback(late))).toBe('OIDC_STATE_INVALID');

      const bare = new URL(flow.callback);
      bare.searchParams.delete('state');
      expect(errorOf(await callback({ jar: flow.jar, callback: bare }))).toBe('OIDC_STATE_INVALID');
    });

    it('refuses an ID token whose nonce is not the one Miyu sent', async () => {
      const flow = await throughProvider('alice', (url) => url.searchParams.set('nonce', 'attacker-chosen-nonce'));
      const res = await callback(flow);
      noSessionCookie(res);
      expect(errorOf(res)).toBe('OIDC_TOKEN_INVALID');
      await expectAudit(
        'auth.sign_in',
        (e) => e.context?.method === 'oidc' && e.result.reason === 'OIDC_TOKEN_INVALID',
      );
    });

    it('refuses a disabled person', async () => {
      const res = await callback(await throughProvider('bob'));
      noSessionCookie(res);
      expect(errorOf(res)).toBe('OIDC_USER_DISABLED');
      await expectAudit(
        'auth.sign_in',
        (e) => e.context?.method === 'oidc' && e.result.reason === 'OIDC_USER_DISABLED',
      );
    });

    it('refuses an email the provider marks unverified', async () => {
      const res = await callback(await throughProvider('eve'));
      noSessionCookie(res);
      expect(errorOf(res)).toBe('OIDC_CLAIM_MISSING');
    });

    it('refuses an unknown person without just-in-time provisioning and creates them with it', async () => {
      const refused = await callback(await throughProvider('carol'));
      noSessionCookie(refused);
      expect(errorOf(refused)).toBe('OIDC_USER_UNKNOWN');
      const users = async () =>
        (await admin.request<{ items: UserDto[] }>('GET', '/api/admin/users?q=carol&limit=50')).body.items;
      expect(await users()).toEqual([]);

      await configure({ jitProvisioning: true });
      const state = await sessionOf(await callback(await throughProvider('carol')));
      expect(state.user).toMatchObject({
        login: 'carol.w',
        displayName: 'Carol Wang',
        email: 'carol.w@example.com',
        employeeNo: 'E300',
        role: 'member',
      });
      // The second time, the person is found, not created again.
      const second = await sessionOf(await callback(await throughProvider('carol')));
      expect(second.user.id).toBe(state.user.id);
      expect(await users()).toHaveLength(1);
      await expectAudit('user.created', (e) => e.entity.id === state.user.id && e.context?.source === 'oidc');
      await configure({ jitProvisioning: false });
    });

    it('matches by the employee number claim when configured so', async () => {
      await configure({ matchBy: 'employeeNo' });
      // Dave's provider email differs from the one in Miyu: the employee number decides.
      const state = await sessionOf(await callback(await throughProvider('dave')));
      expect(state.user.login).toBe('dave');
      await configure({ matchBy: 'email' });
    });
  });

  describe('password sign-in turned off', () => {
    it('refuses members their password, keeps the generic answer for a wrong one, and lets admins in', async () => {
      await configure({ passwordSignInDisabled: true });
      const methods = await new TestClient(t.url).request<AuthMethods>('GET', '/api/auth/methods');
      expect(methods.body).toEqual({
        password: false,
        oidc: { label: 'Example SSO', startUrl: '/api/auth/oidc/start' },
      });

      const refused = await new TestClient(t.url).login('alice', 'alice-password-1');
      expect([refused.status, (refused.body as unknown as ErrorBody).error.code]).toEqual([
        403,
        'AUTH_PASSWORD_SIGN_IN_DISABLED',
      ]);
      noSessionCookie(refused);
      const wrong = await new TestClient(t.url).login('alice', 'not-her-password');
      expect((wrong.body as unknown as ErrorBody).error.code).toBe('AUTH_INVALID_CREDENTIALS');
      await expectAudit(
        'auth.sign_in',
        (e) => e.result.reason === 'AUTH_PASSWORD_SIGN_IN_DISABLED' && e.context?.cause === 'password_sign_in_disabled',
      );

      // Break-glass: admins keep their password (and their second factor, if enrolled).
      const breakGlass = await new TestClient(t.url).login('admin', 'admin-password-1');
      expect(breakGlass.status).toBe(200);
      // OIDC still works for members.
      expect((await sessionOf(await callback(await throughProvider('alice')))).user.id).toBe(alice.id);

      // Turning OIDC off brings password sign-in back for everyone.
      await configure({ enabled: false, passwordSignInDisabled: false });
      expect((await new TestClient(t.url).login('alice', 'alice-password-1')).status).toBe(200);
      const start = await fetch(`${t.url}/api/auth/oidc/start`, { redirect: 'manual' });
      expect(errorOf(start)).toBe('OIDC_NOT_CONFIGURED');
    });
  });
});
