import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ready } from '@miyu/crypto';
import { type Ack, ErrorCode, type UserRole } from '@miyu/protocol';
import type { Socket } from 'socket.io-client';
import { type DeclaredHandler, httpHandlers, registeredClasses } from '../support/access-declarations.js';
import { REST_ROWS, type RestRow } from '../support/authz/rest-table.js';
import { expectedHandshakeRefusal, SOCKET_ROWS } from '../support/authz/socket-table.js';
import { PRINCIPALS, type PrincipalName, World } from '../support/authz/world.js';
import { type HttpResult, TestClient } from '../support/http-client.js';
import { buildTestMessage, createUser, passwordOf, type Person, registerDevice } from '../support/people.js';
import { type ClientSocket, connected, connectSocket } from '../support/socket-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** How the guard refuses: no (or a dead) credential, a role or a token scope that does not fit. */
const GUARD_REFUSALS = new Set<string>([
  ErrorCode.UNAUTHENTICATED,
  ErrorCode.SESSION_EXPIRED,
  ErrorCode.FORBIDDEN,
  ErrorCode.API_TOKEN_SCOPE_FORBIDDEN,
]);
/** Principals that hold no live credential: the guard must refuse them with 401 before any service runs. */
const NO_CREDENTIAL = new Set<PrincipalName>(['anonymous', 'disabled', 'disabledToken']);
const SCIM_ERROR = 'urn:ietf:params:scim:api:messages:2.0:Error';

/** The role a principal's requests carry (a token its owner's), for checking the table against @Roles. */
const ROLE_OF: Record<PrincipalName, UserRole | null> = {
  anonymous: null,
  owner: 'member',
  member: 'member',
  nonMember: 'member',
  admin: 'admin',
  auditor: 'auditor',
  disabled: 'auditor',
  disabledToken: 'auditor',
  otherDevice: 'member',
  serviceToken: 'admin',
  auditorToken: 'auditor',
};

/**
 * Every REST route and every socket event, called by every kind of principal, against the table in
 * test/support/authz: denied calls get 401/403 (or the service's own refusal code, e.g. a 404 that hides a
 * conversation one is not in), allowed calls get past authorisation. A route without a row fails the test.
 */
describe('authorisation matrix (real PostgreSQL, every route × every principal)', () => {
  let t: TestServer;
  let w: World;
  let filesDir: string;
  let handlers: DeclaredHandler[];
  const sockets = new Map<PrincipalName, ClientSocket>();
  let demoted: ClientSocket | null = null;

  beforeAll(async () => {
    await ready();
    filesDir = await mkdtemp(join(tmpdir(), 'miyu-authz-'));
    t = await startTestServer({
      FILES_DIR: filesDir,
      API_RATE_LIMIT_PER_MINUTE: '1000000',
      LOGIN_IP_LIMIT_PER_MINUTE: '10000',
    });
    const admin = new TestClient(t.url);
    await admin.setupAdmin();
    w = await World.build(t.url, admin);
    handlers = httpHandlers(registeredClasses(t.server.app).controllers);
  }, 60_000);
  afterAll(async () => {
    for (const socket of sockets.values()) socket.disconnect();
    demoted?.disconnect();
    w?.close();
    await t?.close();
    if (filesDir) await rm(filesDir, { recursive: true, force: true });
  });

  it('has exactly one row for every route the app serves, consistent with its access declaration', () => {
    const served = handlers.map((h) => h.key);
    const rows = REST_ROWS.map((r) => r.route);
    expect(served.length).toBeGreaterThan(100);
    expect(served.filter((key) => !rows.includes(key))).toEqual([]); // a new route needs a row in rest-table.ts
    expect(rows.filter((key) => !served.includes(key))).toEqual([]);
    expect(rows.filter((key, i) => rows.indexOf(key) !== i)).toEqual([]);

    const inconsistent: string[] = [];
    for (const h of handlers) {
      const row = REST_ROWS.find((r) => r.route === h.key)!;
      const [declared] = h.declarations;
      if ((declared?.kind === 'public') !== row.allow.includes('anonymous')) inconsistent.push(`${h.key}: public?`);
      if (declared?.kind === 'roles') {
        const roles = declared.roles;
        const beyond = row.allow.filter((p) => !roles.includes(ROLE_OF[p]!));
        if (beyond.length) inconsistent.push(`${h.key}: @Roles(${roles.join(', ')}) but allows ${beyond.join(', ')}`);
      }
    }
    expect(inconsistent).toEqual([]);
  });

  it('answers every REST route as the table says, for every principal', async () => {
    const started = Date.now();
    const mismatches: string[] = [];
    let allowedCells = 0;
    for (const row of REST_ROWS) {
      const denied = PRINCIPALS.filter((p) => !row.allow.includes(p));
      // Denied calls first (they change nothing, unless the test finds a hole), then the allowed ones, each on
      // resources of its own (rest-table.ts), so no call spoils another.
      const outcomes = await Promise.all(denied.map((p) => callRest(row, p, false)));
      outcomes.push(...(await Promise.all(row.allow.map((p) => callRest(row, p, true)))));
      mismatches.push(...outcomes.filter((m): m is string => m !== null));
      allowedCells += row.allow.length;
    }
    const cells = REST_ROWS.length * PRINCIPALS.length;
    console.log(
      `authorisation matrix, REST: ${REST_ROWS.length} routes × ${PRINCIPALS.length} principals = ${cells} calls ` +
        `(${allowedCells} allowed, ${cells - allowedCells} denied) in ${Date.now() - started} ms`,
    );
    expect(mismatches).toEqual([]);
  }, 120_000);

  it('answers every socket event as the table says, for every principal (handshake included)', async () => {
    const started = Date.now();
    const mismatches: string[] = [];
    for (const p of PRINCIPALS) {
      const outcome = await w.tryConnect(p);
      const refusal = expectedHandshakeRefusal(p);
      if ('socket' in outcome) {
        if (refusal) mismatches.push(`handshake as ${p}: connected, expected ${refusal.join(' or ')}`);
        sockets.set(p, outcome.socket);
      } else if (!refusal?.includes(outcome.refused)) {
        mismatches.push(`handshake as ${p}: refused with ${outcome.refused}`);
      }
    }
    let allowedCells = 0;
    for (const row of SOCKET_ROWS) {
      for (const p of PRINCIPALS) {
        const allowed = row.allow.includes(p);
        allowedCells += allowed ? 1 : 0;
        const socket = sockets.get(p);
        if (!socket) {
          // Refused at the handshake: no event of this principal ever reaches a handler.
          if (allowed) mismatches.push(`${row.event} as ${p}: allowed, but the socket cannot connect`);
          continue;
        }
        const ctx = { w, p, allowed };
        const payload: unknown = await row.payload(ctx);
        const ack = (await (socket as unknown as Socket)
          .timeout(10_000)
          .emitWithAck(row.event, payload)) as Ack<unknown>;
        const verdict =
          row.judge?.(ack, ctx) ??
          (ack.ok
            ? 'allowed'
            : [ErrorCode.FORBIDDEN, ...(row.denyCodes ?? [])].includes(ack.error.code as ErrorCode)
              ? 'denied'
              : null);
        const expected = allowed ? 'allowed' : 'denied';
        if (verdict !== expected)
          mismatches.push(`${row.event} as ${p}: expected ${expected}, got ${JSON.stringify(ack)}`);
      }
    }
    const cells = SOCKET_ROWS.length * PRINCIPALS.length;
    console.log(
      `authorisation matrix, sockets: ${SOCKET_ROWS.length} events × ${PRINCIPALS.length} principals = ${cells} cells ` +
        `(${allowedCells} allowed, ${cells - allowedCells} denied) in ${Date.now() - started} ms`,
    );
    expect(mismatches).toEqual([]);
  }, 60_000);

  it('refuses a message a socket sends as another person’s device', async () => {
    const owner = sockets.get('owner')!;
    const asMember = { user: w.parties.member.user, deviceId: w.devices.member.id } as Person;
    const asMemberDevice = { user: w.parties.owner.user, deviceId: w.devices.member.id } as Person;
    const policyVersion = await w.policyVersion();
    for (const forged of [asMember, asMemberDevice]) {
      const ack = await owner
        .timeout(10_000)
        .emitWithAck('message:send', buildTestMessage(forged, w.group.id, 'forged', { policyVersion }));
      expect(ack).toMatchObject({ ok: false, error: { code: ErrorCode.MESSAGE_ENVELOPE_INVALID } });
    }
  });

  it('takes an admin’s moderation away from their open socket as soon as they are demoted', async () => {
    const user = await createUser(w.admin, 'admin-two');
    await w.expectOk(w.admin, 'PATCH', `/api/admin/users/${user.id}`, { role: 'admin' });
    const http = new TestClient(t.url);
    await http.login('admin-two', passwordOf('admin-two'));
    const deviceId = await registerDevice(http, user.id);
    const socket = connectSocket(t.url, http.cookie, t.url, deviceId);
    demoted = socket;
    await connected(socket);
    const recall = async () =>
      socket.timeout(10_000).emitWithAck('message:recall', { conversationId: w.group.id, seq: await w.freshMessage() });

    expect(await recall()).toMatchObject({ ok: true }); // an admin recalls in a group they are not in
    await w.expectOk(w.admin, 'PATCH', `/api/admin/users/${user.id}`, { role: 'member' });
    expect(await recall()).toMatchObject({ ok: false, error: { code: ErrorCode.CONVERSATION_NOT_FOUND } });
  });

  /** One call; null when it matches the table, else a line saying what happened. */
  async function callRest(row: RestRow, p: PrincipalName, allowed: boolean): Promise<string | null> {
    const call = await row.call({ w, p, allowed });
    const [routeMethod] = row.route.split(' ');
    const method = call.method ?? (routeMethod === 'ALL' ? 'GET' : routeMethod!);
    const { client, headers } = await w.clientFor(p, call.fresh);
    const res = call.redirects
      ? await unfollowed(client, method, call.path, headers)
      : await client.request(method, call.path, call.body, { ...headers, ...call.headers });
    const problem = allowed
      ? (notAllowed(row, res, call.missing === true) ?? (row.filtered?.(res.body, { w, p, allowed }) || null))
      : notDenied(row, p, method, res);
    return (
      problem && `${method} ${call.path} (${row.route}) as ${p}: expected ${allowed ? 'allowed' : 'denied'}, ${problem}`
    );
  }
});

/** A GET whose redirect is the answer (fetch would follow it to the web app, which is not served here). */
async function unfollowed(client: TestClient, method: string, path: string, headers: Record<string, string>) {
  const res = await fetch(client.baseUrl + path, {
    method,
    headers: { ...headers, ...(client.cookie ? { cookie: client.cookie } : {}) },
    redirect: 'manual',
  });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON */
  }
  return { status: res.status, body, headers: res.headers };
}

function errorCode(body: unknown): string | null {
  const code = (body as { error?: { code?: unknown } } | null)?.error?.code;
  return typeof code === 'string' ? code : null;
}

function got(res: HttpResult): string {
  return `got ${res.status} ${JSON.stringify(res.body)?.slice(0, 200)}`;
}

/** An allowed call passed authorisation: no 401/403, no refusal code of the service, no crash. */
function notAllowed(row: RestRow, res: HttpResult, missing: boolean): string | null {
  const code = errorCode(res.body);
  if (res.status === 401 || res.status === 403 || res.status >= 500) return got(res);
  if (code === ErrorCode.NOT_FOUND) return `${got(res)} (no such route)`;
  if (code && !missing && row.denyCodes?.includes(code)) return got(res);
  return null;
}

/** A denied call was refused by the guard (401/403) or by the service with one of the row's refusal codes. */
function notDenied(row: RestRow, p: PrincipalName, method: string, res: HttpResult): string | null {
  if (NO_CREDENTIAL.has(p) && res.status !== 401) return `${got(res)} (no live credential must be a 401)`;
  if (method === 'HEAD') return [401, 403, 404].includes(res.status) ? null : got(res);
  if (row.scim) {
    const schemas = (res.body as { schemas?: unknown } | null)?.schemas;
    const scimError = Array.isArray(schemas) && schemas.includes(SCIM_ERROR);
    return (res.status === 401 || res.status === 403) && scimError ? null : got(res);
  }
  const code = errorCode(res.body);
  if (code === null) return `${got(res)} (no typed error body)`;
  const byGuard = (res.status === 401 || res.status === 403) && GUARD_REFUSALS.has(code);
  const byService = res.status < 500 && (row.denyCodes ?? []).includes(code);
  return byGuard || byService ? null : got(res);
}
