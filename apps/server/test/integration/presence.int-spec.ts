import type { Ack, ConversationDto, PresenceSnapshot, TypingChangedEvent, UserDto } from '@miyu/protocol';
import { createClient } from 'redis';
import { uuidv7 } from '../../src/common/security/uuid.js';
import { TestClient } from '../support/http-client.js';
import { type ClientSocket, connected, connectSocket } from '../support/socket-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

interface Person {
  id: string;
  http: TestClient;
}

describe('typing and presence: ephemeral, rate-limited, never persisted (real PostgreSQL)', () => {
  let t: TestServer;
  let alice: Person;
  let bob: Person;
  let carol: Person;
  let group: ConversationDto;
  const sockets: ClientSocket[] = [];

  async function person(admin: TestClient, login: string): Promise<Person> {
    const user = (
      await admin.request<UserDto>('POST', '/api/admin/users', {
        login,
        displayName: login,
        password: `${login}-password-1`,
      })
    ).body;
    const http = new TestClient(t.url);
    await http.login(login, `${login}-password-1`);
    return { id: user.id, http };
  }

  async function connect(p: Person): Promise<{ socket: ClientSocket; typing: TypingChangedEvent[] }> {
    const socket = connectSocket(t.url, p.http.cookie);
    sockets.push(socket);
    const typing: TypingChangedEvent[] = [];
    socket.on('typing:changed', (e) => typing.push(e));
    await connected(socket);
    return { socket, typing };
  }

  function query(socket: ClientSocket, userIds: string[]) {
    return socket.timeout(5000).emitWithAck('presence:query', { userIds }) as Promise<Ack<PresenceSnapshot>>;
  }

  function typing(socket: ClientSocket, conversationId: string, value: boolean) {
    return socket.timeout(5000).emitWithAck('typing:update', { conversationId, typing: value }) as Promise<
      Ack<Record<string, never>>
    >;
  }

  async function rowCounts(): Promise<Record<string, number>> {
    const tables = (await t.dataSource.query(
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
    )) as Array<{ table_name: string }>;
    const counts: Record<string, number> = {};
    for (const { table_name } of tables) {
      const rows = (await t.dataSource.query(`SELECT count(*)::int AS n FROM "${table_name}"`)) as Array<{ n: number }>;
      counts[table_name] = rows[0]!.n;
    }
    return counts;
  }

  beforeAll(async () => {
    t = await startTestServer();
    const admin = new TestClient(t.url);
    await admin.setupAdmin();
    [alice, bob, carol] = await Promise.all([person(admin, 'alice'), person(admin, 'bob'), person(admin, 'carol')]);
    group = (
      await alice.http.request<ConversationDto>('POST', '/api/conversations', {
        kind: 'group',
        name: 'typing',
        memberIds: [bob.id],
      })
    ).body;
  });
  afterAll(async () => {
    sockets.forEach((s) => s.disconnect());
    await t?.close();
  });

  it('tells the other members that someone types, not the sender’s sockets nor non-members; writes nothing', async () => {
    const [a1, a2, b, c] = await Promise.all([connect(alice), connect(alice), connect(bob), connect(carol)]);
    const before = await rowCounts();

    expect(await typing(a1.socket, group.id, true)).toEqual({ ok: true, data: {} });
    await waitFor(() => b.typing.length === 1);
    expect(b.typing[0]).toEqual({ conversationId: group.id, userId: alice.id, typing: true });

    // A non-member may not type there (the conversation does not exist for them).
    expect(await typing(c.socket, group.id, true)).toMatchObject({
      ok: false,
      error: { code: 'CONVERSATION_NOT_FOUND' },
    });
    // Bob's reply reaches alice's sockets (both), proving delivery before we check the negatives.
    expect(await typing(b.socket, group.id, true)).toMatchObject({ ok: true });
    await waitFor(() => a1.typing.length === 1 && a2.typing.length === 1);
    expect(a1.typing[0]).toMatchObject({ userId: bob.id });
    expect(a2.typing[0]).toMatchObject({ userId: bob.id });
    expect(c.typing).toEqual([]);
    expect(b.typing).toHaveLength(1);

    expect(await query(b.socket, [alice.id, carol.id])).toEqual({ ok: true, data: { online: [alice.id, carol.id] } });
    expect(await rowCounts()).toEqual(before);
    [a1, a2, b, c].forEach((p) => p.socket.disconnect());
  });

  it('answers RATE_LIMITED to more than one typing update per conversation per second', async () => {
    const a = await connect(alice);
    const other = (
      await alice.http.request<ConversationDto>('POST', '/api/conversations', { kind: 'direct', userId: bob.id })
    ).body;
    expect(await typing(a.socket, group.id, true)).toMatchObject({ ok: true });
    expect(await typing(a.socket, group.id, false)).toMatchObject({ ok: false, error: { code: 'RATE_LIMITED' } });
    // Another conversation has its own budget; after a second the first one passes again.
    expect(await typing(a.socket, other.id, true)).toMatchObject({ ok: true });
    await new Promise((r) => setTimeout(r, 1050));
    expect(await typing(a.socket, group.id, false)).toMatchObject({ ok: true });
    a.socket.disconnect();
  });

  it('reports a user online while any socket of theirs is connected', async () => {
    const observer = await connect(bob);
    const nobody = uuidv7();
    await waitForAsync(async () => {
      const res = await query(observer.socket, [alice.id, carol.id, nobody]);
      return res.ok && res.data.online.length === 0;
    });
    const a1 = await connect(alice);
    const a2 = await connect(alice);
    expect(await query(observer.socket, [alice.id, carol.id, nobody, alice.id])).toEqual({
      ok: true,
      data: { online: [alice.id] },
    });
    a1.socket.disconnect();
    await new Promise((r) => setTimeout(r, 100));
    expect(await query(observer.socket, [alice.id])).toEqual({ ok: true, data: { online: [alice.id] } });
    a2.socket.disconnect();
    await waitForAsync(async () => {
      const res = await query(observer.socket, [alice.id]);
      return res.ok && res.data.online.length === 0;
    });
    expect(
      await query(
        observer.socket,
        Array.from({ length: 201 }, () => uuidv7()),
      ),
    ).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    });
    observer.socket.disconnect();
  });
});

/** Two server instances on one database joined by Redis: presence and typing cross between them. */
describe('typing and presence across server processes (Redis adapter)', () => {
  const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  let a: TestServer | null = null;
  let b: TestServer | null = null;
  const open: ClientSocket[] = [];

  beforeAll(async () => {
    const probe = createClient({ url: REDIS_URL, socket: { connectTimeout: 1000, reconnectStrategy: false } });
    probe.on('error', () => undefined);
    try {
      await probe.connect();
      await probe.quit();
    } catch {
      if (process.env.MIYU_REQUIRE_REDIS === '1')
        throw new Error(`Redis is required but not reachable at ${REDIS_URL}`);
      console.warn(`SKIPPING cross-process presence tests: no Redis at ${REDIS_URL}`);
      return;
    }
    a = await startTestServer({ REDIS_URL });
    b = await startTestServer({ REDIS_URL }, a.db);
  });
  afterAll(async () => {
    open.forEach((s) => s.disconnect());
    await b?.close();
    await a?.close();
    await a?.db.drop();
  });

  it('sees a user connected to the other process as online, and delivers typing there', async () => {
    if (!a || !b) return;
    const admin = new TestClient(a.url);
    await admin.setupAdmin();
    const users: Record<string, string> = {};
    for (const login of ['dora', 'emil']) {
      users[login] = (
        await admin.request<UserDto>('POST', '/api/admin/users', {
          login,
          displayName: login,
          password: `${login}-password-1`,
        })
      ).body.id;
    }
    const dora = new TestClient(a.url);
    await dora.login('dora', 'dora-password-1');
    const emil = new TestClient(b.url);
    await emil.login('emil', 'emil-password-1');
    const conversation = (
      await dora.request<ConversationDto>('POST', '/api/conversations', { kind: 'direct', userId: users.emil })
    ).body;
    const onA = connectSocket(a.url, dora.cookie);
    const onB = connectSocket(b.url, emil.cookie);
    open.push(onA, onB);
    const seen: TypingChangedEvent[] = [];
    onB.on('typing:changed', (e) => seen.push(e));
    await Promise.all([connected(onA), connected(onB)]);
    expect(await onA.timeout(5000).emitWithAck('presence:query', { userIds: [users.emil!] })).toEqual({
      ok: true,
      data: { online: [users.emil] },
    });
    expect(
      await onA.timeout(5000).emitWithAck('typing:update', { conversationId: conversation.id, typing: true }),
    ).toMatchObject({ ok: true });
    await waitFor(() => seen.length === 1);
    expect(seen[0]).toEqual({ conversationId: conversation.id, userId: users.dora, typing: true });
    onB.disconnect();
    await waitForAsync(async () => {
      const res = (await onA
        .timeout(5000)
        .emitWithAck('presence:query', { userIds: [users.emil!] })) as Ack<PresenceSnapshot>;
      return res.ok && res.data.online.length === 0;
    });
  });
});

async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  await waitForAsync(async () => check(), timeoutMs);
}

async function waitForAsync(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}
