import {
  bundleToJson,
  createOutboundSenderKey,
  encryptGroupMessage,
  envelopeToJson,
  generateDeviceKeys,
  generateOneTimePrekeys,
  type OutboundSenderKey,
  publicBundle,
  ready,
} from '@miyu/crypto';
import type { Ack, ConversationDto, MessageSendAck, SyncPage, UserDto } from '@miyu/protocol';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { uuidv7 } from '../../src/common/security/uuid.js';
import { TestClient } from '../support/http-client.js';
import { type ClientSocket, connected, connectSocket } from '../support/socket-client.js';
import { spawnServer, type SpawnedServer } from '../support/spawn-server.js';
import { createTestDatabase, type TestDatabase } from '../support/test-db.js';
import { TEST_SETUP_TOKEN } from '../support/test-server.js';

/** Written into every message; it must appear nowhere in the server's logs (debug level) or database. */
const CANARY = `canary-${randomBytes(10).toString('hex')}`;

interface Sender {
  userId: string;
  deviceId: string;
  cookie: string;
  session: OutboundSenderKey;
  /** clientMsgId -> payload, for resends. */
  pending: Map<string, unknown>;
  acked: Map<string, number>;
}

/**
 * 消息必达 under a crash: several clients send bursts while the server process is SIGKILLed mid-burst and
 * restarted. Every acked message must be stored exactly once, in seq order; unacked ones are resent by the
 * client with the same clientMsgId and end up exactly once too.
 */
describe('crash safety: SIGKILL mid-burst loses no acked message', () => {
  let db: TestDatabase;
  let server: SpawnedServer;

  beforeAll(async () => {
    await ready();
    db = await createTestDatabase('miyu_crash');
  });
  afterAll(async () => {
    await server?.stop('SIGKILL');
    await db.drop();
  });

  function socketFor(s: Sender, url: string): ClientSocket {
    return connectSocket(url, s.cookie, url, s.deviceId);
  }

  it('keeps every acked message exactly once across kill -9 and restart', async () => {
    server = await spawnServer({ DATABASE_URL: db.url, SETUP_TOKEN: TEST_SETUP_TOKEN, LOG_LEVEL: 'debug' });
    const first = server;
    const admin = new TestClient(server.url);
    await admin.setupAdmin();
    const senders: Sender[] = [];
    const memberIds: string[] = [];
    for (let i = 0; i < 3; i++) {
      const login = `sender${i}`;
      const user = (
        await admin.request<UserDto>('POST', '/api/admin/users', {
          login,
          displayName: login,
          password: `${login}-password`,
        })
      ).body;
      const http = new TestClient(server.url);
      await http.login(login, `${login}-password`);
      const deviceId = uuidv7();
      const { keys, prekeys } = generateOneTimePrekeys(generateDeviceKeys({ userId: user.id, deviceId }), 1);
      await http.request('POST', '/api/devices', { name: 'd', bundle: bundleToJson(publicBundle(keys, prekeys)) });
      memberIds.push(user.id);
      senders.push({
        userId: user.id,
        deviceId,
        cookie: http.cookie!,
        session: null as never,
        pending: new Map(),
        acked: new Map(),
      });
    }
    const owner = new TestClient(server.url);
    await owner.login('sender0', 'sender0-password');
    const group = (
      await owner.request<ConversationDto>('POST', '/api/conversations', {
        kind: 'group',
        name: 'crash',
        memberIds: memberIds.slice(1),
      })
    ).body;
    for (const s of senders) {
      s.session = createOutboundSenderKey({
        conversationId: group.id,
        senderUserId: s.userId,
        senderDeviceId: s.deviceId,
        epoch: 0,
      });
    }

    const makePayload = (s: Sender, i: number) => {
      const clientMsgId = uuidv7();
      const { session, envelope } = encryptGroupMessage(s.session, {
        clientMsgId,
        policyVersion: 0,
        content: { type: 'text', body: `m${i} ${CANARY}`, mentions: [], replyTo: null },
      });
      s.session = session;
      const payload = { clientMsgId, conversationId: group.id, envelope: envelopeToJson(envelope) };
      s.pending.set(clientMsgId, payload);
      return payload;
    };

    const sockets = senders.map((s) => socketFor(s, server.url));
    await Promise.all(sockets.map((sock) => connected(sock)));
    // Burst: each sender fires its sends without waiting for acks, one every millisecond, so the burst outlasts
    // a group commit (one batch can hold hundreds of sends and ack them all at once). The kill happens inside the
    // ack callback that reaches the threshold, so it lands mid-burst however fast the machine is.
    let ackCount = 0;
    let resolveKilled: () => void = () => undefined;
    const killed = new Promise<void>((resolve) => (resolveKilled = resolve));
    const PER_SENDER = 150; // 450 in all: one sync page (500) holds them
    const timers: NodeJS.Timeout[] = [];
    senders.forEach((s, k) => {
      for (let i = 0; i < PER_SENDER; i++) {
        const payload = makePayload(s, i);
        const send = () =>
          sockets[k]!.timeout(20_000).emit(
            'message:send',
            payload as never,
            (err: unknown, res: Ack<MessageSendAck>) => {
              if (!err && res.ok) {
                s.acked.set((payload as { clientMsgId: string }).clientMsgId, res.data.seq);
                s.pending.delete((payload as { clientMsgId: string }).clientMsgId);
                ackCount += 1;
                if (ackCount === 40) {
                  server.proc.kill('SIGKILL');
                  timers.forEach(clearTimeout);
                  resolveKilled();
                }
              }
            },
          );
        timers.push(setTimeout(send, i));
      }
    });
    await killed;
    await server.exited;
    sockets.forEach((sock) => sock.disconnect());
    const ackedBeforeCrash = senders.reduce((n, s) => n + s.acked.size, 0);
    expect(ackedBeforeCrash).toBeGreaterThanOrEqual(40);
    const unackedBeforeCrash = senders.reduce((n, s) => n + s.pending.size, 0);
    console.log(
      `crash-safety: sent ${3 * PER_SENDER}, acked before SIGKILL ${ackedBeforeCrash}, unacked (to resend) ${unackedBeforeCrash}`,
    );
    expect(unackedBeforeCrash).toBeGreaterThan(0); // the kill really happened mid-burst

    // Every acked message is in the database right after the crash, exactly once, with the acked seq.
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      for (const s of senders) {
        for (const [clientMsgId, seq] of s.acked) {
          const rows = await client.query('SELECT seq FROM messages WHERE client_msg_id = $1', [clientMsgId]);
          expect(rows.rows.map((r: { seq: string }) => Number(r.seq))).toEqual([seq]);
        }
      }
    } finally {
      await client.end();
    }

    // Restart; clients reconnect and resend what was not acked, with the same clientMsgIds.
    server = await spawnServer({ DATABASE_URL: db.url, LOG_LEVEL: 'debug' });
    const again = senders.map((s) => socketFor(s, server.url));
    await Promise.all(again.map((sock) => connected(sock)));
    await Promise.all(
      senders.map(async (s, k) => {
        for (const [clientMsgId, payload] of [...s.pending]) {
          const res = (await again[k]!.timeout(20_000).emitWithAck(
            'message:send',
            payload as never,
          )) as Ack<MessageSendAck>;
          expect(res.ok).toBe(true);
          if (res.ok) s.acked.set(clientMsgId, res.data.seq);
          s.pending.delete(clientMsgId);
        }
      }),
    );

    // Now all of them are stored exactly once, seqs are 1..N without gaps, and sync returns them in order.
    const page = (await again[1]!.timeout(20_000).emitWithAck('sync:since', {
      conversationId: group.id,
      afterSeq: 0,
      limit: 500,
    })) as { ok: true; data: SyncPage };
    const ids = page.data.messages.filter((m) => m.clientMsgId).map((m) => m.clientMsgId!);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(3 * PER_SENDER);
    expect(page.data.messages.map((m) => m.seq)).toEqual(Array.from({ length: page.data.lastSeq }, (_, i) => i + 1));
    for (const s of senders)
      for (const [clientMsgId, seq] of s.acked)
        expect(page.data.messages.find((m) => m.clientMsgId === clientMsgId)?.seq).toBe(seq);
    again.forEach((sock) => sock.disconnect());

    // No plaintext in the logs of either server process, at debug level.
    expect(first.output().length).toBeGreaterThan(1000);
    expect(first.output()).not.toContain(CANARY);
    expect(server.output()).not.toContain(CANARY);
  }, 180_000);
});
