import type { Ack, ConversationDto, MessageSendAck, SystemPong } from '@miyu/protocol';
import { uuidv7 } from '../../src/common/security/uuid.js';
import { TestClient } from '../support/http-client.js';
import { buildTestMessage, createPerson, type Person, sendTestMessage } from '../support/people.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

interface RateLimitedBody {
  error: { code: string; message: string; retryAfterSeconds?: number };
}

/**
 * Write paths under flood: the per-IP HTTP limit on /api/, /hooks/ and /scim/ (429 with Retry-After), and the
 * per-socket token bucket over inbound socket events (RATE_LIMITED acks, handler not run, connection kept).
 */
describe('rate limits on write paths (real PostgreSQL)', () => {
  describe('HTTP: per client IP', () => {
    let t: TestServer;
    beforeAll(async () => {
      t = await startTestServer({ API_RATE_LIMIT_PER_MINUTE: '10', LOGIN_IP_LIMIT_PER_MINUTE: '1000' });
    });
    afterAll(async () => {
      await t?.close();
    });

    it('refuses writes beyond the limit with 429 RATE_LIMITED, Retry-After and retryAfterSeconds, doing nothing', async () => {
      const admin = new TestClient(t.url);
      await admin.setupAdmin(); // 1 request
      const created: number[] = [];
      for (let i = 0; i < 9; i++) {
        const res = await admin.request('POST', '/api/conversations', { kind: 'group', name: `g${i}`, memberIds: [] });
        created.push(res.status);
      }
      expect(created.every((s) => s === 201)).toBe(true);
      const before = (await t.dataSource.query(`SELECT count(*)::int AS n FROM conversations`)) as [{ n: number }];

      const refused = await admin.request<RateLimitedBody>('POST', '/api/conversations', {
        kind: 'group',
        name: 'one too many',
        memberIds: [],
      });
      expect(refused.status).toBe(429);
      const retryAfter = Number(refused.headers.get('retry-after'));
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      expect(refused.body.error).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: retryAfter });
      expect(refused.body.error.message).toMatch(/too many requests/i);
      expect(await t.dataSource.query(`SELECT count(*)::int AS n FROM conversations`)).toEqual(before);

      // The other write surfaces share the limit: incoming webhooks and SCIM provisioning.
      for (const [path, body] of [
        [`/hooks/${uuidv7()}`, '{"text":"hi"}'],
        ['/scim/v2/Users', '{"userName":"x"}'],
        ['/api/auth/login', '{"login":"admin","password":"admin-password-1"}'],
      ] as const) {
        const res = await fetch(t.url + path, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
        });
        expect({ path, status: res.status, retryAfter: res.headers.get('retry-after') !== null }).toEqual({
          path,
          status: 429,
          retryAfter: true,
        });
        expect(((await res.json()) as RateLimitedBody).error.code).toBe('RATE_LIMITED');
      }
      // Health checks stay outside the limit.
      expect((await fetch(`${t.url}/health/ready`)).status).toBe(200);
    });
  });

  describe('sockets: per connection token bucket', () => {
    const BURST = 20;
    const FLOOD = 60;
    let t: TestServer;
    let alice: Person;
    let bob: Person;
    let chat: ConversationDto;

    beforeAll(async () => {
      // 1 event per second refill: the flood below is judged almost entirely by the burst.
      t = await startTestServer({ SOCKET_EVENTS_PER_SECOND: '1', SOCKET_EVENT_BURST: String(BURST) });
      const admin = new TestClient(t.url);
      await admin.setupAdmin();
      alice = await createPerson(t.url, admin, 'alice');
      bob = await createPerson(t.url, admin, 'bob');
      chat = (
        await alice.http.request<ConversationDto>('POST', '/api/conversations', { kind: 'direct', userId: bob.user.id })
      ).body;
    });
    afterAll(async () => {
      alice?.socket.disconnect();
      bob?.socket.disconnect();
      await t?.close();
    });

    it('answers a flood beyond the burst with RATE_LIMITED and retryAfterMs, without running the handler', async () => {
      const sends = Array.from({ length: FLOOD }, (_, i) => buildTestMessage(alice, chat.id, `flood ${i}`));
      const acks = (await Promise.all(
        sends.map((m) => alice.socket.timeout(20_000).emitWithAck('message:send', m)),
      )) as Array<Ack<MessageSendAck>>;
      const accepted = acks.filter((a) => a.ok);
      const refused = acks.filter((a) => !a.ok);
      console.log(`socket flood: ${FLOOD} sends, ${accepted.length} accepted, ${refused.length} refused`);

      // At least the burst passes; with a refill of 1/s, nowhere near all of the flood.
      expect(accepted.length).toBeGreaterThanOrEqual(BURST);
      expect(refused.length).toBeGreaterThan(0);
      for (const a of refused) {
        if (a.ok) continue;
        expect(a.error.code).toBe('RATE_LIMITED');
        expect(a.error.retryAfterMs).toBeGreaterThan(0);
        expect(a.error.retryAfterMs).toBeLessThanOrEqual(1000);
      }
      // Refused sends never reached the handler: exactly the accepted ones are stored.
      const stored = (await t.dataSource.query(
        `SELECT client_msg_id FROM messages WHERE conversation_id = $1 AND client_msg_id IS NOT NULL`,
        [chat.id],
      )) as Array<{ client_msg_id: string }>;
      const acceptedIds = sends.filter((_, i) => acks[i]!.ok).map((m) => m.clientMsgId);
      expect(stored.map((r) => r.client_msg_id).sort()).toEqual(acceptedIds.sort());

      // Counted in the metrics by event and outcome.
      const metrics = await (await fetch(`${t.url}/metrics`)).text();
      const counted = /miyu_socket_events_total\{event="message:send",outcome="rate_limited"\} (\d+)/.exec(metrics);
      expect(Number(counted?.[1])).toBe(refused.length);

      // Another connection has its own bucket; the flooding one stays connected and recovers after the wait.
      expect((await sendTestMessage(bob, chat.id, 'unaffected')).ok).toBe(true);
      expect(alice.socket.connected).toBe(true);
      const wait = Math.max(...refused.map((a) => (a.ok ? 0 : (a.error.retryAfterMs ?? 0))));
      await new Promise((r) => setTimeout(r, wait + 50));
      const pong = (await alice.socket.timeout(5000).emitWithAck('system:ping', { nonce: 'after' })) as Ack<SystemPong>;
      expect(pong).toMatchObject({ ok: true, data: { nonce: 'after' } });
    });

    it('counts every event, invalid payloads too: the limit applies before validation', async () => {
      const socket = bob.socket;
      const invalid = { nonce: 7 } as unknown as { nonce: string }; // the schema wants a string
      const acks = (await Promise.all(
        Array.from({ length: BURST + 10 }, () => socket.timeout(5000).emitWithAck('system:ping', invalid)),
      )) as Array<Ack<unknown>>;
      const codes = new Set(acks.map((a) => (a.ok ? 'ok' : a.error.code)));
      // The invalid payload (nonce must be a string) is refused by validation while tokens last, then by the limit.
      expect([...codes].sort()).toEqual(['RATE_LIMITED', 'VALIDATION_FAILED']);
    });
  });
});
