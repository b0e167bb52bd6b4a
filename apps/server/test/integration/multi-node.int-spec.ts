import type { SessionRevokedEvent } from '@miyu/protocol';
import { TestClient } from '../support/http-client.js';
import { connected, connectSocket, nextDisconnect, type ClientSocket } from '../support/socket-client.js';
import { REDIS_URL, redisAvailable } from '../support/redis.js';
import { spawnServer, type SpawnedServer } from '../support/spawn-server.js';
import { createTestDatabase, type TestDatabase } from '../support/test-db.js';
import { startTestServer, TEST_SETUP_TOKEN } from '../support/test-server.js';

/** Two server processes, one database, one Redis: an event raised on A reaches a socket connected to B. */
describe('multi-node: two server processes share events through Redis', () => {
  let db: TestDatabase;
  let a: SpawnedServer;
  let b: SpawnedServer;
  const sockets: ClientSocket[] = [];

  beforeAll(async () => {
    if (!(await redisAvailable())) {
      // CI sets MIYU_REQUIRE_REDIS=1 so that a missing Redis fails the run instead of hiding this test.
      if (process.env.MIYU_REQUIRE_REDIS === '1')
        throw new Error(`Redis is required but not reachable at ${REDIS_URL}`);
      console.warn(`SKIPPING multi-node tests: no Redis at ${REDIS_URL} (set REDIS_URL or start redis-server)`);
      return;
    }
    db = await createTestDatabase('miyu_mn');
    // Both start on the same empty database at once: the advisory lock serialises their migrations.
    [a, b] = await Promise.all([
      spawnServer({ DATABASE_URL: db.url, REDIS_URL, SETUP_TOKEN: TEST_SETUP_TOKEN }),
      spawnServer({ DATABASE_URL: db.url, REDIS_URL, SETUP_TOKEN: TEST_SETUP_TOKEN }),
    ]);
  }, 120_000);

  afterAll(async () => {
    sockets.forEach((s) => s.disconnect());
    await Promise.all([a?.stop(), b?.stop()]);
    await db?.drop();
  });

  it('delivers a session revocation made through A to the socket connected to B', async () => {
    if (!a) return;
    const onA = new TestClient(a.url);
    await onA.setupAdmin();
    const onB = new TestClient(b.url);
    await onB.login('admin', 'admin-password-1');
    const socket = connectSocket(b.url, onB.cookie);
    sockets.push(socket);
    await connected(socket);
    const revoked = new Promise<SessionRevokedEvent>((resolve) => socket.once('session:revoked', resolve));
    const disconnected = nextDisconnect(socket);
    const res = await onA.request<{ revoked: number }>('POST', '/api/auth/sessions/revoke-others');
    expect(res.body.revoked).toBe(1);
    expect(await revoked).toEqual({ sessionId: onB.state!.sessionId, reason: 'revoked' });
    expect(await disconnected).toBe('io server disconnect');
    expect(a.output()).toContain('socket.io Redis adapter connected');
  });

  it('applied the migrations exactly once although both processes started together', async () => {
    if (!a) return;
    const onA = new TestClient(a.url);
    await onA.login('admin', 'admin-password-1');
    const ready = await (await fetch(`${b.url}/health/ready`)).json();
    expect(ready).toEqual({ status: 'ok', checks: { database: 'ok', migrations: 'current' } });
  });
});

/** The control: without the Redis adapter, the same revocation does not reach a socket on the other process. */
describe('multi-node control: in-memory adapters do not share events', () => {
  it('does not deliver across two servers without Redis', async () => {
    const db = await createTestDatabase('miyu_mn_ctl');
    const a = await startTestServer({}, db);
    const b = await startTestServer({}, db);
    try {
      const onA = new TestClient(a.url);
      await onA.setupAdmin();
      const onB = new TestClient(b.url);
      await onB.login('admin', 'admin-password-1');
      const socket = connectSocket(b.url, onB.cookie);
      await connected(socket);
      let got = false;
      socket.once('session:revoked', () => (got = true));
      await onA.request('POST', '/api/auth/sessions/revoke-others');
      await new Promise((r) => setTimeout(r, 500));
      expect(got).toBe(false);
      expect(socket.connected).toBe(true);
      socket.disconnect();
    } finally {
      await a.close();
      await b.close();
      await db.drop();
    }
  });
});
