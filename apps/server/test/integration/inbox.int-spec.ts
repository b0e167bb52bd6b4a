import { bundleToJson, generateDeviceKeys, generateOneTimePrekeys, publicBundle, ready } from '@miyu/crypto';
import type { Ack, BackupPage, ToDeviceMessage, ToDeviceSendAck, UserDto } from '@miyu/protocol';
import { randomBytes } from 'node:crypto';
import { io } from 'socket.io-client';
import { uuidv7 } from '../../src/common/security/uuid.js';
import { TestClient } from '../support/http-client.js';
import { type ClientSocket, connected, connectSocket } from '../support/socket-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

interface Device {
  id: string;
  socket: ClientSocket;
  pushed: ToDeviceMessage[];
}

describe('to-device inbox and history backups (real PostgreSQL)', () => {
  let t: TestServer;
  let admin: TestClient;
  const users: Record<string, { user: UserDto; http: TestClient }> = {};
  const sockets: ClientSocket[] = [];

  async function device(login: string, connect = true): Promise<Device> {
    const { user, http } = users[login]!;
    const id = uuidv7();
    const { keys, prekeys } = generateOneTimePrekeys(generateDeviceKeys({ userId: user.id, deviceId: id }), 1);
    await http.request('POST', '/api/devices', { name: 'd', bundle: bundleToJson(publicBundle(keys, prekeys)) });
    const socket = io(t.url, {
      path: '/socket.io',
      transports: ['websocket'],
      extraHeaders: { cookie: http.cookie!, origin: t.url },
      auth: { deviceId: id },
      reconnection: false,
      forceNew: true,
      autoConnect: connect,
    }) as ClientSocket;
    sockets.push(socket);
    const pushed: ToDeviceMessage[] = [];
    socket.on('todevice:new', (m) => pushed.push(m));
    if (connect) await connected(socket);
    return { id, socket, pushed };
  }

  const payload = () => randomBytes(200).toString('base64url');

  beforeAll(async () => {
    await ready();
    t = await startTestServer();
    admin = new TestClient(t.url);
    await admin.setupAdmin();
    for (const login of ['ann', 'ben', 'cat']) {
      const user = (
        await admin.request<UserDto>('POST', '/api/admin/users', {
          login,
          displayName: login,
          password: `${login}-password-1`,
        })
      ).body;
      const http = new TestClient(t.url);
      await http.login(login, `${login}-password-1`);
      users[login] = { user, http };
    }
    // ann and ben share a conversation; cat shares none with them.
    await users.ann!.http.request('POST', '/api/conversations', { kind: 'direct', userId: users.ben!.user.id });
  });
  afterAll(async () => {
    sockets.forEach((s) => s.disconnect());
    await t.close();
  });

  it('delivers to-device messages in order, pushes them live, keeps them until acked, and lets an offline device catch up', async () => {
    const ann = await device('ann');
    const benOnline = await device('ben');
    const benOffline = await device('ben', false);
    const sent = [payload(), payload(), payload()];
    const ack = (await ann.socket.timeout(10_000).emitWithAck('todevice:send', {
      messages: [
        ...sent.map((p) => ({ deviceId: benOnline.id, payload: p })),
        ...sent.map((p) => ({ deviceId: benOffline.id, payload: p })),
      ],
    })) as Ack<ToDeviceSendAck>;
    expect(ack).toEqual({ ok: true, data: { stored: 6, refused: [] } });
    await waitFor(() => benOnline.pushed.length === 3);
    expect(benOnline.pushed.map((m) => m.payload)).toEqual(sent);
    expect(benOnline.pushed[0]).toMatchObject({ senderUserId: users.ann!.user.id, senderDeviceId: ann.id });

    benOffline.socket.connect();
    await connected(benOffline.socket);
    const inbox = (await benOffline.socket.timeout(10_000).emitWithAck('todevice:fetch', {})) as Ack<ToDeviceMessage[]>;
    const messages = (inbox as { data: ToDeviceMessage[] }).data;
    expect(messages.map((m) => m.payload)).toEqual(sent);
    // Not deleted until acked: a second fetch sees them again; after the ack they are gone.
    expect(
      ((await benOffline.socket.timeout(10_000).emitWithAck('todevice:fetch', {})) as { data: unknown[] }).data,
    ).toHaveLength(3);
    const acked = await benOffline.socket.timeout(10_000).emitWithAck('todevice:ack', { upToId: messages[1]!.id });
    expect(acked).toEqual({ ok: true, data: { deleted: 2 } });
    const rest = (await benOffline.socket.timeout(10_000).emitWithAck('todevice:fetch', {})) as {
      data: ToDeviceMessage[];
    };
    expect(rest.data.map((m) => m.payload)).toEqual([sent[2]]);
  });

  it('refuses devices the sender shares no conversation with, unknown devices, and sockets without a device', async () => {
    const ann = await device('ann');
    const cat = await device('cat');
    const unknown = uuidv7();
    const ack = await ann.socket.timeout(10_000).emitWithAck('todevice:send', {
      messages: [
        { deviceId: cat.id, payload: payload() },
        { deviceId: unknown, payload: payload() },
      ],
    });
    expect(ack).toMatchObject({ ok: true, data: { stored: 0 } });
    expect((ack as { data: ToDeviceSendAck }).data.refused.sort()).toEqual([cat.id, unknown].sort());
    const bad = await ann.socket
      .timeout(10_000)
      .emitWithAck('todevice:send', { messages: [{ deviceId: cat.id, payload: '***' }] });
    expect(bad).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    const plain = connectSocket(t.url, users.ann!.http.cookie!);
    sockets.push(plain);
    await connected(plain);
    expect(await plain.timeout(10_000).emitWithAck('todevice:fetch', {})).toMatchObject({
      ok: false,
      error: { code: 'MESSAGE_DEVICE_REQUIRED' },
    });
  });

  it('stores history backup items per user and device, pages them, and never shows them to anyone else', async () => {
    const d1 = await device('ann');
    const keyId = randomBytes(8).toString('base64url');
    const items = Array.from({ length: 5 }, () => ({
      keyId,
      sessionId: randomBytes(16).toString('base64url'),
      blob: randomBytes(300).toString('base64url'),
    }));
    const put = await users.ann!.http.request('PUT', '/api/history/backups', { deviceId: d1.id, items });
    expect(put.body).toEqual({ stored: 5 });
    // Idempotent per (key, session, device): re-uploading replaces, it does not duplicate.
    await users.ann!.http.request('PUT', '/api/history/backups', { deviceId: d1.id, items: items.slice(0, 2) });
    const page1 = await users.ann!.http.request<BackupPage>('GET', `/api/history/backups?keyId=${keyId}&limit=3`);
    expect(page1.body.items).toHaveLength(3);
    const page2 = await users.ann!.http.request<BackupPage>(
      'GET',
      `/api/history/backups?keyId=${keyId}&limit=3&after=${encodeURIComponent(page1.body.next!)}`,
    );
    expect(page2.body).toMatchObject({ next: null });
    expect([...page1.body.items, ...page2.body.items].map((i) => i.sessionId).sort()).toEqual(
      items.map((i) => i.sessionId).sort(),
    );
    const other = await users.ben!.http.request<BackupPage>('GET', `/api/history/backups?keyId=${keyId}`);
    expect(other.body.items).toEqual([]);
    const notMine = await users.ben!.http.request('PUT', '/api/history/backups', { deviceId: d1.id, items });
    expect(notMine.body).toMatchObject({ error: { code: 'DEVICE_NOT_FOUND' } });
    const wrongSize = await users.ann!.http.request('PUT', '/api/history/backups', {
      deviceId: d1.id,
      items: [{ ...items[0]!, keyId: randomBytes(9).toString('base64url') }],
    });
    expect(wrongSize.status).toBe(400);
  });
});

async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
