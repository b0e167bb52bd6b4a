// The raw socket.io relay target (relay-server.ts in a process of its own): what the stack costs with nothing on
// top. Rooms are socket.io rooms joined on the server; payloads are as large as Miyu's sealed envelopes; a
// reconnecting peer has nothing to sync (the relay keeps nothing).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { io, type Socket } from 'socket.io-client';
import { freePort } from '../support/server.js';
import { inBatches, waitFor } from '../support/batches.js';
import type { Peer, Room, Target } from './target.js';

interface RelayPeer extends Peer {
  socket: Socket | null;
}

/** Base64 text as long as a sealed 200-character text message of Miyu's (its envelope JSON). */
export const PAYLOAD = randomBytes(360).toString('base64');

export async function startRelay(): Promise<Target> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const entry = path.join(path.dirname(fileURLToPath(import.meta.url)), 'relay-server.js');
  const child: ChildProcess = spawn(process.execPath, [entry, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await waitFor(
    new Promise<void>((resolve, reject) => {
      child.stdout!.on('data', (d: Buffer) => d.toString().includes('ready') && resolve());
      child.once('exit', (code) => reject(new Error(`relay exited with ${code}`)));
    }),
    10_000,
    'relay start',
  );
  const version = (
    (await import('socket.io/package.json', { with: { type: 'json' } })) as { default: { version: string } }
  ).default.version;

  const peers: RelayPeer[] = [];
  let deliver: (to: Peer, tag: string) => void = () => {};
  let nextTag = 0;
  let nextRoom = 0;

  const open = async (peer: RelayPeer) => {
    const socket = io(url, {
      transports: ['websocket'],
      reconnection: false,
      forceNew: true,
      auth: { peer: peer.index },
    });
    socket.on('msg', (m: { tag: string }) => deliver(peer, m.tag));
    await waitFor(
      new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('connect_error', reject);
      }),
      30_000,
      'relay connect',
    );
    peer.socket = socket;
  };
  const join = (room: Room) =>
    inBatches(room.members as RelayPeer[], 200, (p) => p.socket!.emitWithAck('join', room.id) as Promise<unknown>);

  return {
    name: 'raw-relay',
    description: `socket.io ${version} relay, one process, no persistence, no authentication`,
    serverPids: () => [child.pid!],
    dbWalBytes: async () => null,
    async connect(n) {
      const fresh: RelayPeer[] = Array.from({ length: n }, (_, i) => ({ index: peers.length + i, socket: null }));
      peers.push(...fresh);
      await inBatches(fresh, 100, open);
      return fresh;
    },
    async direct(a, b) {
      const room = { id: `r${nextRoom++}`, members: [a, b] };
      await join(room);
      return room;
    },
    async group(members) {
      const room = { id: `r${nextRoom++}`, members };
      await join(room);
      return room;
    },
    prepare() {
      /* nothing to build ahead: the payload is constant */
    },
    send(room, from, onAck) {
      const tag = `t${nextTag++}`;
      (from as RelayPeer)
        .socket!.timeout(10_000)
        .emit('send', { room: room.id, tag, body: PAYLOAD }, (err: unknown) => onAck?.(!err));
      return tag;
    },
    onDeliver(handler) {
      deliver = handler;
    },
    async disconnect(list) {
      for (const p of list as RelayPeer[]) {
        p.socket?.disconnect();
        p.socket = null;
      }
    },
    async reconnect(peer) {
      await open(peer as RelayPeer);
      return 0;
    },
    async stop() {
      peers.forEach((p) => p.socket?.disconnect());
      if (child.exitCode === null) child.kill('SIGTERM');
      await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(null)));
    },
  };
}
