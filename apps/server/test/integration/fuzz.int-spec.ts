import { ready } from '@miyu/crypto';
import {
  SERVICE_TOKEN_SCOPES,
  clientEventSchemas,
  type ConversationDto,
  type CreatedApiToken,
  type CreatedWebhook,
  type MessageSend,
  SOCKET_AUTH_ERRORS,
  SOCKET_MAX_PAYLOAD_BYTES,
} from '@miyu/protocol';
import { createHash, createHmac } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z, type ZodType } from 'zod';
import {
  closeRawAgent,
  DISCONNECTED,
  type RawResponse,
  judgeHttpResponse,
  judgeSocketAck,
  NO_ACK,
  rawRequest,
  RawSocketChannel,
  rssKiB,
  Tally,
  TIMED_OUT,
} from '../support/fuzz-client.js';
import {
  binaryBody,
  type BodyKind,
  enc,
  type FuzzBody,
  type FuzzIds,
  FuzzRng,
  generateBody,
  generateQuery,
  type JsonSchema,
  malformedPathSegment,
  type QueryParam,
  randomUuid,
  sampleFromSchema,
  SCIM_FILTERS,
  toJsonText,
  WEIRD_STRINGS,
} from '../support/fuzz-values.js';
import { TestClient } from '../support/http-client.js';
import {
  buildTestMessage,
  createGroup,
  createUser,
  passwordOf,
  type Person,
  registerDevice,
} from '../support/people.js';
import { REDIS_URL, redisAvailable } from '../support/redis.js';
import { type ClientSocket, connectSocket } from '../support/socket-client.js';
import { spawnServer, type SpawnedServer } from '../support/spawn-server.js';
import { createTestDatabase, type TestDatabase } from '../support/test-db.js';
import { TEST_SETUP_TOKEN } from '../support/test-server.js';

/**
 * Fuzzing every REST route (from the running server's OpenAPI document) and every socket.io event (from libs/protocol)
 * of the BUILT server, spawned as its own process, with seeded malformed input (test/support/fuzz-values.ts): wrong
 * types, huge strings, deep nesting, invalid UTF-8, edge numbers, prototype-pollution keys, mutations of valid
 * bodies, malformed path params and query strings, raw socket.io frames. As an admin, ordinary members, an auditor,
 * anonymously and with a service token, so that well-formed calls get past the guards into the services.
 *
 * The contract: never a 5xx (a typed upstream 502 from OIDC/LDAP aside), every error answer is
 * `{ error: { code, message } }` with a code from libs/protocol (SCIM: its own error schema), every ack is typed,
 * nothing unexpected is logged at level error, the process never exits, and its memory stays bounded.
 *
 * Budget: MIYU_FUZZ_SECONDS (default 25 s of fuzzing; about 40 s in all with setup) or MIYU_FUZZ_CASES (a cap on
 * cases). The seed is printed and MIYU_FUZZ_SEED replays it: case N of a stream is the same input again (fixture ids,
 * clock values and what concurrent cases changed aside). MIYU_FUZZ_TRACE=<file> appends every case to that file
 * before it is sent, with RSS and heap samples. `npm run test:fuzz` builds the server and runs 600 s.
 */
const SEED = process.env.MIYU_FUZZ_SEED
  ? Number(process.env.MIYU_FUZZ_SEED) >>> 0
  : (Date.now() ^ (process.pid << 16)) >>> 0;
const MAX_CASES = process.env.MIYU_FUZZ_CASES ? Number(process.env.MIYU_FUZZ_CASES) : Infinity;
const SECONDS = Number(process.env.MIYU_FUZZ_SECONDS ?? (Number.isFinite(MAX_CASES) ? 3600 : 25));
const REST_WORKERS = 3;
const REQUEST_TIMEOUT_MS = 30_000;
const ACK_TIMEOUT_MS = 15_000;
const RSS_HEADROOM_KIB = 256 * 1024;
const HEAP_CAP_MIB = 256;

type ActorName = 'admin' | 'alice' | 'bob' | 'auditor' | 'anon' | 'token';
interface Account {
  login: string;
  password: string;
  http: TestClient;
  userId: string;
  deviceId: string | null;
}

interface Route {
  method: string;
  /** OpenAPI template, e.g. `/api/conversations/{id}/members/{userId}`. */
  template: string;
  query: QueryParam[];
  jsonSchema: unknown;
  rawTypes: string[];
}

interface World {
  url: string;
  accounts: Record<Exclude<ActorName, 'anon' | 'token'>, Account>;
  /** A service token with every service scope, and the auditor's personal token (compliance:export, audit:read). */
  tokens: string[];
  hook: CreatedWebhook;
  group: ConversationDto;
  ids: FuzzIds;
  validMessages: Record<'alice' | 'bob', MessageSend[]>;
}

interface Failure {
  where: string;
  what: string;
}

type OpenApiParameter = { name: string; in: string; schema?: unknown };
type OpenApiOperation = {
  parameters?: OpenApiParameter[];
  requestBody?: { content: Record<string, { schema?: unknown }> };
};

/** Query parameters routes read that the OpenAPI document does not list (SCIM's are RFC 7644's; OIDC's the IdP's). */
const SCIM_LIST_QUERY: QueryParam[] = [
  { name: 'filter', examples: SCIM_FILTERS },
  { name: 'startIndex', examples: ['1', '0', '-1', '2147483648', '1.5', 'x'] },
  { name: 'count', examples: ['0', '10', '-5', '100000', '1e3', 'x'] },
  { name: 'attributes', examples: ['userName', 'members', 'emails.value,name.givenName', '', 'x'.repeat(2000)] },
  { name: 'excludedAttributes', examples: ['members', 'groups', 'urn:x', ','] },
];
const UNDOCUMENTED_QUERY: Record<string, QueryParam[]> = {
  'GET /scim/v2/Users': SCIM_LIST_QUERY,
  'GET /scim/v2/Groups': SCIM_LIST_QUERY,
  'GET /scim/v2/Users/{id}': SCIM_LIST_QUERY.slice(3),
  'GET /scim/v2/Groups/{id}': SCIM_LIST_QUERY.slice(3),
  'GET /api/auth/oidc/callback': ['code', 'state', 'error', 'error_description', 'iss'].map((name) => ({ name })),
};

/** Every route of the running server, from its OpenAPI document (openapi.int-spec.ts proves it lists them all). */
async function discoverRoutes(url: string): Promise<Route[]> {
  const doc = (await (await fetch(`${url}/api/docs/openapi.json`)).json()) as {
    paths: Record<string, Record<string, OpenApiOperation>>;
  };
  const routes: Route[] = [];
  for (const [template, ops] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(ops)) {
      const content = op.requestBody?.content ?? {};
      routes.push({
        method: method.toUpperCase(),
        template,
        query: [
          ...(op.parameters ?? []).filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema })),
          ...(UNDOCUMENTED_QUERY[`${method.toUpperCase()} ${template}`] ?? []),
        ],
        jsonSchema: content['application/json']?.schema ?? null,
        rawTypes: Object.keys(content).filter((t) => t !== 'application/json'),
      });
    }
  }
  return routes;
}

/** Which fixture ids a path parameter most likely names, by the segment before it or its own name. */
const SEGMENT_POOL: Record<string, string> = {
  conversations: 'conversation',
  users: 'user',
  people: 'user',
  members: 'user',
  devices: 'device',
  departments: 'department',
  webhooks: 'hook',
  hooks: 'hook',
  attachments: 'attachment',
  rules: 'rule',
  Users: 'user',
  Groups: 'department',
};

function fillPath(route: Route, rng: FuzzRng, ids: FuzzIds, malformed: boolean): string {
  const segments = route.template.split('/');
  const params = segments.map((s, i) => (s.startsWith('{') ? i : -1)).filter((i) => i >= 0);
  const broken = malformed && params.length > 0 ? rng.pick(params) : -1;
  return segments
    .map((segment, i) => {
      if (!segment.startsWith('{')) return segment;
      if (i === broken) return malformedPathSegment(rng);
      const name = segment.slice(1, -1);
      if (name === 'seq') return rng.pick(['1', '2', '3']);
      if (name === 'path')
        return rng.pick(['Bulk', 'Me', '.search', 'Users/x/y', 'Foo', enc(rng.pick(WEIRD_STRINGS)) || 'x']);
      const pool =
        ids.byName[
          name === 'hookId' ? 'hook' : name === 'userId' ? 'user' : (SEGMENT_POOL[segments[i - 1] ?? ''] ?? '')
        ] ?? ids.any;
      return rng.chance(0.85) && pool.length > 0 ? rng.pick(pool) : randomUuid(rng);
    })
    .join('/');
}

function pickActor(rng: FuzzRng, route: Route): ActorName {
  if (route.template.startsWith('/scim/') || route.template.startsWith('/api/webhooks/')) {
    return rng.weighted<ActorName>([
      [70, 'token'],
      [10, 'admin'],
      [10, 'anon'],
      [10, 'alice'],
    ]);
  }
  return rng.weighted<ActorName>([
    [30, 'admin'],
    [25, 'alice'],
    [10, 'bob'],
    [5, 'auditor'],
    [15, 'anon'],
    [15, 'token'],
  ]);
}

interface RestCase {
  actor: ActorName;
  method: string;
  path: string;
  headers: Record<string, string>;
  body: FuzzBody | null;
  kind: string;
  detail: string;
}

function sign(secret: string, timestamp: string, body: Uint8Array): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.`).update(body).digest('hex')}`;
}

/** Case `index` of the REST stream: a pure function of (seed, index, world), so a failure can be replayed. */
function buildRestCase(index: number, routes: Route[], world: World): RestCase {
  const rng = FuzzRng.forCase(SEED, 'rest', index);
  const route = rng.pick(routes);
  const target = rng.weighted<'body' | 'path' | 'query' | 'method' | 'route'>([
    [66, 'body'],
    [14, 'path'],
    [14, 'query'],
    [3, 'method'],
    [3, 'route'],
  ]);
  const actor = pickActor(rng, route);
  const path = fillPath(route, rng, world.ids, target === 'path');
  const query = generateQuery(rng, route.query, world.ids, target === 'query');
  const hasBody = route.jsonSchema !== null || route.rawTypes.length > 0;
  let body: FuzzBody | null = null;
  if (hasBody || rng.chance(0.3)) {
    const kind: BodyKind | undefined = target === 'body' ? undefined : 'valid';
    body =
      route.rawTypes.length > 0 && (route.jsonSchema === null || rng.chance(0.4)) && rng.chance(0.7)
        ? binaryBody(rng, rng.pick(route.rawTypes))
        : generateBody(rng, route.jsonSchema, world.ids, { kind, contentTypes: route.rawTypes });
  }
  const headers: Record<string, string> = {};
  if (body?.contentType) headers['content-type'] = body.contentType;
  else if (body && route.template.startsWith('/scim/') && rng.chance(0.5))
    headers['content-type'] = 'application/scim+json';
  if (route.template.startsWith('/scim/') && body?.contentType === 'application/json' && rng.chance(0.5))
    headers['content-type'] = 'application/scim+json';
  const origin = rng.weighted<string | null>([
    [70, null],
    [25, world.url],
    [5, rng.pick(['https://evil.example', 'null', ''])],
  ]);
  if (origin !== null) headers.origin = origin;
  if (route.template === '/api/attachments/{id}' && route.method === 'PATCH')
    headers['upload-offset'] = rng.pick(['0', '0', '5', '-1', '1e3', 'x', '9007199254740993', '']);
  if (route.template === '/hooks/{id}') {
    const timestamp = rng.weighted<string>([
      [80, String(Math.floor(Date.now() / 1000))],
      [
        20,
        rng.pick(['0', '-1', '1e308', 'x', '', '99999999999999999999', String(Math.floor(Date.now() / 1000) - 3600)]),
      ],
    ]);
    headers['x-miyu-timestamp'] = timestamp;
    const bytes = body?.bytes ?? new Uint8Array(0);
    headers['x-miyu-signature'] = rng.weighted<string>([
      [60, sign(world.hook.secret, timestamp, bytes)],
      [40, rng.pick(['', 'sha256=', 'sha256=00', `sha256=${'0'.repeat(64)}`, 'md5=abc', 'sha256=zz'])],
    ]);
  }
  const kind = target === 'body' ? (body?.kind ?? 'no-body') : target;
  const detail =
    target === 'body'
      ? (body?.detail ?? '')
      : target === 'query'
        ? query.detail
        : target === 'path'
          ? 'malformed path param'
          : target === 'method'
            ? 'another method'
            : 'unknown route';
  // A method the route does not serve, or a path below it that no route matches: 404 (typed) is expected.
  const method =
    target === 'method'
      ? rng.pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'PROPFIND'])
      : route.method;
  const fullPath = target === 'route' ? `${path}/${malformedPathSegment(rng)}` : path;
  return {
    actor,
    method,
    path: fullPath + (query.text ? `?${query.text}` : ''),
    headers,
    body,
    kind,
    detail,
  };
}

/** Adds the actor's credentials as a browser (cookie + CSRF token) or an integration (bearer token) sends them. */
function withCredentials(c: RestCase, world: World, rng: FuzzRng | null): Record<string, string> {
  // rng null: as a well-behaved client (the service token, always the CSRF token).
  const headers = { ...c.headers };
  if (c.actor === 'anon') return headers;
  if (c.actor === 'token') {
    const token = rng ? rng.pick(world.tokens) : world.tokens[0]!;
    headers.authorization =
      !rng || rng.chance(0.9)
        ? `Bearer ${token}`
        : rng.pick(['Bearer', 'Bearer  x', 'Basic YTpi', `Bearer ${token}x`, 'Bearer miyu_pat_', `bearer ${token}`]);
    return headers;
  }
  const http = world.accounts[c.actor].http;
  if (http.cookie) headers.cookie = http.cookie;
  if (http.csrfToken && c.method !== 'GET' && c.method !== 'HEAD' && (!rng || rng.chance(0.97)))
    headers['x-csrf-token'] = http.csrfToken;
  return headers;
}

/** A valid payload per socket event, to mutate (message:send gets a real signed envelope). */
function validSocketPayload(event: string, rng: FuzzRng, world: World, who: 'alice' | 'bob' | 'admin'): unknown {
  if (event === 'message:send' && who !== 'admin') return rng.pick(world.validMessages[who]);
  return sampleFromSchema(SOCKET_SCHEMAS[event], rng, world.ids);
}

const SOCKET_SCHEMAS: Record<string, JsonSchema> = Object.fromEntries(
  Object.entries(clientEventSchemas).map(([event, schema]) => [
    event,
    z.toJSONSchema(schema as ZodType, { io: 'input', unrepresentable: 'any' }) as JsonSchema,
  ]),
);
const EVENTS = Object.keys(clientEventSchemas);

interface SocketCase {
  kind: string;
  eventText: string;
  args: string[];
  withAck: boolean;
  binaries: Uint8Array[];
  attachmentsDeclared?: number;
  expectUnknown: boolean;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function buildSocketCase(index: number, world: World, who: 'alice' | 'bob' | 'admin'): SocketCase {
  const rng = FuzzRng.forCase(SEED, `socket:${who}`, index);
  const shape = rng.weighted<string>([
    [62, 'event'],
    [8, 'no-ack'],
    [5, 'ack-only'],
    [7, 'multi-args'],
    [8, 'binary'],
    [10, 'unknown-event'],
  ]);
  const event = rng.pick(EVENTS);
  const body = generateBody(rng, SOCKET_SCHEMAS[event], world.ids, {
    valid: validSocketPayload(event, rng, world, who),
    kind: rng.weighted<BodyKind | undefined>([
      [97, undefined],
      [3, 'broken-json'],
    ]),
  });
  let text: string | null;
  try {
    text = utf8.decode(body.bytes);
  } catch {
    text = null; // invalid UTF-8 cannot ride in a text frame: it goes as a binary attachment
  }
  if (body.kind === 'content-type') text = toJsonText(validSocketPayload(event, rng, world, who));
  const eventText = JSON.stringify(event);
  const placeholder = '{"_placeholder":true,"num":0}';
  if (text === null || shape === 'binary') {
    const binary = text === null ? body.bytes : rng.pick([new Uint8Array(0), Uint8Array.from([1, 2, 3]), body.bytes]);
    const variant = rng.int(4);
    const args =
      variant === 0
        ? [placeholder]
        : variant === 1
          ? [`{"payload":${placeholder}}`]
          : variant === 2
            ? [text ?? '{}', placeholder]
            : ['{"_placeholder":true,"num":7}'];
    return { kind: `binary/${body.kind}`, eventText, args, withAck: true, binaries: [binary], expectUnknown: false };
  }
  switch (shape) {
    case 'no-ack':
      return {
        kind: `no-ack/${body.kind}`,
        eventText,
        args: [text],
        withAck: false,
        binaries: [],
        expectUnknown: false,
      };
    case 'ack-only':
      return { kind: 'ack-only', eventText, args: [], withAck: true, binaries: [], expectUnknown: false };
    case 'multi-args': {
      const extra = Array.from({ length: rng.range(1, 4) }, () => rng.pick(['null', '1', '"x"', '{}', '[]', text!]));
      return {
        kind: 'multi-args',
        eventText,
        args: [text, ...extra],
        withAck: true,
        binaries: [],
        expectUnknown: false,
      };
    }
    case 'unknown-event': {
      const name = rng.pick<string>([
        JSON.stringify(
          rng.pick([
            '',
            'message:Send',
            'message:send ',
            'system:ping\u0000',
            'x'.repeat(10_000),
            '__proto__',
            'constructor',
            'toString',
            'hasOwnProperty',
            'admin:users',
            '*',
          ]),
        ),
        '42',
        '0',
        '-1.5',
        '1e308',
      ]);
      return { kind: 'unknown-event', eventText: name, args: [text], withAck: true, binaries: [], expectUnknown: true };
    }
    default:
      return { kind: `event/${body.kind}`, eventText, args: [text], withAck: true, binaries: [], expectUnknown: false };
  }
}

/** 'ok', the connect_error message, or 'timeout'. */
function connectOutcome(socket: ClientSocket): Promise<string> {
  return new Promise<string>((resolve) => {
    const timer = setTimeout(() => resolve('timeout'), 10_000);
    socket.once('connect', () => (clearTimeout(timer), resolve('ok')));
    socket.once('connect_error', (err) => (clearTimeout(timer), resolve(err.message)));
  });
}

/** MIYU_FUZZ_TRACE=<file>: every case is appended there before it is sent (to find the one a hang or crash follows). */
const TRACE = process.env.MIYU_FUZZ_TRACE;
function trace(line: string): void {
  if (TRACE) appendFileSync(TRACE, `${new Date().toISOString()} ${line.slice(0, 2000)}\n`);
}

describe('fuzz: every REST route and socket event of the built server', () => {
  let db: TestDatabase;
  let server: SpawnedServer;
  let dataDir: string;
  let world: World;
  const errorLines: string[] = [];
  const sockets: ClientSocket[] = [];

  beforeAll(async () => {
    await ready();
    db = await createTestDatabase('miyu_fuzz');
    dataDir = mkdtempSync(join(tmpdir(), 'miyu-fuzz-'));
    const redis = await redisAvailable();
    if (!redis && process.env.MIYU_REQUIRE_REDIS === '1') throw new Error(`Redis is required at ${REDIS_URL}`);
    server = await spawnServer({
      DATABASE_URL: db.url,
      ...(redis ? { REDIS_URL } : {}),
      SETUP_TOKEN: TEST_SETUP_TOKEN,
      LOG_LEVEL: 'warn',
      DATA_DIR: dataDir,
      API_RATE_LIMIT_PER_MINUTE: '1000000',
      LOGIN_IP_LIMIT_PER_MINUTE: '10000',
      LOGIN_MAX_FAILURES: '100',
      // V8 collects lazily below its (machine-sized) default heap limit, so unbounded RSS growth would say more about
      // GC timing than about leaks. Under a cap, garbage is collected and a real leak ends in an out-of-memory crash.
      NODE_OPTIONS: `--max-old-space-size=${HEAP_CAP_MIB}`,
    });
    let partial = '';
    server.proc.stdout!.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      // Every error-level line counts, except the per-request access line: a 5xx status is judged on the response.
      for (const line of lines)
        if (line.includes('"level":"error"') && !line.includes('"msg":"request"') && errorLines.length < 50)
          errorLines.push(line.slice(0, 2000));
    });
    world = await buildWorld();
  }, 120_000);

  afterAll(async () => {
    sockets.forEach((s) => s.disconnect());
    closeRawAgent();
    await server?.stop();
    await db?.drop();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  async function signIn(login: string, password: string): Promise<TestClient> {
    const http = new TestClient(server.url);
    const res = await http.login(login, password);
    if (res.status !== 200) throw new Error(`sign-in ${login}: ${res.status} ${JSON.stringify(res.body)}`);
    return http;
  }

  async function buildWorld(): Promise<World> {
    const url = server.url;
    const admin = new TestClient(url);
    const adminState = await admin.setupAdmin();
    const account = async (login: string, device: boolean): Promise<Account> => {
      const user = await createUser(admin, login);
      const http = await signIn(login, passwordOf(login));
      return {
        login,
        password: passwordOf(login),
        http,
        userId: user.id,
        deviceId: device ? await registerDevice(http, user.id) : null,
      };
    };
    // alice and bob are operators (their own ids are kept out of the id pool, so the fuzzer cannot remove them);
    // carol and dave are the people the fuzzer may act on.
    const alice = await account('alice', true);
    const bob = await account('bob', true);
    const carol = await account('carol', true);
    const dave = await account('dave', false);
    const auditor = await account('auditor', false);
    const promote = await admin.request('PATCH', `/api/admin/users/${auditor.userId}`, { role: 'auditor' });
    if (promote.status !== 200) throw new Error(`auditor: ${promote.status}`);
    auditor.http = await signIn('auditor', passwordOf('auditor'));
    const group = await createGroup(alice.http, 'fuzz group', [bob.userId, carol.userId]);
    const direct = (
      await alice.http.request<ConversationDto>('POST', '/api/conversations', { kind: 'direct', userId: dave.userId })
    ).body;
    const hook = (
      await alice.http.request<CreatedWebhook>('POST', `/api/conversations/${group.id}/webhooks`, { name: 'fuzz hook' })
    ).body;
    const serviceToken = (
      await admin.request<CreatedApiToken>('POST', '/api/admin/service-tokens', {
        name: 'fuzz',
        scopes: [...SERVICE_TOKEN_SCOPES],
        expiresInDays: 30,
      })
    ).body.token;
    const personalToken = (
      await auditor.http.request<CreatedApiToken>('POST', '/api/tokens', {
        name: 'fuzz',
        scopes: ['compliance:export', 'audit:read'],
        expiresInDays: 30,
      })
    ).body.token;
    const tokens = [serviceToken, personalToken];
    const dept = (
      await admin.request<{ id: string }>('POST', '/api/admin/directory/departments', {
        name: 'Fuzz dept',
        code: 'FUZZ',
      })
    ).body;
    const attachment = (
      await alice.http.request<{ id: string }>('POST', `/api/conversations/${group.id}/attachments`, { size: 10 })
    ).body;
    const rule = (
      await admin.request<{ id: string }>('POST', '/api/admin/word-policy/rules', {
        type: 'word',
        pattern: 'fuzzword',
        category: 'fuzz',
        action: 'flag',
      })
    ).body;
    for (const [name, v] of Object.entries({ direct, hook, serviceToken, personalToken, dept, attachment, rule }))
      if (!v || (typeof v === 'object' && !('id' in v))) throw new Error(`fixture ${name}: ${JSON.stringify(v)}`);
    const person = (a: Account): Person => ({ user: { id: a.userId }, deviceId: a.deviceId }) as unknown as Person;
    const messages = (a: Account) =>
      Array.from({ length: 8 }, (_, i) => buildTestMessage(person(a), group.id, `fuzz ${i}`));
    const byName: Record<string, string[]> = {
      conversation: [group.id, direct.id],
      user: [carol.userId, dave.userId],
      member: [carol.userId, dave.userId],
      device: [carol.deviceId!],
      department: [dept.id],
      hook: [hook.id],
      attachment: [attachment.id],
      rule: [rule.id],
    };
    return {
      url,
      accounts: {
        admin: {
          login: 'admin',
          password: 'admin-password-1',
          http: admin,
          userId: adminState.user.id,
          deviceId: null,
        },
        alice,
        bob,
        auditor,
      },
      tokens,
      hook,
      group,
      ids: { byName, any: Object.values(byName).flat() },
      validMessages: { alice: messages(alice), bob: messages(bob) },
    };
  }

  /** One request as `actor`, with its credentials; the body is sent as given (JSON text). */
  async function call(actor: ActorName, method: string, path: string, body?: string): Promise<RawResponse> {
    const c: RestCase = {
      actor,
      method,
      path,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: null,
      kind: 'regression',
      detail: '',
    };
    const headers = withCredentials(c, world, null);
    const res = await rawRequest(server.url, {
      method,
      path,
      headers,
      body: body === undefined ? undefined : new TextEncoder().encode(body),
      timeoutMs: REQUEST_TIMEOUT_MS,
    });
    if ('error' in res) throw new Error(`${method} ${path}: ${res.error}`);
    return res;
  }
  const codeOf = (res: RawResponse) => (JSON.parse(res.text) as { error?: { code: string } }).error?.code;

  it('generates the same cases from the same seed (so a printed seed replays a run)', () => {
    const bodies = (seed: number) =>
      Array.from({ length: 80 }, (_, i) => {
        const rng = FuzzRng.forCase(seed, 'determinism', i);
        const body = generateBody(rng, SOCKET_SCHEMAS['message:send'], world.ids);
        const digest = createHash('sha256').update(body.bytes).digest('hex');
        return `${body.kind}:${digest}:${malformedPathSegment(rng).slice(0, 40)}`;
      });
    expect(bodies(SEED)).toEqual(bodies(SEED));
    expect(bodies(SEED)).not.toEqual(bodies(SEED + 1));
  });

  /** What earlier fuzz runs found (each crashed the process, answered 500 or lost an audit entry), pinned. */
  it('answers the inputs that once broke the server with typed errors', async () => {
    // A number (or an inherited key) as a socket event name: the unknown-event handler threw and ended the process.
    const socket = connectSocket(server.url, world.accounts.bob.http.cookie, server.url);
    sockets.push(socket);
    expect(await connectOutcome(socket)).toBe('ok');
    const channel = new RawSocketChannel(socket);
    for (const name of ['42', '"toString"', '"__proto__"'])
      expect(await channel.send(name, ['{}'], { withAck: true, timeoutMs: ACK_TIMEOUT_MS })).toMatchObject({
        ok: false,
        error: { code: 'SOCKET_UNKNOWN_EVENT' },
      });
    socket.disconnect();

    // NUL reached PostgreSQL (500), an unpaired surrogate reached the audit log's canonical JSON (entry lost).
    const rule = world.ids.byName.rule![0]!;
    const word = (pattern: string) => JSON.stringify({ type: 'word', pattern, category: 'c', action: 'flag' });
    expect(codeOf(await call('admin', 'PUT', `/api/admin/word-policy/rules/${rule}`, word('a\u0000')))).toBe(
      'VALIDATION_FAILED',
    );
    expect(codeOf(await call('alice', 'PATCH', '/api/auth/profile', '{"displayName":"a\\ud800"}'))).toBe(
      'VALIDATION_FAILED',
    );
    const scimFilter = await call('token', 'GET', `/scim/v2/Users?filter=${enc('userName eq "\\u0000"')}`);
    expect([scimFilter.status, JSON.parse(scimFilter.text)]).toMatchObject([400, { scimType: 'invalidFilter' }]);
    const scimGroup = await call('token', 'POST', '/scim/v2/Groups', '{"displayName":"x\\ud800"}');
    expect([scimGroup.status, JSON.parse(scimGroup.text)]).toMatchObject([400, { scimType: 'invalidValue' }]);

    // Deep nesting: re-serialising the body overflowed the stack (500).
    const deep = `{"text":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    expect(codeOf(await call('admin', 'POST', `/api/webhooks/${world.hook.id}/messages`, deep))).toBe(
      'MALFORMED_REQUEST',
    );

    // A request line over Node's 16 KiB limit: Node's own answer had no body.
    const long = await call('admin', 'GET', `/api/conversations?q=${'a'.repeat(20_000)}`);
    expect([long.status, codeOf(long)]).toEqual([431, 'PAYLOAD_TOO_LARGE']);

    // LDAP URLs the LDAP client cannot parse were stored, and every sync then failed with 500.
    for (const url of ['ldaps://A\\/', 'ldaps://[.]:73389/']) {
      const body = {
        enabled: false,
        flavour: 'openldap',
        url,
        bindDn: 'cn=a,dc=x',
        bindPassword: 'x',
        baseDns: ['dc=x'],
      };
      expect(codeOf(await call('admin', 'PUT', '/api/admin/ldap', JSON.stringify(body)))).toBe('VALIDATION_FAILED');
    }

    expect(server.proc.exitCode).toBeNull();
    expect(errorLines).toEqual([]);
  });

  it(
    'answers every malformed request and event with a typed error, without crashing or growing',
    async () => {
      const routes = await discoverRoutes(server.url);
      expect(routes.length).toBeGreaterThan(100);
      const pid = server.proc.pid!;
      const failures: Failure[] = [];
      const fail = (where: string, what: string) => {
        if (failures.length < 40) failures.push({ where, what });
      };
      const restKinds = new Tally();
      const socketKinds = new Tally();
      const codes = new Tally();
      const ackCodes = new Tally();
      const disconnects = new Tally();
      let fourXx = 0;
      let fiveXx = 0;
      let upstream = 0;
      let heals = 0;

      // Sessions may end during the run (the fuzzer can sign its own actors out): sign them in again.
      const heal = async (name: keyof World['accounts']) => {
        const a = world.accounts[name];
        const res = await a.http.request('GET', '/api/auth/session');
        if (res.status === 200) return;
        heals += 1;
        let login = await a.http.login(a.login, a.password);
        if (login.status === 403 && name !== 'admin') {
          // A valid PUT /api/admin/oidc may have turned password sign-in off for members: turn it back on.
          await world.accounts.admin.http.request('PUT', '/api/admin/oidc', {
            enabled: false,
            issuerUrl: 'https://idp.example',
            clientId: 'x',
            scopes: ['openid'],
            matchBy: 'email',
            jitProvisioning: false,
            buttonLabel: 'SSO',
            passwordSignInDisabled: false,
          });
          login = await a.http.login(a.login, a.password);
        }
        if (login.status !== 200)
          fail(`heal ${name}`, `cannot sign in again: ${login.status} ${JSON.stringify(login.body)}`);
      };
      const healAll = async () => {
        for (const name of ['admin', 'alice', 'bob', 'auditor'] as const) await heal(name);
      };

      let rssMax = 0;
      let rssSamples = 0;
      const sampleRss = () => {
        const v = rssKiB(pid);
        if (v !== null) rssMax = Math.max(rssMax, v);
        if (rssSamples++ % 10 === 0 && TRACE) void heapMiB().then((heap) => trace(`rss ${v} KiB heap ${heap}`));
        return v;
      };
      // The process's own view (prom-client default metrics): used JS heap and external (Buffer) memory, in MiB.
      const heapMiB = async () => {
        const text = await (await fetch(`${server.url}/metrics`)).text();
        const metric = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN) / 2 ** 20;
        return `used ${metric('miyu_nodejs_heap_size_used_bytes').toFixed(0)} external ${metric('miyu_nodejs_external_memory_bytes').toFixed(0)}`;
      };

      // Warm-up: every GET route once with valid input as the admin, so start-of-run RSS includes loaded code paths.
      for (const [i, route] of routes.entries()) {
        if (route.method !== 'GET') continue;
        const rng = FuzzRng.forCase(SEED, 'warmup', i);
        const path = fillPath(route, rng, world.ids, false);
        const headers: Record<string, string> = { cookie: world.accounts.admin.http.cookie! };
        await rawRequest(server.url, { method: 'GET', path, headers, timeoutMs: REQUEST_TIMEOUT_MS });
      }
      const rssStart = sampleRss();
      const heapStart = await heapMiB();

      const started = Date.now();
      const deadline = started + SECONDS * 1000;
      let casesSent = 0;
      const more = () => Date.now() < deadline && casesSent < MAX_CASES && server.proc.exitCode === null;
      const rssTimer = setInterval(sampleRss, 500);
      const healTimer = setInterval(() => void healAll().catch(() => undefined), 3000);

      let nextRest = 0;
      const restWorker = async () => {
        while (more()) {
          const index = nextRest++;
          casesSent += 1;
          const c = buildRestCase(index, routes, world);
          const headers = withCredentials(c, world, FuzzRng.forCase(SEED, 'rest-credentials', index));
          restKinds.add(c.kind);
          const where = `rest#${index}`;
          const describe = `${c.actor} ${c.method} ${c.path.slice(0, 200)} [${c.kind}: ${c.detail}; ${c.body?.bytes.byteLength ?? 0} B ${c.headers['content-type'] ?? ''}]`;
          trace(`${where} ${describe}`);
          const res = await rawRequest(server.url, {
            method: c.method,
            path: c.path,
            headers,
            body: c.body?.bytes,
            timeoutMs: REQUEST_TIMEOUT_MS,
          });
          if ('error' in res) {
            // The server may answer an oversized body or request line (over Node's 16 KiB header limit) early and
            // close the connection while we are still writing.
            const oversized = (c.body?.bytes.byteLength ?? 0) > 256 * 1024 || c.path.length > 16 * 1024;
            if (oversized && /ECONNRESET|EPIPE/.test(res.error)) codes.add('connection closed on oversized request');
            else fail(where, `${describe}: ${res.error}`);
            continue;
          }
          const verdict = judgeHttpResponse(c.method, c.path, res);
          codes.add(verdict.code);
          if (res.status >= 400 && res.status < 500) fourXx += 1;
          if (res.status >= 500 && !verdict.upstream) fiveXx += 1;
          if (verdict.upstream) upstream += 1;
          if (verdict.failure) fail(where, `${describe} → ${verdict.failure}`);
        }
      };

      const openChannel = async (who: 'alice' | 'bob' | 'admin'): Promise<RawSocketChannel | null> => {
        for (let attempt = 0; attempt < 5 && more(); attempt++) {
          const a = world.accounts[who];
          const socket = connectSocket(server.url, a.http.cookie, server.url, a.deviceId ?? undefined);
          sockets.push(socket);
          const outcome = await connectOutcome(socket);
          if (outcome === 'ok') return new RawSocketChannel(socket);
          socket.disconnect();
          if (!(SOCKET_AUTH_ERRORS as readonly string[]).includes(outcome))
            fail(`socket ${who}`, `connect_error ${outcome}`);
          if (outcome === 'DEVICE_NOT_FOUND') a.deviceId = await registerDevice(a.http, a.userId);
          else await heal(who);
        }
        return null;
      };

      const socketWorker = async (who: 'alice' | 'bob' | 'admin') => {
        let channel = await openChannel(who);
        for (let index = 0; channel && more(); index++) {
          casesSent += 1;
          const c = buildSocketCase(index, world, who);
          socketKinds.add(c.kind);
          const where = `socket:${who}#${index}`;
          const describe = `${c.kind} ${c.eventText.slice(0, 40)} args=${c.args
            .map((a) => a.slice(0, 80))
            .join(' | ')
            .slice(0, 300)}`;
          trace(`${where} ${describe}`);
          const ack = await channel.send(c.eventText, c.args, {
            withAck: c.withAck,
            binaries: c.binaries,
            attachmentsDeclared: c.attachmentsDeclared,
            timeoutMs: ACK_TIMEOUT_MS,
          });
          if (ack === TIMED_OUT) fail(where, `${describe}: no ack within ${ACK_TIMEOUT_MS} ms`);
          else if (ack !== DISCONNECTED && ack !== NO_ACK) {
            const problem = judgeSocketAck(ack);
            if (problem) fail(where, `${describe}: ${problem}`);
            const a = ack as { ok: boolean; error?: { code: string } };
            ackCodes.add(a.ok ? 'ok' : a.error!.code);
            if (c.expectUnknown && a.ok) fail(where, `${describe}: unknown event acked ok`);
          }
          if (ack === NO_ACK && channel.connected) {
            // No callback: nothing comes back, and the socket still answers the next event.
            const ping = await channel.send('"system:ping"', ['{}'], { withAck: true, timeoutMs: ACK_TIMEOUT_MS });
            if (ping === TIMED_OUT) fail(where, `${describe}: socket stopped answering after an event without ack`);
          }
          if (!channel.connected) {
            disconnects.add(c.kind.split('/')[0]!);
            channel.socket.disconnect();
            channel = await openChannel(who);
          }
        }
      };

      /** Frames that break the socket.io protocol itself, oversized frames and odd handshakes, on throwaway sockets. */
      const roughWorker = async () => {
        for (let index = 0; more(); index++) {
          casesSent += 1;
          const rng = FuzzRng.forCase(SEED, 'rough', index);
          const a = world.accounts[rng.pick(['alice', 'bob'] as const)];
          const handshake = rng.chance(0.2);
          const auth = handshake
            ? rng.pick<unknown>([
                { deviceId: 5 },
                { deviceId: 'x' },
                { deviceId: randomUuid(rng) },
                { deviceId: 'x'.repeat(5000) },
                { deviceId: null },
                { deviceId: { $ne: 1 } },
                { deviceId: carolDevice() },
              ])
            : undefined;
          const cookie =
            handshake && rng.chance(0.3)
              ? rng.pick([
                  'miyu_session=x',
                  'miyu_session=',
                  '',
                  `miyu_session=${'a'.repeat(5000)}`,
                  'miyu_session=%zz',
                ])
              : a.http.cookie;
          const socket = connectSocket(server.url, cookie, rng.chance(0.1) ? 'https://evil.example' : server.url);
          if (auth !== undefined) (socket as unknown as { auth: unknown }).auth = auth;
          sockets.push(socket);
          const outcome = await connectOutcome(socket);
          if (outcome !== 'ok') {
            socketKinds.add('rough/handshake-refused');
            if (!(SOCKET_AUTH_ERRORS as readonly string[]).includes(outcome))
              fail(`rough#${index}`, `handshake: connect_error ${outcome}`);
            socket.disconnect();
            continue;
          }
          const channel = new RawSocketChannel(socket);
          const frameIndex = rng.int(7);
          trace(`rough#${index} frame ${frameIndex}`);
          const frame = await [
            // Larger than the 1 MiB frame limit: the connection is closed (documented).
            () =>
              channel.send('"system:ping"', [`{"nonce":"${'a'.repeat(SOCKET_MAX_PAYLOAD_BYTES + 16)}"}`], {
                withAck: true,
                timeoutMs: ACK_TIMEOUT_MS,
              }),
            () => channel.send('"disconnect"', ['{}'], { withAck: true, timeoutMs: ACK_TIMEOUT_MS }),
            () => channel.send('"newListener"', ['"x"'], { withAck: true, timeoutMs: ACK_TIMEOUT_MS }),
            () => channel.send('42', ['{}'], { withAck: true, timeoutMs: ACK_TIMEOUT_MS }),
            () =>
              channel.send('"system:ping"', ['{}'], {
                withAck: true,
                binaries: [Uint8Array.from([1])],
                attachmentsDeclared: 2,
                timeoutMs: 2000,
              }),
            () =>
              channel.send('"system:ping"', ['{"_placeholder":true,"num":"0"}'], {
                withAck: true,
                binaries: [Uint8Array.from([1])],
                timeoutMs: ACK_TIMEOUT_MS,
              }),
            async () => {
              const raw = rng.pick([
                '9',
                '2[',
                '2["a"',
                '2[]',
                '2{}',
                '2"x"',
                '2[null]',
                '2[{}]',
                '2999999999999999999999["system:ping",{}]',
                '2-1["system:ping",{}]',
                '2/admin,["system:ping"]',
                '5x-["a"]',
                '0',
                '0/nsp,',
                '1',
                '3["x"]',
                '31["x"]',
                '4',
                '6',
                '',
                '2' + '['.repeat(50_000) + ']'.repeat(50_000),
              ]);
              socket.io.engine.write(raw);
              return channel.send('"system:ping"', ['{}'], { withAck: true, timeoutMs: 5000 });
            },
          ][frameIndex]!();
          socketKinds.add('rough/frame');
          if (frame !== DISCONNECTED && frame !== TIMED_OUT) {
            const problem = judgeSocketAck(frame);
            if (problem) fail(`rough#${index}`, problem);
          }
          if (!socket.connected) disconnects.add('rough');
          socket.disconnect();
          await new Promise((r) => setTimeout(r, 100));
          // The server still accepts and answers a fresh socket.
          const live = await (await fetch(`${server.url}/health/live`)).status;
          if (live !== 200) fail(`rough#${index}`, `/health/live ${live}`);
        }
      };
      const carolDevice = () => world.ids.byName.device![0]!;

      // A worker that throws (the server went away under it) records why and stops; the others run on.
      const guarded = (name: string, work: () => Promise<void>) => async () => {
        try {
          await work();
        } catch (err) {
          fail(name, `worker stopped: ${(err as Error).stack ?? String(err)}`.slice(0, 1500));
        }
      };
      await Promise.all([
        ...Array.from({ length: REST_WORKERS }, (_, i) => guarded(`rest worker ${i}`, restWorker)()),
        guarded('socket worker alice', () => socketWorker('alice'))(),
        guarded('socket worker bob', () => socketWorker('bob'))(),
        guarded('socket worker admin', () => socketWorker('admin'))(),
        guarded('rough socket worker', roughWorker)(),
      ]);
      clearInterval(rssTimer);
      clearInterval(healTimer);
      const durationS = (Date.now() - started) / 1000;
      const rssEnd = sampleRss();
      const heapEnd = await heapMiB();

      const alive = server.proc.exitCode === null && server.proc.signalCode === null;
      const crashes = alive ? 0 : 1;
      const mib = (k: number | null) => (k === null ? 'n/a' : `${Math.round(k / 1024)}MiB`);
      console.log(
        [
          `fuzz seed=${SEED} (MIYU_FUZZ_SEED=${SEED} replays it)`,
          `REST cases by kind: ${restKinds.toString()}`,
          `REST responses by code: ${codes.toString()}`,
          `socket cases by kind: ${socketKinds.toString()}`,
          `socket acks by code: ${ackCodes.toString()}`,
          `socket disconnects by kind: ${disconnects.toString() || 'none'}`,
          `sessions signed in again: ${heals}; server error log lines: ${errorLines.length}`,
          ...failures.map((f) => `FAILURE ${f.where}: ${f.what}`),
          ...errorLines.slice(0, 10).map((l) => `ERROR LOG ${l}`),
          ...(alive
            ? []
            : [
                `SERVER EXITED (${server.proc.exitCode ?? server.proc.signalCode}); its last output:\n${server.output().slice(-4000)}`,
              ]),
          `fuzz: seed ${SEED}, ${durationS.toFixed(0)} s, ${restKinds.total()} REST cases over ${routes.length} routes, ` +
            `${socketKinds.total()} socket cases over ${EVENTS.length} events, 4xx ${fourXx}, ` +
            `5xx ${fiveXx} (typed upstream 502 ${upstream}), crashes ${crashes}, failures ${failures.length}, ` +
            `RSS start ${mib(rssStart)} end ${mib(rssEnd)} max ${mib(rssMax)}, JS heap start ${heapStart} end ${heapEnd} MiB`,
        ].join('\n'),
      );

      expect(alive).toBe(true);
      expect((await fetch(`${server.url}/health/ready`)).status).toBe(200);
      expect(failures).toEqual([]);
      expect(errorLines).toEqual([]);
      expect(fiveXx).toBe(0);
      if (rssStart !== null) expect(rssMax).toBeLessThan(rssStart + RSS_HEADROOM_KIB);
    },
    (SECONDS + 240) * 1000,
  );
});
