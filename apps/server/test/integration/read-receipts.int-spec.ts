import { ready } from '@miyu/crypto';
import type {
  Ack,
  ConversationDto,
  ReceiptCursors,
  ReceiptListPage,
  ReceiptsChangedEvent,
  ReceiptSummary,
  ReceiptUpdatedEvent,
} from '@miyu/protocol';
import { RECEIPT_EVENT_INTERVAL_MS } from '@miyu/protocol';
import { SENDERS_OF_SQL } from '../../src/modules/receipts/receipts.repository.js';
import { randomUUID } from 'node:crypto';
import { TestClient } from '../support/http-client.js';
import { createPerson, type Person, sendTestMessage } from '../support/people.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

type ErrorBody = { error: { code: string } };

/** Read receipts as cursors (issue 7), against the real server, sockets and PostgreSQL. */
describe('read receipts (real PostgreSQL)', () => {
  let t: TestServer;
  let admin: TestClient;
  let alice: Person;
  let bob: Person;
  let carol: Person;
  let group: ConversationDto;
  const seqs: number[] = [];
  /** `receipt:updated` (own cursors) and `receipts:changed` (as a sender) received, per person. */
  const updates = new Map<string, ReceiptUpdatedEvent[]>();
  const changes = new Map<string, ReceiptsChangedEvent[]>();

  async function send(p: Person, conversationId: string, body: string): Promise<number> {
    const res = await sendTestMessage(p, conversationId, body);
    if (!res.ok) throw new Error(JSON.stringify(res));
    return res.data.seq;
  }

  const read = (p: Person, conversationId: string, seq: number) =>
    p.socket.timeout(10_000).emitWithAck('receipt:read', { conversationId, seq }) as Promise<Ack<ReceiptCursors>>;
  const unreadOf = async (p: Person, conversationId: string) =>
    (await p.http.request<ConversationDto[]>('GET', '/api/conversations')).body.find((c) => c.id === conversationId)!
      .unreadCount;
  const settle = () => new Promise((r) => setTimeout(r, 200));
  /** Long enough for every coalesced event to have gone out. */
  const quiet = () => new Promise((r) => setTimeout(r, RECEIPT_EVENT_INTERVAL_MS + 300));

  beforeAll(async () => {
    await ready();
    t = await startTestServer();
    admin = new TestClient(t.url);
    await admin.setupAdmin();
    alice = await createPerson(t.url, admin, 'alice');
    bob = await createPerson(t.url, admin, 'bob');
    carol = await createPerson(t.url, admin, 'carol');
    for (const p of [alice, bob, carol]) {
      updates.set(p.user.id, []);
      changes.set(p.user.id, []);
      p.socket.on('receipt:updated', (e) => updates.get(p.user.id)!.push(e));
      p.socket.on('receipts:changed', (e) => changes.get(p.user.id)!.push(e));
    }
    group = (
      await alice.http.request<ConversationDto>('POST', '/api/conversations', {
        kind: 'group',
        name: '已读测试',
        memberIds: [bob.user.id, carol.user.id],
      })
    ).body;
    for (const body of ['一', '二', '三']) seqs.push(await send(alice, group.id, body));
  });
  afterAll(async () => {
    [alice, bob, carol].forEach((p) => p?.socket.disconnect());
    await t.close();
  });

  it('advances cursors only forward, never past the last message, and tells the reader and the senders', async () => {
    expect(await unreadOf(bob, group.id)).toBe(3);
    const ack = await read(bob, group.id, seqs[1]!);
    expect(ack).toEqual({ ok: true, data: { readSeq: seqs[1], deliveredSeq: seqs[1] } });
    await settle();
    expect(changes.get(alice.user.id)).toEqual([{ conversationId: group.id }]); // Alice's ring refreshes
    // Bob's other devices clear their badges.
    expect(updates.get(bob.user.id)).toEqual([
      { conversationId: group.id, userId: bob.user.id, readSeq: seqs[1], deliveredSeq: seqs[1] },
    ]);
    expect(updates.get(carol.user.id)).toEqual([]);
    expect(changes.get(carol.user.id)).toEqual([]);
    expect(await unreadOf(bob, group.id)).toBe(1);

    expect((await read(bob, group.id, seqs[0]!)) as unknown).toEqual({
      ok: true,
      data: { readSeq: seqs[1], deliveredSeq: seqs[1] },
    });
    const last = seqs[2]!;
    expect(await read(bob, group.id, 1_000_000)).toEqual({ ok: true, data: { readSeq: last, deliveredSeq: last } });
    expect(await unreadOf(bob, group.id)).toBe(0);
    // Delivery alone does not mark as read.
    const delivered = (await carol.socket
      .timeout(10_000)
      .emitWithAck('receipt:delivered', { conversationId: group.id, seq: last })) as Ack<ReceiptCursors>;
    expect(delivered).toEqual({ ok: true, data: { readSeq: 0, deliveredSeq: last } });
    expect(await unreadOf(carol, group.id)).toBe(3);
    expect(await unreadOf(alice, group.id)).toBe(0); // own messages never count
  });

  it('shows the sender, and only the sender, who has and has not read a message', async () => {
    const list = (state: string, p = alice, seq = seqs[0]!) =>
      p.http.request<ReceiptListPage & ErrorBody>(
        'GET',
        `/api/conversations/${group.id}/messages/${seq}/receipts?state=${state}`,
      );
    expect((await list('read')).body).toEqual({ items: [{ userId: bob.user.id }], total: 1 });
    expect((await list('unread')).body).toEqual({ items: [{ userId: carol.user.id }], total: 1 });
    const summary = await alice.http.request<ReceiptSummary>(
      'GET',
      `/api/conversations/${group.id}/receipts?seqs=${seqs.join(',')}`,
    );
    // Bob read everything; Carol received everything (delivered) but read nothing.
    expect(summary.body).toEqual({ members: 2, items: seqs.map((seq) => ({ seq, read: 1, delivered: 2 })) });

    const notSender = await list('read', bob);
    expect([notSender.status, notSender.body.error.code]).toEqual([403, 'RECEIPTS_NOT_AVAILABLE']);
    const outsider = await createPerson(t.url, admin, 'outsider');
    const hidden = await list('read', outsider);
    expect([hidden.status, hidden.body.error.code]).toEqual([404, 'CONVERSATION_NOT_FOUND']);
    const nothing = await list('read', alice, 9999);
    expect(nothing.body.error.code).toBe('MESSAGE_NOT_FOUND');
    for (const bad of ['state=maybe', 'state=read&limit=0', 'state=read&limit=201']) {
      const res = await alice.http.request<ErrorBody>(
        'GET',
        `/api/conversations/${group.id}/messages/${seqs[0]}/receipts?${bad}`,
      );
      expect([res.status, res.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
    }
    const badSeqs = await alice.http.request<ErrorBody>('GET', `/api/conversations/${group.id}/receipts?seqs=1;2`);
    expect(badSeqs.status).toBe(400);
    const badReport = (await bob.socket
      .timeout(5000)
      .emitWithAck('receipt:read', { conversationId: group.id, seq: 0 })) as Ack<unknown>;
    expect(badReport).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
    const strangerReport = (await outsider.socket
      .timeout(5000)
      .emitWithAck('receipt:read', { conversationId: group.id, seq: 1 })) as Ack<unknown>;
    expect(strangerReport).toMatchObject({ ok: false, error: { code: 'CONVERSATION_NOT_FOUND' } });
    outsider.socket.disconnect();
  });

  it('lets a person hide their receipts when the org makes them optional (and then shows them none)', async () => {
    expect((await carol.http.request('GET', '/api/me/read-receipts')).body).toEqual({ hideReadReceipts: false });
    const hide = await carol.http.request('PUT', '/api/me/read-receipts', { hideReadReceipts: true });
    expect(hide.status).toBe(200);
    expect((await carol.http.request('GET', '/api/me/read-receipts')).body).toEqual({ hideReadReceipts: true });
    expect((await carol.http.request('PUT', '/api/me/read-receipts', { hideReadReceipts: 'yes' })).status).toBe(400);
    // Enforced: hiding has no effect; Carol is listed as unread.
    const enforced = await alice.http.request<ReceiptListPage>(
      'GET',
      `/api/conversations/${group.id}/messages/${seqs[0]}/receipts?state=unread`,
    );
    expect(enforced.body.total).toBe(1);

    expect((await admin.request('PUT', '/api/admin/settings/messaging', { receiptsPolicy: 'optional' })).status).toBe(
      200,
    );
    await quiet();
    const before = changes.get(alice.user.id)!.length;
    expect(await read(carol, group.id, seqs[0]!)).toMatchObject({ ok: true });
    await quiet();
    expect(changes.get(alice.user.id)!.length).toBe(before); // Carol's read is not shown to Alice
    const optional = await alice.http.request<ReceiptSummary>(
      'GET',
      `/api/conversations/${group.id}/receipts?seqs=${seqs[0]}`,
    );
    expect(optional.body).toEqual({ members: 1, items: [{ seq: seqs[0], read: 1, delivered: 1 }] });
    const carolSends = await send(carol, group.id, '我也发一条');
    const carolAsks = await carol.http.request<ErrorBody>(
      'GET',
      `/api/conversations/${group.id}/receipts?seqs=${carolSends}`,
    );
    expect(carolAsks.body.error.code).toBe('RECEIPTS_NOT_AVAILABLE');
    await admin.request('PUT', '/api/admin/settings/messaging', { receiptsPolicy: 'enforced' });
  });

  it('tells only the senders of the messages whose state changed', async () => {
    const trio = (
      await alice.http.request<ConversationDto>('POST', '/api/conversations', {
        kind: 'group',
        name: '回执范围',
        memberIds: [bob.user.id, carol.user.id],
      })
    ).body;
    const fromBob = await send(bob, trio.id, '鲍勃的');
    const fromAlice = await send(alice, trio.id, '爱丽丝的');
    await quiet();
    const count = (p: Person) => changes.get(p.user.id)!.filter((e) => e.conversationId === trio.id).length;
    const deliver = (await carol.socket
      .timeout(10_000)
      .emitWithAck('receipt:delivered', { conversationId: trio.id, seq: fromAlice })) as Ack<ReceiptCursors>;
    expect(deliver).toMatchObject({ ok: true });
    await quiet();
    const [aliceBefore, bobBefore] = [count(alice), count(bob)];
    expect([aliceBefore, bobBefore]).toEqual([1, 1]); // both messages newly delivered
    // Reading Bob's message changes nothing for Alice's (already delivered, still unread).
    expect(await read(carol, trio.id, fromBob)).toMatchObject({ ok: true });
    await quiet();
    expect([count(alice), count(bob)]).toEqual([aliceBefore, bobBefore + 1]);
  });

  it('batches and coalesces: a reader scrolling through 60 messages costs the sender and the reader a few events', async () => {
    const scroll = (
      await alice.http.request<ConversationDto>('POST', '/api/conversations', {
        kind: 'group',
        name: '滚动',
        memberIds: [bob.user.id],
      })
    ).body;
    const sent: number[] = [];
    for (let i = 0; i < 60; i++) sent.push(await send(alice, scroll.id, `第${i}条`));
    await quiet();
    const acks = await Promise.all(sent.map((seq) => read(bob, scroll.id, seq)));
    expect(acks.every((a) => a.ok)).toBe(true);
    await quiet();
    const inScroll = <T extends { conversationId: string }>(list: T[]) =>
      list.filter((e) => e.conversationId === scroll.id);
    expect(inScroll(changes.get(alice.user.id)!).length).toBeLessThanOrEqual(3);
    const own = inScroll(updates.get(bob.user.id)!);
    expect(own.length).toBeLessThanOrEqual(3);
    expect(own[own.length - 1]).toMatchObject({ readSeq: sent[59], deliveredSeq: sent[59] });
    expect(await unreadOf(bob, scroll.id)).toBe(0);
  });

  it('answers read and unread lists of a 5,000-member group from the cursors, with an index', async () => {
    // 4,996 more people (5,000 with the three above and the admin), inserted directly (creating them through the API would only exercise Argon2).
    const ids = Array.from({ length: 4996 }, () => randomUUID());
    await t.dataSource.query(
      `INSERT INTO users (id, login, display_name, password_hash)
       SELECT id, 'crowd-' || id, '成员' || lpad(n::text, 4, '0'), '!' FROM unnest($1::uuid[]) WITH ORDINALITY AS x(id, n)`,
      [ids],
    );
    const big = (
      await alice.http.request<ConversationDto>('POST', '/api/conversations', {
        kind: 'group',
        name: '全员',
        memberIds: [bob.user.id, carol.user.id, ...ids],
      })
    ).body;
    expect(big.memberCount).toBe(4999);
    const seq = await send(alice, big.id, '全员通知');
    await t.dataSource.query(
      `UPDATE conversation_members SET read_seq = $2, delivered_seq = $2 WHERE conversation_id = $1 AND user_id = ANY($3::uuid[])`,
      [big.id, seq, ids.slice(0, 2500)],
    );
    expect(await read(bob, big.id, seq)).toMatchObject({ ok: true });
    const page = async (state: string, offset: number) =>
      (
        await alice.http.request<ReceiptListPage>(
          'GET',
          `/api/conversations/${big.id}/messages/${seq}/receipts?state=${state}&limit=200&offset=${offset}`,
        )
      ).body;
    const readFirst = await page('read', 0);
    expect(readFirst.total).toBe(2501);
    expect(readFirst.items).toHaveLength(200);
    expect((await page('unread', 0)).total).toBe(2497);
    const tail = await page('read', 2400);
    expect(tail.items).toHaveLength(101);
    expect(new Set([...readFirst.items, ...tail.items].map((i) => i.userId)).size).toBe(301);
    const summary = await alice.http.request<ReceiptSummary>(
      'GET',
      `/api/conversations/${big.id}/receipts?seqs=${seq}`,
    );
    expect(summary.body).toEqual({ members: 4998, items: [{ seq, read: 2501, delivered: 2501 }] });

    // The count is a range of the read-cursor index, not a scan of the members.
    const qr = t.dataSource.createQueryRunner();
    await qr.connect();
    await qr.query('SET enable_seqscan = off');
    const plan = (
      (await qr.query(
        `EXPLAIN SELECT count(*) FROM conversation_members WHERE conversation_id = $1 AND left_at IS NULL AND read_seq >= $2`,
        [big.id, seq],
      )) as Array<{ 'QUERY PLAN': string }>
    )
      .map((r) => r['QUERY PLAN'])
      .join('\n');
    // Telling senders: each passed range is a range of messages_pkey, not a scan of the conversation.
    const senders = (
      (await qr.query(`EXPLAIN ${SENDERS_OF_SQL}`, [[big.id], [bob.user.id], [0], [seq], false])) as Array<{
        'QUERY PLAN': string;
      }>
    )
      .map((r) => r['QUERY PLAN'])
      .join('\n');
    await qr.query('RESET enable_seqscan');
    await qr.release();
    expect(plan).toContain('conversation_members_read_idx');
    expect(senders).toMatch(/Index (Only )?Scan using messages_pkey/);
  });
});
