import { ready } from '@miyu/crypto';
import {
  type ConversationDto,
  type ConversationMemberDto,
  MENTION_ALL_OPEN_MAX_MEMBERS,
  type MessageSendAck,
  type TimelineMessage,
} from '@miyu/protocol';
import { TestClient } from '../support/http-client.js';
import { createPerson, createUser, type Person, sendTestMessage } from '../support/people.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

type ErrorBody = { error: { code: string } };

/** Group settings (name, topic, roles, ownership) and the @all rule, against the real server and PostgreSQL. */
describe('group settings, roles and @all (real PostgreSQL)', () => {
  let t: TestServer;
  let admin: TestClient;
  let owner: Person;
  let deputy: Person;
  let member: Person;

  beforeAll(async () => {
    await ready();
    t = await startTestServer();
    admin = new TestClient(t.url);
    await admin.setupAdmin();
    owner = await createPerson(t.url, admin, 'owner');
    deputy = await createPerson(t.url, admin, 'deputy');
    member = await createPerson(t.url, admin, 'member');
  });
  afterAll(async () => {
    [owner, deputy, member].forEach((p) => p?.socket.disconnect());
    await t.close();
  });

  async function group(by: Person, memberIds: string[], name = '项目组'): Promise<ConversationDto> {
    const res = await by.http.request<ConversationDto>('POST', '/api/conversations', {
      kind: 'group',
      name,
      memberIds,
    });
    expect(res.status).toBe(201);
    return res.body;
  }
  const setRole = (by: Person, conversationId: string, userId: string, role: string) =>
    by.http.request<ConversationMemberDto[] | ErrorBody>(
      'PUT',
      `/api/conversations/${conversationId}/members/${userId}/role`,
      { role },
    );
  const roles = async (conversationId: string) =>
    Object.fromEntries(
      (
        await owner.http.request<ConversationMemberDto[]>('GET', `/api/conversations/${conversationId}/members`)
      ).body.map((m) => [m.userId, m.role]),
    );
  const systemEvents = async (p: Person, conversationId: string) =>
    (await p.http.request<TimelineMessage[]>('GET', `/api/conversations/${conversationId}/messages`)).body
      .filter((m) => m.system)
      .map((m) => m.system!.type);

  it('lets the owner and admins rename a group and change its topic, as timeline events; members may not', async () => {
    const g = await group(owner, [deputy.user.id, member.user.id]);
    expect((await setRole(owner, g.id, deputy.user.id, 'admin')).status).toBe(200);
    const renamed = await deputy.http.request<ConversationDto>('PATCH', `/api/conversations/${g.id}`, {
      name: '  发布小组 ',
      topic: '周五发布',
    });
    expect(renamed.body).toMatchObject({ name: '发布小组', topic: '周五发布' });
    const refused = await member.http.request<ErrorBody>('PATCH', `/api/conversations/${g.id}`, { name: 'x' });
    expect([refused.status, refused.body.error.code]).toEqual([403, 'CONVERSATION_NOT_MEMBER']);
    for (const bad of [{}, { name: '' }, { name: 'a\nb' }, { colour: 'red' }]) {
      const res = await owner.http.request<ErrorBody>('PATCH', `/api/conversations/${g.id}`, bad);
      expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    }
    expect(await systemEvents(member, g.id)).toEqual(
      expect.arrayContaining(['member_role_changed', 'conversation_updated']),
    );
    const live = member.received.find((m) => m.conversationId === g.id && m.system?.type === 'conversation_updated');
    expect(live?.system).toEqual({
      type: 'conversation_updated',
      by: deputy.user.id,
      name: '发布小组',
      topic: '周五发布',
    });
  });

  it('keeps roles with the owner: admins remove members but not admins or the owner; ownership moves on', async () => {
    const extra = await createPerson(t.url, admin, 'extra');
    const g = await group(owner, [deputy.user.id, member.user.id, extra.user.id]);
    await setRole(owner, g.id, deputy.user.id, 'admin');
    const byAdmin = await setRole(deputy, g.id, member.user.id, 'admin');
    expect([byAdmin.status, (byAdmin.body as ErrorBody).error.code]).toEqual([403, 'CONVERSATION_ROLE_FORBIDDEN']);
    const removeOwner = await deputy.http.request<ErrorBody>(
      'DELETE',
      `/api/conversations/${g.id}/members/${owner.user.id}`,
    );
    expect(removeOwner.body.error.code).toBe('CONVERSATION_ROLE_FORBIDDEN');
    expect((await deputy.http.request('DELETE', `/api/conversations/${g.id}/members/${extra.user.id}`)).status).toBe(
      204,
    );
    const demoteOwner = await setRole(owner, g.id, owner.user.id, 'member');
    expect((demoteOwner.body as ErrorBody).error.code).toBe('CONVERSATION_ROLE_FORBIDDEN');
    const bad = await setRole(owner, g.id, member.user.id, 'king');
    expect(bad.status).toBe(400);

    // Handing over: the old owner becomes an admin.
    expect((await setRole(owner, g.id, member.user.id, 'owner')).status).toBe(200);
    expect(await roles(g.id)).toEqual({
      [owner.user.id]: 'admin',
      [member.user.id]: 'owner',
      [deputy.user.id]: 'admin',
    });
    expect((await member.http.request<ConversationDto>('GET', `/api/conversations/${g.id}`)).body.ownerId).toBe(
      member.user.id,
    );
    // The owner leaves: the longest-standing admin takes over.
    expect((await member.http.request('DELETE', `/api/conversations/${g.id}/members/${member.user.id}`)).status).toBe(
      204,
    );
    const after = await roles(g.id);
    expect(Object.values(after).filter((r) => r === 'owner')).toHaveLength(1);
    expect((await owner.http.request<ConversationDto>('GET', `/api/conversations/${g.id}`)).body.ownerId).toBe(
      Object.keys(after).find((id) => after[id] === 'owner'),
    );
    extra.socket.disconnect();
  });

  it(`allows @all to anyone up to ${MENTION_ALL_OPEN_MAX_MEMBERS} members and only to the owner and admins above`, async () => {
    const send = (p: Person, conversationId: string, mentionsAll: boolean) =>
      sendTestMessage(p, conversationId, '@所有人 开会', { mentionsAll });
    const small = await group(owner, [member.user.id]);
    const ok = await send(member, small.id, true);
    expect(ok.ok).toBe(true);

    const others = [];
    for (let i = 0; i < MENTION_ALL_OPEN_MAX_MEMBERS - 1; i++) others.push((await createUser(admin, `crowd${i}`)).id);
    const big = await group(owner, [member.user.id, ...others], '全员群');
    expect(big.memberCount).toBe(MENTION_ALL_OPEN_MAX_MEMBERS + 1);
    const before = (await t.dataSource.query(`SELECT count(*)::int AS n FROM messages WHERE conversation_id = $1`, [
      big.id,
    ])) as Array<{ n: number }>;
    const refused = await send(member, big.id, true);
    expect(refused).toMatchObject({ ok: false, error: { code: 'MESSAGE_MENTION_ALL_FORBIDDEN' } });
    const after = (await t.dataSource.query(`SELECT count(*)::int AS n FROM messages WHERE conversation_id = $1`, [
      big.id,
    ])) as Array<{ n: number }>;
    expect(after[0]!.n).toBe(before[0]!.n);
    expect((await send(member, big.id, false)).ok).toBe(true);

    const allowed = await send(owner, big.id, true);
    expect(allowed.ok).toBe(true);
    const seq = (allowed as { data: MessageSendAck }).data.seq;
    const history = await member.http.request<TimelineMessage[]>('GET', `/api/conversations/${big.id}/messages`);
    expect(history.body.find((m) => m.seq === seq)?.mentionsAll).toBe(true);
    expect(history.body.filter((m) => m.envelope && m.seq !== seq).every((m) => m.mentionsAll === false)).toBe(true);
  });
});
