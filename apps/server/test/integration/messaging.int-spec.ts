import {
  createOutboundSenderKey,
  decryptGroupMessage,
  encryptGroupMessage,
  envelopeToJson,
  exportOutboundSenderKey,
  importSenderKey,
  type InboundSenderKey,
  type OutboundSenderKey,
  parseEnvelope,
  ready,
} from '@miyu/crypto';
import type { Ack, ConversationDto, MessageSendAck, SyncChanges, SyncPage, TimelineMessage } from '@miyu/protocol';
import { randomBytes } from 'node:crypto';
import { uuidv7 } from '../../src/common/security/uuid.js';
import { TestClient } from '../support/http-client.js';
import { createPerson, type Person } from '../support/people.js';
import { connected, connectSocket } from '../support/socket-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

const CANARY = `canary-${randomBytes(12).toString('hex')}`;

describe('messaging: conversations, guaranteed delivery, sync (real PostgreSQL, real libs/crypto envelopes)', () => {
  let t: TestServer;
  let admin: TestClient;
  let alice: Person;
  let bob: Person;
  let carol: Person;
  let group: ConversationDto;
  let outbound: OutboundSenderKey;
  let bobInbound: InboundSenderKey;

  const person = (login: string) => createPerson(t.url, admin, login);

  function send(p: Person, conversationId: string, session: OutboundSenderKey, body: string, clientMsgId = uuidv7()) {
    const { session: next, envelope } = encryptGroupMessage(session, {
      clientMsgId,
      policyVersion: 0,
      content: { type: 'text', body, mentions: [], replyTo: null },
    });
    const payload = {
      clientMsgId,
      conversationId,
      envelope: envelopeToJson(envelope) as unknown as Record<string, string | number>,
    };
    return {
      next,
      payload,
      ack: () => p.socket.timeout(10_000).emitWithAck('message:send', payload) as Promise<Ack<MessageSendAck>>,
    };
  }

  beforeAll(async () => {
    await ready();
    t = await startTestServer();
    admin = new TestClient(t.url);
    await admin.setupAdmin();
    [alice, bob, carol] = await Promise.all([person('alice'), person('bob'), person('carol')]);
    group = (
      await alice.http.request<ConversationDto>('POST', '/api/conversations', {
        kind: 'group',
        name: '项目组',
        memberIds: [bob.user.id],
      })
    ).body;
    outbound = createOutboundSenderKey({
      conversationId: group.id,
      senderUserId: alice.user.id,
      senderDeviceId: alice.deviceId,
      epoch: 0,
    });
    // In the product the sender key travels over the pairwise channel (to-device inbox); here we hand it over.
    bobInbound = importSenderKey(exportOutboundSenderKey(outbound));
  });
  afterAll(async () => {
    [alice, bob, carol].forEach((p) => p?.socket.disconnect());
    await t.close();
  });

  it('creates one direct conversation per pair, whoever opens it', async () => {
    const a = await alice.http.request<ConversationDto>('POST', '/api/conversations', {
      kind: 'direct',
      userId: bob.user.id,
    });
    const b = await bob.http.request<ConversationDto>('POST', '/api/conversations', {
      kind: 'direct',
      userId: alice.user.id,
    });
    expect(a.body.id).toBe(b.body.id);
    expect(a.body).toMatchObject({ kind: 'direct', memberCount: 2 });
    const self = await alice.http.request('POST', '/api/conversations', { kind: 'direct', userId: alice.user.id });
    expect(self.body).toMatchObject({ error: { code: 'CONVERSATION_SELF_DIRECT' } });
  });

  it('acks a send with its seq only after commit, fans it out, and the recipient decrypts it', async () => {
    const m = send(alice, group.id, outbound, `你好 ${CANARY}`);
    outbound = m.next;
    const ack = await m.ack();
    expect(ack).toMatchObject({ ok: true, data: { seq: expect.any(Number) } });
    const seq = (ack as { data: MessageSendAck }).data.seq;
    const stored = await t.dataSource.query(`SELECT seq FROM messages WHERE conversation_id = $1 AND seq = $2`, [
      group.id,
      seq,
    ]);
    expect(stored).toHaveLength(1);
    await waitFor(() => bob.received.some((x) => x.seq === seq));
    const pushed = bob.received.find((x) => x.seq === seq)!;
    const opened = decryptGroupMessage(bobInbound, parseEnvelope(pushed.envelope), { compliancePublicKey: null });
    bobInbound = opened.session;
    expect(opened.message.content).toMatchObject({ type: 'text', body: `你好 ${CANARY}` });
    // carol (not a member) does not get it.
    expect(carol.received.some((x) => x.conversationId === group.id)).toBe(false);
  });

  it("pushes a message to the sender's other sockets but not back to the socket that sent it (its ack has the seq)", async () => {
    const other = connectSocket(t.url, alice.http.cookie, t.url, alice.deviceId);
    const otherReceived: TimelineMessage[] = [];
    other.on('message:new', (m: TimelineMessage) => otherReceived.push(m));
    await connected(other);
    try {
      const m = send(alice, group.id, outbound, 'not echoed');
      outbound = m.next;
      const { seq } = ((await m.ack()) as { data: MessageSendAck }).data;
      await waitFor(() => otherReceived.some((x) => x.seq === seq) && bob.received.some((x) => x.seq === seq));
      await new Promise((r) => setTimeout(r, 200));
      expect(alice.received.some((x) => x.conversationId === group.id && x.seq === seq)).toBe(false);
    } finally {
      other.disconnect();
    }
  });

  it('answers a resend with the same clientMsgId with the original ack and stores it once', async () => {
    const clientMsgId = uuidv7();
    const m = send(alice, group.id, outbound, 'once', clientMsgId);
    outbound = m.next;
    const first = await m.ack();
    const again = await alice.socket.timeout(10_000).emitWithAck('message:send', m.payload);
    expect(again).toEqual(first);
    const rows = await t.dataSource.query(`SELECT count(*)::int AS n FROM messages WHERE client_msg_id = $1`, [
      clientMsgId,
    ]);
    expect(rows[0].n).toBe(1);
  });

  it('pushes a resent message to the members again, once (a failover may have lost the first push)', async () => {
    const m = send(alice, group.id, outbound, 'pushed again');
    outbound = m.next;
    const first = (await m.ack()) as { data: MessageSendAck };
    const pushes = () => bob.received.filter((x) => x.conversationId === group.id && x.seq === first.data.seq).length;
    await waitFor(() => pushes() === 1);
    expect(await alice.socket.timeout(10_000).emitWithAck('message:send', m.payload)).toEqual(first);
    await waitFor(() => pushes() === 2);
    // Once per message: a third copy is answered but not pushed again.
    expect(await alice.socket.timeout(10_000).emitWithAck('message:send', m.payload)).toEqual(first);
    await new Promise((r) => setTimeout(r, 300));
    expect(pushes()).toBe(2);
  });

  it('assigns gap-free, unique seqs to a burst of concurrent sends (group commit)', async () => {
    const before = (await alice.http.request<ConversationDto>('GET', `/api/conversations/${group.id}`)).body.lastSeq;
    const sends = [];
    for (let i = 0; i < 40; i++) {
      const m = send(alice, group.id, outbound, `burst ${i}`);
      outbound = m.next;
      sends.push(m.ack());
    }
    const acks = await Promise.all(sends);
    const seqs = acks.map((a) => (a as { data: MessageSendAck }).data.seq).sort((x, y) => x - y);
    expect(seqs).toEqual(Array.from({ length: 40 }, (_, i) => before + 1 + i));
  });

  it('syncs everything after a seq in order, including system events, and reports changes', async () => {
    const page = (await bob.socket
      .timeout(10_000)
      .emitWithAck('sync:since', { conversationId: group.id, afterSeq: 0 })) as Ack<SyncPage>;
    expect(page.ok).toBe(true);
    const { messages, lastSeq } = (page as { data: SyncPage }).data;
    expect(messages.map((m) => m.seq)).toEqual(Array.from({ length: lastSeq }, (_, i) => i + 1));
    expect(messages[0]!.system).toMatchObject({ type: 'conversation_created', by: alice.user.id });
    expect(messages[1]!.system).toMatchObject({ type: 'members_added', userIds: [bob.user.id] });
    const changes = (await bob.socket.timeout(10_000).emitWithAck('sync:changes', {})) as Ack<SyncChanges>;
    expect((changes as { data: SyncChanges }).data.conversations).toEqual(
      expect.arrayContaining([{ id: group.id, lastSeq }]),
    );
    const history = await bob.http.request<TimelineMessage[]>(
      'GET',
      `/api/conversations/${group.id}/messages?before=${lastSeq}&limit=5`,
    );
    expect(history.body.map((m) => m.seq)).toEqual([lastSeq - 5, lastSeq - 4, lastSeq - 3, lastSeq - 2, lastSeq - 1]);
  });

  it('refuses non-members everywhere without revealing the conversation', async () => {
    const carolKey = createOutboundSenderKey({
      conversationId: group.id,
      senderUserId: carol.user.id,
      senderDeviceId: carol.deviceId,
      epoch: 0,
    });
    const ack = await send(carol, group.id, carolKey, 'let me in').ack();
    expect(ack).toMatchObject({ ok: false, error: { code: 'CONVERSATION_NOT_FOUND' } });
    const sync = await carol.socket
      .timeout(10_000)
      .emitWithAck('sync:since', { conversationId: group.id, afterSeq: 0 });
    expect(sync).toMatchObject({ ok: false, error: { code: 'CONVERSATION_NOT_FOUND' } });
    expect((await carol.http.request('GET', `/api/conversations/${group.id}/messages`)).status).toBe(404);
    expect((await carol.http.request('GET', `/api/conversations/${group.id}/members`)).status).toBe(404);
    expect(
      (await carol.http.request('POST', `/api/conversations/${group.id}/members`, { userIds: [carol.user.id] })).status,
    ).toBe(404);
  });

  it('rejects forged or malformed envelopes and sends from a socket without a device, writing nothing', async () => {
    const count = async () => (await t.dataSource.query(`SELECT count(*)::int AS n FROM messages`))[0].n as number;
    const before = await count();
    const m = send(alice, group.id, outbound, 'x');
    const forged = { ...m.payload, envelope: { ...m.payload.envelope, senderUserId: bob.user.id } };
    expect(await alice.socket.timeout(10_000).emitWithAck('message:send', forged)).toMatchObject({
      ok: false,
      error: { code: 'MESSAGE_ENVELOPE_INVALID' },
    });
    const mangled = { ...m.payload, envelope: { ...m.payload.envelope, ciphertext: '@@not-base64@@' } };
    expect(await alice.socket.timeout(10_000).emitWithAck('message:send', mangled)).toMatchObject({
      ok: false,
      error: { code: 'MESSAGE_ENVELOPE_INVALID' },
    });
    const wrongTypes = { clientMsgId: 5, conversationId: group.id, envelope: [] };
    expect(await alice.socket.timeout(10_000).emitWithAck('message:send', wrongTypes as never)).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    });
    const noDevice = connectSocket(t.url, alice.http.cookie!);
    await connected(noDevice);
    expect(await noDevice.timeout(10_000).emitWithAck('message:send', m.payload)).toMatchObject({
      ok: false,
      error: { code: 'MESSAGE_DEVICE_REQUIRED' },
    });
    noDevice.disconnect();
    const farFuture = await bob.socket
      .timeout(10_000)
      .emitWithAck('sync:since', { conversationId: group.id, afterSeq: 2 ** 52 });
    expect(farFuture).toMatchObject({ ok: true, data: { messages: [] } });
    expect(await count()).toBe(before);
  });

  it('keeps removed members out of new messages and tells them they were removed', async () => {
    await alice.http.request('POST', `/api/conversations/${group.id}/members`, { userIds: [carol.user.id] });
    const res = await alice.http.request('DELETE', `/api/conversations/${group.id}/members/${carol.user.id}`);
    expect(res.status).toBe(204);
    await waitFor(() => carol.received.some((m) => m.system?.type === 'member_removed'));
    const m = send(alice, group.id, outbound, 'after removal');
    outbound = m.next;
    const ack = (await m.ack()) as { data: MessageSendAck };
    await waitFor(() => bob.received.some((x) => x.seq === ack.data.seq));
    expect(carol.received.some((x) => x.seq === ack.data.seq)).toBe(false);
    const members = await bob.http.request<Array<{ userId: string }>>('GET', `/api/conversations/${group.id}/members`);
    expect(members.body.map((x) => x.userId).sort()).toEqual([alice.user.id, bob.user.id].sort());
  });

  it('recalls: the sender within the window, admins always; others never; a marker every client sees', async () => {
    const m = send(alice, group.id, outbound, 'oops');
    outbound = m.next;
    const seq = ((await m.ack()) as { data: MessageSendAck }).data.seq;
    expect(
      await bob.socket.timeout(10_000).emitWithAck('message:recall', { conversationId: group.id, seq }),
    ).toMatchObject({
      ok: false,
      error: { code: 'MESSAGE_RECALL_FORBIDDEN' },
    });
    expect(await alice.socket.timeout(10_000).emitWithAck('message:recall', { conversationId: group.id, seq })).toEqual(
      {
        ok: true,
        data: { seq },
      },
    );
    await waitFor(() => bob.received.some((x) => x.system?.type === 'message_recalled' && x.system.seq === seq));
    const page = (await bob.socket
      .timeout(10_000)
      .emitWithAck('sync:since', { conversationId: group.id, afterSeq: seq - 1, limit: 1 })) as {
      data: SyncPage;
    };
    expect(page.data.messages[0]!.recalledAt).not.toBeNull();
    expect(
      await alice.socket.timeout(10_000).emitWithAck('message:recall', { conversationId: group.id, seq: 1 }),
    ).toMatchObject({
      ok: false,
      error: { code: 'MESSAGE_NOT_FOUND' },
    });

    // The window is an admin setting; with 0 minutes, senders can no longer recall.
    expect((await alice.http.request('PUT', '/api/admin/settings/messaging', { recallWindowMinutes: 0 })).status).toBe(
      403,
    );
    expect((await admin.request('PUT', '/api/admin/settings/messaging', { recallWindowMinutes: -1 })).status).toBe(400);
    expect((await admin.request('PUT', '/api/admin/settings/messaging', { recallWindowMinutes: 0 })).body).toEqual({
      recallWindowMinutes: 0,
      notificationPreviews: true,
      watermarkEnabled: true,
      watermarkFields: ['name', 'employeeNo'],
      receiptsPolicy: 'enforced',
    });
    expect((await bob.http.request('GET', '/api/settings/messaging')).body).toMatchObject({ recallWindowMinutes: 0 });
    // The other settings change alone; bad values are refused.
    for (const bad of [
      { watermarkFields: [] },
      { watermarkFields: ['name', 'name'] },
      { watermarkFields: ['salary'] },
      { notificationPreviews: 'no' },
      { colour: 'red' },
    ]) {
      expect((await admin.request('PUT', '/api/admin/settings/messaging', bad)).status).toBe(400);
    }
    expect(
      (
        await admin.request('PUT', '/api/admin/settings/messaging', {
          notificationPreviews: false,
          watermarkFields: ['employeeNo', 'date'],
        })
      ).body,
    ).toEqual({
      recallWindowMinutes: 0,
      notificationPreviews: false,
      watermarkEnabled: true,
      watermarkFields: ['employeeNo', 'date'],
      receiptsPolicy: 'enforced',
    });
    const late = send(alice, group.id, outbound, 'too late');
    outbound = late.next;
    const lateSeq = ((await late.ack()) as { data: MessageSendAck }).data.seq;
    await new Promise((r) => setTimeout(r, 10));
    expect(
      await alice.socket.timeout(10_000).emitWithAck('message:recall', { conversationId: group.id, seq: lateSeq }),
    ).toMatchObject({
      ok: false,
      error: { code: 'MESSAGE_RECALL_WINDOW_PASSED' },
    });
    // An org admin may recall any message, past the window and without being a member.
    const adminSocket = connectSocket(t.url, admin.cookie);
    await connected(adminSocket);
    expect(
      await adminSocket.timeout(10_000).emitWithAck('message:recall', { conversationId: group.id, seq: lateSeq }),
    ).toEqual({
      ok: true,
      data: { seq: lateSeq },
    });
    adminSocket.disconnect();
    await admin.request('PUT', '/api/admin/settings/messaging', { recallWindowMinutes: 1440 });
  });

  it('never stores message plaintext: the canary appears in no column of any table', async () => {
    const columns = (await t.dataSource.query(
      `SELECT table_name, column_name, data_type FROM information_schema.columns
       WHERE table_schema = 'public' AND data_type IN ('text', 'bytea', 'jsonb', 'json', 'character varying')`,
    )) as Array<{ table_name: string; column_name: string; data_type: string }>;
    expect(columns.length).toBeGreaterThan(10);
    for (const c of columns) {
      const expr =
        c.data_type === 'bytea'
          ? `position(convert_to($1, 'UTF8') in "${c.column_name}") > 0`
          : `"${c.column_name}"::text LIKE '%' || $1 || '%'`;
      const hits = await t.dataSource.query(`SELECT count(*)::int AS n FROM "${c.table_name}" WHERE ${expr}`, [CANARY]);
      expect({ column: `${c.table_name}.${c.column_name}`, hits: hits[0].n }).toEqual({
        column: `${c.table_name}.${c.column_name}`,
        hits: 0,
      });
    }
  });
});

async function waitFor(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}
