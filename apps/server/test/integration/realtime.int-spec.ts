import type { SessionRevokedEvent, UserDto } from '@miyu/protocol';
import { TestClient } from '../support/http-client.js';
import { type ClientSocket, connected, connectError, connectSocket, nextDisconnect } from '../support/socket-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

describe('realtime gateway (socket.io)', () => {
  let t: TestServer;
  let admin: TestClient;
  let user: UserDto;
  const sockets: ClientSocket[] = [];
  const open = (cookie: string | null, origin?: string) => {
    const s = connectSocket(t.url, cookie, origin);
    sockets.push(s);
    return s;
  };

  beforeAll(async () => {
    t = await startTestServer();
    admin = new TestClient(t.url);
    await admin.setupAdmin();
    user = (
      await admin.request<UserDto>('POST', '/api/admin/users', {
        login: 'wang',
        displayName: '王五',
        password: 'wang-password-1',
      })
    ).body;
  });
  afterEach(() => {
    while (sockets.length) sockets.pop()!.disconnect();
  });
  afterAll(async () => {
    await t.close();
  });

  it('refuses a handshake without a session with UNAUTHENTICATED', async () => {
    const err = await connectError(open(null));
    expect(err.message).toBe('UNAUTHENTICATED');
    const forged = await connectError(open('miyu_session=forged-forged-forged-forged-forged'));
    expect(forged.message).toBe('UNAUTHENTICATED');
  });

  it('refuses a cross-origin handshake even with a valid cookie', async () => {
    const c = new TestClient(t.url);
    await c.login('wang', 'wang-password-1');
    const err = await connectError(open(c.cookie, 'https://evil.example'));
    expect(err.message).toBe('FORBIDDEN');
  });

  it('authenticates with the session cookie and answers system:ping with a typed ack', async () => {
    const c = new TestClient(t.url);
    await c.login('wang', 'wang-password-1');
    const socket = open(c.cookie);
    await connected(socket);
    const ack = await socket.timeout(5000).emitWithAck('system:ping', { nonce: 'n-1' });
    expect(ack).toMatchObject({ ok: true, data: { nonce: 'n-1' } });
  });

  it('rejects invalid payloads and unknown events with error acks, and stays up', async () => {
    const c = new TestClient(t.url);
    await c.login('wang', 'wang-password-1');
    const socket = open(c.cookie);
    await connected(socket);
    const bad = await socket.timeout(5000).emitWithAck('system:ping', { nonce: 42 } as unknown as { nonce: string });
    expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    const proto = await socket
      .timeout(5000)
      .emitWithAck('system:ping', JSON.parse('{"__proto__": {"polluted": true}}'));
    expect(proto).toMatchObject({ ok: false });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    const unknown = await (
      socket as unknown as { timeout(ms: number): { emitWithAck(e: string, p: unknown): Promise<unknown> } }
    )
      .timeout(5000)
      .emitWithAck('nope:nothing', {});
    expect(unknown).toMatchObject({ ok: false, error: { code: 'SOCKET_UNKNOWN_EVENT' } });
    const again = await socket.timeout(5000).emitWithAck('system:ping', {});
    expect(again).toMatchObject({ ok: true });
  });

  it('closes a connection that sends an oversized frame, and keeps serving others', async () => {
    const c = new TestClient(t.url);
    await c.login('wang', 'wang-password-1');
    const big = open(c.cookie);
    await connected(big);
    const gone = nextDisconnect(big);
    big.emit('system:ping', { nonce: 'x'.repeat(2_000_000) }, () => undefined);
    expect(await gone).toMatch(/transport (close|error)/);
    const other = open(c.cookie);
    await connected(other);
    expect(await other.timeout(5000).emitWithAck('system:ping', {})).toMatchObject({ ok: true });
  });

  it('ends the sockets of a user the moment an admin disables them', async () => {
    const c = new TestClient(t.url);
    await c.login('wang', 'wang-password-1');
    const socket = open(c.cookie);
    await connected(socket);
    const revoked = new Promise<SessionRevokedEvent>((resolve) => socket.once('session:revoked', resolve));
    const disconnected = nextDisconnect(socket);
    await admin.request('PATCH', `/api/admin/users/${user.id}`, { status: 'disabled' });
    expect(await revoked).toMatchObject({ sessionId: c.state!.sessionId, reason: 'user_disabled' });
    expect(await disconnected).toBe('io server disconnect');
    // And the cookie no longer opens a socket.
    expect((await connectError(open(c.cookie))).message).toBe('SESSION_EXPIRED');
  });
});
