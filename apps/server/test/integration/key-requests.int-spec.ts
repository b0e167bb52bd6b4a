import { ready } from '@miyu/crypto';
import type { ConversationDto, UserDto } from '@miyu/protocol';
import { E2EDevice } from '../support/e2e-device.js';
import { TestClient } from '../support/http-client.js';
import { createUser, passwordOf } from '../support/people.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * Key requests end to end (docs/protocol.md §8.2): libs/crypto devices over the real server, PostgreSQL and
 * socket.io. A recipient whose sender-key share was lost asks the sender's devices through the to-device inbox;
 * the sending device answers, its sibling refuses (it does not vouch for another device's session to another
 * user), and the recipient then decrypts. A member added later is refused, then given only what it is entitled to.
 */
describe('sender-key requests with real libs/crypto clients', () => {
  let t: TestServer;
  let admin: TestClient;
  const devices: E2EDevice[] = [];

  async function login(name: string): Promise<{ user: UserDto; http: TestClient }> {
    const http = new TestClient(t.url);
    const res = await http.login(name, passwordOf(name));
    return { user: res.body.user, http };
  }

  async function device(name: string): Promise<{ user: UserDto; device: E2EDevice }> {
    const session = await login(name);
    const d = await E2EDevice.create(t.url, session.http, session.user.id);
    devices.push(d);
    return { user: session.user, device: d };
  }

  beforeAll(async () => {
    await ready();
    t = await startTestServer();
    admin = new TestClient(t.url);
    await admin.setupAdmin();
    for (const name of ['alice', 'bob', 'carol']) {
      await createUser(admin, name);
    }
  });
  afterAll(async () => {
    devices.forEach((d) => d.close());
    await t.close();
  });

  it('a recipient that lost its key share requests it and reads the message; a later member is limited', async () => {
    const { device: a1 } = await device('alice');
    const { device: a2 } = await device('alice');
    const { user: bob, device: b1 } = await device('bob');
    const { user: carol, device: c1 } = await device('carol');
    const group = (
      await a1.http.request<ConversationDto>('POST', '/api/conversations', {
        kind: 'group',
        name: '密钥请求',
        memberIds: [bob.id],
      })
    ).body;

    const hello = await a1.sendText(group.id, '你好, bob');
    // Bob's device acks the share without processing it: lost.
    expect(await b1.dropInbox()).toBe(1);
    const before = await b1.readAll(group.id, 'history');
    expect(before).toEqual({ ok: [], failed: [hello.seq] });

    // Bob asks every device of alice (the sender's user) through the real to-device inbox.
    const asked = await b1.requestMissingKeys(group.id);
    expect(asked.sessions).toBe(1);
    expect(asked.unreachable).toEqual([]);
    expect(asked.sent.map((m) => m.recipient.deviceId).sort()).toEqual([a1.deviceId, a2.deviceId].sort());

    // Alice's other device holds the session (its own share arrived) but only the sending device answers bob.
    const sibling = await a2.drainInbox();
    expect(sibling.map((i) => i.type)).toEqual(['sender-key', 'key-request']);
    expect(sibling[1]).toMatchObject({ from: b1.address, answer: 'not-sender' });
    const sender = await a1.drainInbox();
    expect(sender).toEqual([
      expect.objectContaining({
        type: 'key-request',
        from: b1.address,
        answer: 'sent',
        event: expect.objectContaining({ conversationId: group.id, sender: a1.address, fromIndex: 0 }),
      }),
    ]);

    const received = await b1.drainInbox();
    expect(received).toEqual([
      expect.objectContaining({
        type: 'sender-key',
        from: a1.address,
        event: expect.objectContaining({ sender: a1.address, forwardedBy: null, firstIndex: 0 }),
      }),
    ]);
    const after = await b1.readAll(group.id);
    expect(after.failed).toEqual([]);
    expect(after.ok).toEqual([{ seq: hello.seq, sender: a1.address, text: '你好, bob' }]);

    // Carol joins later. Until alice's device shares with her, it does not count her as a member: refused.
    const added = await a1.http.request('POST', `/api/conversations/${group.id}/members`, { userIds: [carol.id] });
    expect(added.status).toBe(200);
    expect((await c1.requestMissingKeys(group.id)).sessions).toBe(1);
    expect(await a1.drainInbox()).toEqual([expect.objectContaining({ from: c1.address, answer: 'not-a-member' })]);
    expect(await c1.drainInbox()).toEqual([]);

    // The next message shares the session with carol from its own index; asking again for the earlier message
    // yields nothing earlier than that: she reads what was sent after she joined, not before.
    const welcome = await a1.sendText(group.id, '欢迎 carol');
    expect(welcome.rotated).toBeNull();
    expect((await c1.drainInbox()).map((i) => i.type)).toEqual(['sender-key']);
    expect((await c1.requestMissingKeys(group.id)).sessions).toBe(1);
    expect(await a1.drainInbox()).toEqual([expect.objectContaining({ from: c1.address, answer: 'sent' })]);
    expect(await c1.drainInbox()).toEqual([
      expect.objectContaining({ type: 'sender-key', event: expect.objectContaining({ firstIndex: 1 }) }),
    ]);
    const carolView = await c1.readAll(group.id, 'history');
    expect(carolView.failed).toEqual([hello.seq]);
    expect(carolView.ok.map((m) => m.text)).toEqual(['欢迎 carol']);
  }, 60_000);
});
