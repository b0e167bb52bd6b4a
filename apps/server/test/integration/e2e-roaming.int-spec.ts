import { historyKeyId, parseEnvelope, ready, toBase64Url } from '@miyu/crypto';
import type { ConversationDto, SyncPage, UserDto } from '@miyu/protocol';
import { E2EDevice } from '../support/e2e-device.js';
import { TestClient } from '../support/http-client.js';
import { createUser, passwordOf } from '../support/people.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/**
 * The proofs of issue 5 with real clients: libs/crypto devices talking to the real server over REST and socket.io.
 * Two users with two devices each, a direct and a group conversation; every device decrypts every message; a
 * third device added later restores history through the history-key backup and reads all of it; after a member is
 * removed, the next message starts a new epoch that the removed member cannot decrypt.
 */
describe('end-to-end delivery and roaming with real libs/crypto clients', () => {
  let t: TestServer;
  let admin: TestClient;
  const devices: E2EDevice[] = [];

  async function login(name: string): Promise<{ user: UserDto; http: TestClient }> {
    const http = new TestClient(t.url);
    const res = await http.login(name, passwordOf(name));
    return { user: res.body.user, http };
  }

  beforeAll(async () => {
    await ready();
    t = await startTestServer();
    admin = new TestClient(t.url);
    await admin.setupAdmin();
    for (const name of ['mei', 'jun', 'kai']) {
      await createUser(admin, name);
    }
  });
  afterAll(async () => {
    devices.forEach((d) => d.close());
    await t.close();
  });

  it('delivers to every device, restores history on a new device, and locks a removed member out of the new epoch', async () => {
    const mei = await login('mei');
    const jun = await login('jun');
    const kai = await login('kai');
    const mei1 = await E2EDevice.create(t.url, mei.http, mei.user.id);
    const mei2 = await E2EDevice.create(t.url, (await login('mei')).http, mei.user.id);
    const jun1 = await E2EDevice.create(t.url, jun.http, jun.user.id);
    const jun2 = await E2EDevice.create(t.url, (await login('jun')).http, jun.user.id);
    const kai1 = await E2EDevice.create(t.url, kai.http, kai.user.id);
    devices.push(mei1, mei2, jun1, jun2, kai1);

    // Each user's devices share one History Key (in the product: by pairing or the recovery key).
    const meiHistoryKey = await mei1.crypto.createHistoryKey();
    await mei2.crypto.setHistoryKey(meiHistoryKey);
    const junHistoryKey = await jun1.crypto.createHistoryKey();
    await jun2.crypto.setHistoryKey(junHistoryKey);
    await kai1.crypto.createHistoryKey();

    const direct = (
      await mei.http.request<ConversationDto>('POST', '/api/conversations', { kind: 'direct', userId: jun.user.id })
    ).body;
    const group = (
      await mei.http.request<ConversationDto>('POST', '/api/conversations', {
        kind: 'group',
        name: '发布小组',
        memberIds: [jun.user.id, kai.user.id],
      })
    ).body;

    const sent: Array<{ conversation: string; text: string }> = [];
    const say = async (d: E2EDevice, conversation: string, text: string) => {
      await d.sendText(conversation, text);
      sent.push({ conversation, text });
    };
    await say(mei1, direct.id, '直聊 1');
    await say(jun2, direct.id, '直聊 2');
    await say(mei2, group.id, '群聊 1');
    await say(jun1, group.id, '群聊 2');
    await say(kai1, group.id, '群聊 3');
    await say(mei1, group.id, '群聊 4');

    const expectText = (conversation: string) => sent.filter((s) => s.conversation === conversation).map((s) => s.text);
    // Every device decrypts every message of its conversations (its own included).
    for (const d of [mei1, mei2, jun1, jun2]) {
      await d.drainInbox();
      const dm = await d.readAll(direct.id);
      expect(dm.failed).toEqual([]);
      expect(dm.ok.map((m) => m.text)).toEqual(expectText(direct.id));
    }
    for (const d of [mei1, mei2, jun1, jun2, kai1]) {
      await d.drainInbox();
      const g = await d.readAll(group.id);
      expect(g.failed).toEqual([]);
      expect(g.ok.map((m) => m.text)).toEqual(expectText(group.id));
    }

    // Roaming: jun's devices back up the sessions they received; a third device restores and reads everything.
    await jun1.uploadBackups();
    await jun2.uploadBackups();
    const jun3 = await E2EDevice.create(t.url, (await login('jun')).http, jun.user.id);
    devices.push(jun3);
    await jun3.crypto.setHistoryKey(junHistoryKey);
    const restored = await jun3.restoreBackups(toBase64Url(historyKeyId(junHistoryKey)));
    expect(restored.failed).toBe(0);
    expect(restored.restored).toBeGreaterThanOrEqual(4);
    const history = await jun3.readAll(group.id, 'history');
    expect(history.failed).toEqual([]);
    expect(history.ok.map((m) => m.text)).toEqual(expectText(group.id));
    const dmHistory = await jun3.readAll(direct.id, 'history');
    expect(dmHistory.failed).toEqual([]);
    expect(dmHistory.ok.map((m) => m.text)).toEqual(expectText(direct.id));

    // Removal: the next group message starts a new epoch that kai cannot decrypt, while the others can.
    await mei.http.request('DELETE', `/api/conversations/${group.id}/members/${kai.user.id}`);
    const after = await mei1.sendText(group.id, '踢出之后');
    expect(after.rotated).not.toBeNull();
    await kai1.drainInbox();
    const kaiView = await kai1.readAll(group.id).catch((err: Error) => ({ ok: [], failed: [], error: err.message }));
    expect('error' in kaiView ? kaiView.error : '').toMatch(/CONVERSATION_NOT_FOUND/);
    await jun1.drainInbox();
    const junView = await jun1.readAll(group.id);
    expect(junView.ok.map((m) => m.text)).toContain('踢出之后');
    // Even holding the ciphertext (say, leaked), kai's device has no key for the new epoch.
    const page = (await jun1.socket.timeout(10_000).emitWithAck('sync:since', {
      conversationId: group.id,
      afterSeq: after.seq - 1,
      limit: 1,
    })) as { ok: true; data: SyncPage };
    const leaked = parseEnvelope(page.data.messages[0]!.envelope!);
    await expect(kai1.crypto.decryptMessage(leaked)).rejects.toMatchObject({ code: 'UNKNOWN_SESSION' });
  }, 60_000);
});
