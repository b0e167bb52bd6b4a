import type {
  AuthState,
  ConversationDto,
  CreatedApiToken,
  CreatedWebhook,
  TotpEnrollResponse,
  UserDto,
} from '@miyu/protocol';
import { createHmac, randomBytes } from 'node:crypto';
import pg from 'pg';
import { totpCode, totpStep } from '../../src/common/security/totp.js';
import { TestClient } from '../support/http-client.js';
import { connected, connectError, connectSocket } from '../support/socket-client.js';
import { spawnServer, type SpawnedServer } from '../support/spawn-server.js';
import { createTestDatabase, type TestDatabase } from '../support/test-db.js';

/** Every secret this run sends or receives starts with it, so one search finds them all. */
const CANARY = `cnry${randomBytes(8).toString('hex')}`;
const SETUP_TOKEN = `${CANARY}-setup-token`;

/**
 * Secrets never reach the logs: the BUILT server runs as its own process at LOG_LEVEL=debug while every flow that
 * carries a password or a secret runs with unique values; then none of them (nor any session token, CSRF token,
 * API token, webhook secret or recovery code the server handed out) appears in its stdout/stderr or in an audit
 * log row. Passwords, API tokens, session tokens and recovery codes are not in any table either (only hashes are).
 */
describe('secrets never logged (built server, LOG_LEVEL=debug)', () => {
  let db: TestDatabase;
  let server: SpawnedServer;
  /** name -> value of every secret seen in this run. */
  const secrets = new Map<string, string>();
  /** Secrets the database holds in the clear by design (TOTP and webhook secrets, CSRF tokens): not in the table scan. */
  const storedByDesign = new Set<string>();

  function remember(name: string, value: string | null | undefined): string {
    if (!value) throw new Error(`no value for ${name}`);
    secrets.set(name, value);
    return value;
  }
  /** Records the client's current session token and CSRF token. */
  function rememberSession(name: string, client: TestClient): void {
    remember(`${name} session token`, client.cookie!.slice('miyu_session='.length));
    // The CSRF token is kept with its session in the clear (it is compared, and alone it opens nothing).
    storedByDesign.add(remember(`${name} CSRF token`, client.csrfToken));
  }

  beforeAll(async () => {
    db = await createTestDatabase('miyu_secrets');
    server = await spawnServer({ DATABASE_URL: db.url, SETUP_TOKEN, LOG_LEVEL: 'debug' });
  });
  afterAll(async () => {
    await server?.stop('SIGKILL');
    await db?.drop();
  });

  it('drives every secret-carrying flow, then finds none of the secrets in the logs or the audit log', async () => {
    const url = server.url;
    remember('setup token', SETUP_TOKEN);
    const adminPassword = remember('admin password', `${CANARY}-admin-password`);

    // First-run setup: the setup token and the first admin's password.
    const admin = new TestClient(url);
    const setup = await admin.request<AuthState>('POST', '/api/setup/admin', {
      token: SETUP_TOKEN,
      login: 'admin',
      displayName: 'Admin',
      password: adminPassword,
    });
    expect(setup.status).toBe(201);
    admin.adopt(setup.body);
    rememberSession('setup', admin);

    // Sign-in: success, wrong password, unknown name; a made-up session cookie; a query string with a secret.
    const signedIn = new TestClient(url);
    expect((await signedIn.login('admin', adminPassword)).status).toBe(200);
    rememberSession('sign-in', signedIn);
    const wrong = remember('wrong password', `${CANARY}-wrong-password`);
    expect((await new TestClient(url).login('admin', wrong)).status).toBe(401);
    expect((await new TestClient(url).login('nobody-here', wrong)).status).toBe(401);
    const forged = remember('forged session cookie', `${CANARY}-forged-cookie`);
    expect((await fetch(`${url}/api/auth/session`, { headers: { cookie: `miyu_session=${forged}` } })).status).toBe(
      401,
    );
    const inQuery = remember('secret in a query string', `${CANARY}-in-query`);
    await fetch(`${url}/api/auth/session?password=${inQuery}&token=${inQuery}`);

    // An account created by the admin, its own password change (wrong and right), an admin reset.
    const alicePassword1 = remember('alice password 1', `${CANARY}-alice-password-1`);
    const alice = (
      await admin.request<UserDto>('POST', '/api/admin/users', {
        login: 'alice',
        displayName: 'Alice',
        password: alicePassword1,
      })
    ).body;
    const aliceHttp = new TestClient(url);
    expect((await aliceHttp.login('alice', alicePassword1)).status).toBe(200);
    rememberSession('alice', aliceHttp);
    const notCurrent = remember('wrong current password', `${CANARY}-not-current`);
    const alicePassword2 = remember('alice password 2', `${CANARY}-alice-password-2`);
    const refusedChange = await aliceHttp.request('POST', '/api/auth/password', {
      currentPassword: notCurrent,
      newPassword: alicePassword2,
    });
    expect(refusedChange.body).toMatchObject({ error: { code: 'AUTH_PASSWORD_INVALID' } });
    expect(
      (
        await aliceHttp.request('POST', '/api/auth/password', {
          currentPassword: alicePassword1,
          newPassword: alicePassword2,
        })
      ).status,
    ).toBe(204);
    const alicePassword3 = remember('alice password 3', `${CANARY}-alice-password-3`);
    expect(
      (await admin.request('POST', `/api/admin/users/${alice.id}/password`, { password: alicePassword3 })).status,
    ).toBe(204);

    // Two-factor enrolment: the TOTP secret and the recovery codes; sign-ins with a code and a recovery code.
    const alice2 = new TestClient(url);
    expect((await alice2.login('alice', alicePassword3)).status).toBe(200);
    rememberSession('alice again', alice2);
    const enrol = await alice2.request<TotpEnrollResponse>('POST', '/api/auth/totp/enroll');
    const totpSecret = remember('TOTP secret', enrol.body.secret);
    storedByDesign.add(totpSecret);
    remember('otpauth URL', enrol.body.otpauthUrl);
    storedByDesign.add(enrol.body.otpauthUrl);
    const step = totpStep(Date.now());
    const confirm = await alice2.request<{ recoveryCodes: string[] }>('POST', '/api/auth/totp/confirm', {
      code: totpCode(totpSecret, step),
    });
    expect(confirm.status).toBe(200);
    confirm.body.recoveryCodes.forEach((code, i) => remember(`recovery code ${i}`, code));
    const withCode = new TestClient(url);
    expect((await withCode.login('alice', alicePassword3, { totpCode: totpCode(totpSecret, step + 1) })).status).toBe(
      200,
    );
    rememberSession('TOTP sign-in', withCode);
    const withRecovery = new TestClient(url);
    const recoveryCode = confirm.body.recoveryCodes[0]!;
    expect((await withRecovery.login('alice', alicePassword3, { recoveryCode })).status).toBe(200);
    rememberSession('recovery sign-in', withRecovery);
    expect((await new TestClient(url).login('alice', alicePassword3, { recoveryCode })).status).toBe(401);
    expect((await alice2.request('POST', '/api/auth/totp/disable', { password: alicePassword3 })).status).toBe(204);

    // API tokens: a personal one and a service one, each used once; a made-up bearer token.
    const personal = await admin.request<CreatedApiToken>('POST', '/api/tokens', {
      name: 'cli',
      scopes: ['audit:read'],
      expiresInDays: 7,
    });
    expect(personal.status).toBe(201);
    const personalToken = remember('personal API token', personal.body.token);
    const service = await admin.request<CreatedApiToken>('POST', '/api/admin/service-tokens', {
      name: 'idp',
      scopes: ['scim:provision'],
      expiresInDays: 7,
    });
    expect(service.status).toBe(201);
    const serviceToken = remember('service API token', service.body.token);
    const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
    expect((await fetch(`${url}/api/audit/entries?limit=1`, { headers: bearer(personalToken) })).status).toBe(200);
    expect((await fetch(`${url}/scim/v2/Users`, { headers: bearer(serviceToken) })).status).toBe(200);
    const madeUpBearer = remember('made-up bearer token', `miyu_pat_${CANARY}`);
    expect((await fetch(`${url}/api/audit/entries`, { headers: bearer(madeUpBearer) })).status).toBe(401);

    // Incoming webhooks: the secret on creation and rotation; a signed post and a badly signed one.
    const group = (
      await admin.request<ConversationDto>('POST', '/api/conversations', { kind: 'group', name: 'ci', memberIds: [] })
    ).body;
    const hook = await admin.request<CreatedWebhook>('POST', `/api/conversations/${group.id}/webhooks`, { name: 'CI' });
    expect(hook.status).toBe(201);
    storedByDesign.add(remember('webhook secret', hook.body.secret));
    const rotated = await admin.request<CreatedWebhook>(
      'POST',
      `/api/conversations/${group.id}/webhooks/${hook.body.id}/rotate-secret`,
    );
    expect(rotated.status).toBe(200);
    const hookSecret = remember('rotated webhook secret', rotated.body.secret);
    storedByDesign.add(hookSecret);
    const body = Buffer.from(JSON.stringify({ text: 'build passed' }));
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = `sha256=${createHmac('sha256', hookSecret).update(`${timestamp}.`).update(body).digest('hex')}`;
    remember('webhook signature', signature.slice('sha256='.length));
    for (const sig of [signature, `sha256=${'0'.repeat(64)}`]) {
      await fetch(`${url}/hooks/${hook.body.id}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-miyu-timestamp': timestamp, 'x-miyu-signature': sig },
        body,
      });
    }

    // Identity-provider secrets: the OIDC client secret and the LDAP bind password (and a failing LDAP bind).
    const oidcSecret = remember('OIDC client secret', `${CANARY}-oidc-client-secret`);
    const oidc = await admin.request('PUT', '/api/admin/oidc', {
      enabled: false,
      issuerUrl: 'http://127.0.0.1:9/realms/miyu',
      clientId: 'miyu',
      clientSecret: oidcSecret,
      scopes: ['openid'],
      matchBy: 'email',
      jitProvisioning: false,
      buttonLabel: 'SSO',
      passwordSignInDisabled: false,
    });
    expect(oidc.status).toBe(200);
    const bindPassword = remember('LDAP bind password', `${CANARY}-ldap-bind-password`);
    const ldap = await admin.request('PUT', '/api/admin/ldap', {
      enabled: false,
      flavour: 'openldap',
      url: 'ldap://127.0.0.1:9',
      bindDn: 'cn=admin,dc=example,dc=com',
      bindPassword,
      baseDns: ['dc=example,dc=com'],
    });
    expect(ldap.status).toBe(200);
    expect((await admin.request('POST', '/api/admin/ldap/preview')).status).toBeGreaterThanOrEqual(400);

    // Sockets: a handshake with a session cookie, and one with a made-up cookie.
    const socket = connectSocket(url, withCode.cookie);
    await connected(socket);
    socket.disconnect();
    const refused = connectSocket(url, `miyu_session=${forged}`);
    await connectError(refused);
    refused.close();

    // Signing out ends a session (its token is in the cookie of the request).
    expect((await signedIn.request('POST', '/api/auth/logout')).status).toBe(204);

    // The audit log is appended in batches: wait until the last action above is there.
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      for (;;) {
        const { rows } = await client.query(`SELECT 1 FROM audit_log WHERE action = 'auth.sign_out' LIMIT 1`);
        if (rows.length > 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const audit = (await client.query(`SELECT row_to_json(a)::text AS row FROM audit_log a ORDER BY seq`))
        .rows as Array<{
        row: string;
      }>;
      expect(audit.length).toBeGreaterThan(15);
      const auditText = audit.map((r) => r.row).join('\n');

      // Passwords, tokens and recovery codes are stored only as hashes (or sealed): in no table at all.
      const tables = (
        await client.query(`SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename`)
      ).rows as Array<{ tablename: string }>;
      const dump: string[] = [];
      for (const { tablename } of tables) {
        const { rows } = await client.query(`SELECT row_to_json(t)::text AS row FROM "${tablename}" t`);
        for (const r of rows as Array<{ row: string }>) dump.push(`${tablename}: ${r.row}`);
      }
      const dbText = dump.join('\n');

      await server.stop('SIGTERM');
      const logs = server.output();
      const lines = logs.split('\n').filter(Boolean);
      console.log(
        `secrets check: ${secrets.size} secrets, ${lines.length} log lines (${logs.length} bytes), ` +
          `${audit.length} audit rows, ${tables.length} tables`,
      );
      // The run really logged at debug level, and logged these requests.
      expect(lines.some((l) => l.includes('"level":"debug"'))).toBe(true);
      expect(lines.filter((l) => l.includes('/api/auth/login')).length).toBeGreaterThan(3);

      /** Where a secret shows up: the value as it is, or hex-encoded (bytea columns). */
      const leaks = (text: string, skip: Set<string> = new Set()) =>
        [...secrets]
          .filter(([, value]) => !skip.has(value))
          .filter(([, value]) => text.includes(value) || text.includes(Buffer.from(value).toString('hex')))
          .map(([name]) => name);
      // The setup token is the one secret logged on purpose (the setup link, while no admin exists): only there.
      const setupLines = lines.filter((l) => l.includes(SETUP_TOKEN));
      expect(setupLines.length).toBeGreaterThan(0); // also shows that the search finds a secret that is there
      expect(setupLines.every((l) => l.includes('"context":"setup"') && l.includes('setup#token='))).toBe(true);
      const logsWithoutSetupLink = lines.filter((l) => !setupLines.includes(l)).join('\n');
      expect({ inLogs: leaks(logsWithoutSetupLink) }).toEqual({ inLogs: [] });
      expect(logsWithoutSetupLink).not.toContain(CANARY);
      expect({ inAuditLog: leaks(auditText) }).toEqual({ inAuditLog: [] });
      expect(auditText).not.toContain(CANARY);
      expect({ inDatabase: leaks(dbText, storedByDesign) }).toEqual({ inDatabase: [] });
    } finally {
      await client.end();
    }
  });
});
