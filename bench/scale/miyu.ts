// The Miyu target: the built server (apps/server/dist) in a process of its own with persistence on, peers made by
// SQL (bench/support/seed.ts: accounts, sessions, devices) and connected through the real socket.io handshake,
// conversations made through the API, messages sealed with libs/crypto (ahead of time, by `prepare`), and on
// reconnect the sync a client does: `sync:changes`, then `sync:since` for each conversation that moved.
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { MAX_SYNC_PAGE, type SyncChanges, type SyncPage, type TimelineMessage } from '@miyu/protocol';
import {
  type Client,
  connectSocket,
  createConversation,
  loadCrypto,
  messageSealer,
  newClient,
  setupBench,
} from '../support/clients.js';
import { walBytes } from '../support/db.js';
import { root } from '../support/paths.js';
import { insertClients } from '../support/seed.js';
import { startServer } from '../support/server.js';
import type { Peer, Target } from './target.js';

interface MiyuPeer extends Peer {
  client: Client;
  /** The latest seq this peer has seen, per conversation (its sync cursors). */
  seen: Map<string, number>;
}

type Sealed = ReturnType<ReturnType<typeof messageSealer>>;
/** ~200 characters of text: sealed, an envelope of about 500 bytes of JSON. */
const TEXT = 'x'.repeat(200);

export async function startMiyu(): Promise<Target> {
  const crypto = await loadCrypto();
  const server = await startServer({ dbPrefix: 'miyu_scale' });
  const db = new pg.Pool({ connectionString: server.dbUrl, max: 4 });
  const bench = await setupBench(crypto, server.url, server.setupToken);
  // One device registered through the API: the others carry its public keys (nothing here decrypts).
  const template = await newClient(bench, 'template');
  template.socket.disconnect();
  const seal = messageSealer(crypto);
  const prepared = new Map<string, Sealed[]>();
  const peers: MiyuPeer[] = [];
  let deliver: (to: Peer, tag: string) => void = () => {};
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();

  const listen = (peer: MiyuPeer) =>
    peer.client.socket.on('message:new', (m: TimelineMessage) => {
      peer.seen.set(m.conversationId, Math.max(peer.seen.get(m.conversationId) ?? 0, m.seq));
      if (m.clientMsgId && m.senderUserId !== peer.client.userId) deliver(peer, m.clientMsgId);
    });
  const ask = <T>(peer: MiyuPeer, event: string, payload: unknown) =>
    peer.client.socket.timeout(30_000).emitWithAck(event, payload) as Promise<{ ok: true; data: T } | { ok: false }>;

  return {
    name: 'miyu',
    description: `Miyu ${commit}, one server process, PostgreSQL persistence (${server.dbName === 'miyu' ? 'embedded' : 'DATABASE_URL server'}), sender-key envelopes`,
    serverPids: () => [server.pid],
    dbWalBytes: () => walBytes(server.dbUrl),
    async connect(n) {
      const clients = await insertClients(db, server.url, template.deviceId, n, `p${peers.length}`);
      const fresh = clients.map((client, i) => ({ index: peers.length + i, client, seen: new Map<string, number>() }));
      fresh.forEach(listen);
      peers.push(...fresh);
      return fresh;
    },
    async direct(a, b) {
      const id = await createConversation(
        server.url,
        (a as MiyuPeer).client,
        [(b as MiyuPeer).client.userId],
        'direct',
      );
      return { id, members: [a, b] };
    },
    async group(members) {
      const [owner, ...rest] = members as MiyuPeer[];
      const id = await createConversation(
        server.url,
        owner!.client,
        rest.map((m) => m.client.userId),
        'group',
      );
      return { id, members };
    },
    prepare(room, from, count) {
      const key = `${room.id}/${from.index}`;
      const list = prepared.get(key) ?? [];
      for (let i = 0; i < count; i++) list.push(seal(room.id, (from as MiyuPeer).client, TEXT));
      prepared.set(key, list);
    },
    send(room, from, onAck) {
      const c = (from as MiyuPeer).client;
      const payload = prepared.get(`${room.id}/${from.index}`)?.shift() ?? seal(room.id, c, TEXT);
      c.socket
        .timeout(10_000)
        .emit('message:send', payload, (err: unknown, res: { ok: boolean }) => onAck?.(!err && res.ok));
      return payload.clientMsgId;
    },
    onDeliver(handler) {
      deliver = handler;
    },
    async disconnect(list) {
      for (const p of list as MiyuPeer[]) p.client.socket.disconnect();
    },
    async reconnect(p) {
      const peer = p as MiyuPeer;
      peer.client.socket = await connectSocket(server.url, peer.client.cookie, peer.client.deviceId);
      listen(peer);
      const changes = await ask<SyncChanges>(peer, 'sync:changes', {});
      if (!changes.ok) throw new Error('sync:changes refused');
      let synced = 0;
      for (const { id, lastSeq } of changes.data.conversations) {
        while ((peer.seen.get(id) ?? 0) < lastSeq) {
          const page = await ask<SyncPage>(peer, 'sync:since', {
            conversationId: id,
            afterSeq: peer.seen.get(id) ?? 0,
            limit: MAX_SYNC_PAGE,
          });
          if (!page.ok || page.data.messages.length === 0) throw new Error(`sync:since ${id} returned nothing`);
          synced += page.data.messages.filter((m) => m.clientMsgId).length;
          peer.seen.set(id, page.data.messages.at(-1)!.seq);
        }
      }
      return synced;
    },
    async stop() {
      peers.forEach((p) => p.client.socket.disconnect());
      await db.end();
      await server.stop();
    },
  };
}
