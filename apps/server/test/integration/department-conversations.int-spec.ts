import { bundleToJson, generateDeviceKeys, publicBundle, ready } from '@miyu/crypto';
import type { ConversationDto, TimelineMessage, UserDto } from '@miyu/protocol';
import { uuidv7 } from '../../src/common/security/uuid.js';
import { TestClient } from '../support/http-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** Department groups become conversations whose membership follows the org directory; device changes show up. */
describe('department conversations and device timeline events (real PostgreSQL)', () => {
  let t: TestServer;
  let admin: TestClient;
  const people: Record<string, { user: UserDto; http: TestClient }> = {};

  beforeAll(async () => {
    await ready();
    t = await startTestServer();
    admin = new TestClient(t.url);
    await admin.setupAdmin();
    for (const login of ['li', 'wang', 'zhao']) {
      const user = (
        await admin.request<UserDto>('POST', '/api/admin/users', {
          login,
          displayName: login,
          password: `${login}-password-1`,
        })
      ).body;
      const http = new TestClient(t.url);
      await http.login(login, `${login}-password-1`);
      people[login] = { user, http };
    }
  });
  afterAll(async () => {
    await t.close();
  });

  const timeline = async (who: string, id: string) =>
    (await people[who]!.http.request<TimelineMessage[]>('GET', `/api/conversations/${id}/messages?limit=200`)).body;

  async function eventually<T>(fn: () => Promise<T>, ok: (v: T) => boolean): Promise<T> {
    const deadline = Date.now() + 5000;
    for (;;) {
      const v = await fn();
      if (ok(v) || Date.now() > deadline) return v;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('follows the department as people join and leave, and refuses manual changes', async () => {
    const dept = (await admin.request<{ id: string }>('POST', '/api/admin/directory/departments', { name: '研发部' }))
      .body;
    await admin.request('PUT', `/api/admin/directory/departments/${dept.id}/members/${people.li!.user.id}`, {
      primary: true,
    });
    await admin.request('PUT', `/api/admin/directory/departments/${dept.id}/members/${people.wang!.user.id}`, {
      primary: true,
    });
    const group = (
      await admin.request<{ id: string }>('POST', '/api/admin/directory/groups', { departmentId: dept.id })
    ).body;

    const li = await eventually(
      async () => (await people.li!.http.request<ConversationDto[]>('GET', '/api/conversations')).body,
      (list) => list.some((c) => c.id === group.id && c.memberCount === 2),
    );
    expect(li.find((c) => c.id === group.id)).toMatchObject({ kind: 'department', name: '研发部', memberCount: 2 });

    await admin.request('PUT', `/api/admin/directory/departments/${dept.id}/members/${people.zhao!.user.id}`, {
      primary: true,
    });
    await admin.request('DELETE', `/api/admin/directory/departments/${dept.id}/members/${people.wang!.user.id}`);
    const entries = await eventually(
      () => timeline('li', group.id),
      (list) => list.filter((m) => m.system?.type === 'directory_sync').length >= 3,
    );
    const syncs = entries.filter((m) => m.system?.type === 'directory_sync').map((m) => m.system);
    expect(syncs).toEqual(
      expect.arrayContaining([
        { type: 'directory_sync', added: [people.zhao!.user.id], removed: [] },
        { type: 'directory_sync', added: [], removed: [people.wang!.user.id] },
      ]),
    );
    expect((await people.wang!.http.request('GET', `/api/conversations/${group.id}`)).status).toBe(404);
    expect((await people.zhao!.http.request('GET', `/api/conversations/${group.id}`)).status).toBe(200);

    const manual = await admin.request('POST', `/api/conversations/${group.id}/members`, {
      userIds: [people.wang!.user.id],
    });
    expect([404, 409]).toContain(manual.status);
    const leave = await people.li!.http.request(
      'DELETE',
      `/api/conversations/${group.id}/members/${people.li!.user.id}`,
    );
    expect(leave.body).toMatchObject({ error: { code: 'CONVERSATION_MEMBERSHIP_MANAGED' } });
  });

  it("writes a member's new device into the timelines of their conversations", async () => {
    const direct = (
      await people.li!.http.request<ConversationDto>('POST', '/api/conversations', {
        kind: 'direct',
        userId: people.zhao!.user.id,
      })
    ).body;
    const deviceId = uuidv7();
    const keys = generateDeviceKeys({ userId: people.zhao!.user.id, deviceId });
    await people.zhao!.http.request('POST', '/api/devices', { name: 'new', bundle: bundleToJson(publicBundle(keys)) });
    const entries = await eventually(
      () => timeline('li', direct.id),
      (list) => list.some((m) => m.system?.type === 'device_added'),
    );
    expect(entries.find((m) => m.system?.type === 'device_added')!.system).toEqual({
      type: 'device_added',
      userId: people.zhao!.user.id,
      deviceId,
    });
  });
});
