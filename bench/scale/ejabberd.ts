// The ejabberd target of the scale bench: a widely deployed XMPP server with its message archive (MAM) on, as
// Miyu stores every message. Its own instance per run (ejabberd/server.ts); the peers are @xmpp/client
// connections in the bench process (ejabberd/peer.ts).
//
// Acks: a ping after 1:1 messages, the room's echo for group ones (ejabberd/peer.ts says why). Deliveries are
// live pushes only: archive results, presence and the sender's own echo are not.
import { randomBytes } from 'node:crypto';
import { PASSWORD, type PeerEvents, type Settled, XmppPeer } from './ejabberd/peer.js';
import { type EjabberdInstance, MUC_DOMAIN, openFilesLimit, startInstance, XMPP_DOMAIN } from './ejabberd/server.js';
import type { Peer, Room, Target } from './target.js';

const REGISTER_CONCURRENCY = 50;
const CONNECT_CONCURRENCY = 100;
const ACK_TIMEOUT_MS = 30_000;
/** Random base64 characters in each body, besides the tag: a sent stanza is about 500 bytes, like Miyu's. */
const BODY_CHARS = 360;
/** Open files kept free in each process beyond one per connection (listeners, logs, the database pool). */
const SPARE_FILES = 256;

/** Where a room's messages go: the other member (1:1) or the MUC room. */
type Route = { kind: 'chat'; members: readonly [XmppPeer, XmppPeer] } | { kind: 'groupchat'; jid: string };

interface PendingAck {
  onAck(ok: boolean): void;
  sentAt: number;
}

export async function startEjabberd(): Promise<Target> {
  return new EjabberdTarget(await startInstance());
}

class EjabberdTarget implements Target {
  readonly name = 'ejabberd';
  readonly description: string;
  private readonly peers: XmppPeer[] = [];
  private readonly routes = new Map<string, Route>();
  /** By tag, in send order (the timeout sweep relies on it). */
  private readonly pending = new Map<string, PendingAck>();
  private readonly sweep: NodeJS.Timeout;
  private readonly events: PeerEvents;
  private deliver: (to: Peer, tag: string) => void = () => {};
  private sent = 0;
  private groups = 0;
  /** Bodies are slices of this: random, and nothing to generate per message. */
  private readonly pad = randomBytes(48 * 1024).toString('base64');

  constructor(private readonly server: EjabberdInstance) {
    this.description =
      `ejabberd ${server.version}, MAM on (${server.backend}), no TLS, SASL PLAIN, ` +
      'acks by a ping after 1:1 messages and by the room echo in groups';
    this.events = {
      delivered: (to, tag) => this.deliver(to, tag),
      settled: (tag, how) => this.settle(tag, how),
    };
    this.sweep = setInterval(() => this.expireAcks(), 1000).unref();
  }

  serverPids(): number[] {
    return [this.server.pid];
  }

  dbWalBytes(): Promise<number | null> {
    return this.server.walBytes();
  }

  async connect(n: number): Promise<Peer[]> {
    this.checkOpenFiles(n);
    const fresh = Array.from(
      { length: n },
      (_, i) => new XmppPeer(this.peers.length + i, `u${this.peers.length + i}`, this.server.service, this.events),
    );
    // Tracked before connecting, so that stop() drops them whatever happens.
    this.peers.push(...fresh);
    await forEachLimited(fresh, REGISTER_CONCURRENCY, (p) =>
      this.server.api('register', { user: p.username, host: XMPP_DOMAIN, password: PASSWORD }),
    );
    await forEachLimited(fresh, CONNECT_CONCURRENCY, async (p) => {
      await p.login();
      await p.available();
    });
    return fresh;
  }

  direct(a: Peer, b: Peer): Promise<Room> {
    const members = [this.peer(a), this.peer(b)] as const;
    const room: Room = { id: `chat:${members[0].jid},${members[1].jid}`, members };
    this.routes.set(room.id, { kind: 'chat', members });
    return Promise.resolve(room);
  }

  /** A MUC room made through the HTTP API with the config's default room options (archived, persistent). */
  async group(members: readonly Peer[]): Promise<Room> {
    const peers = members.map((m) => this.peer(m));
    const name = `g${this.groups++}`;
    const created = await this.server.api('create_room', { name, service: MUC_DOMAIN, host: XMPP_DOMAIN });
    if (created !== 0) throw new Error(`ejabberd: create_room ${name} answered ${JSON.stringify(created)}`);
    const jid = `${name}@${MUC_DOMAIN}`;
    await forEachLimited(peers, CONNECT_CONCURRENCY, (p) => p.join(jid));
    this.routes.set(jid, { kind: 'groupchat', jid });
    return { id: jid, members: peers };
  }

  /** Nothing to build ahead: a body is a tag and a slice of a random pad. */
  prepare(): void {}

  send(room: Room, from: Peer, onAck?: (ok: boolean) => void): string {
    const route = this.routes.get(room.id);
    if (!route) throw new Error(`ejabberd: unknown room ${room.id}`);
    const sender = this.peer(from);
    const tag = `m${(this.sent++).toString(36)}`;
    const offset = (this.sent * 7919) % (this.pad.length - BODY_CHARS);
    const body = `${tag} ${this.pad.slice(offset, offset + BODY_CHARS)}`;
    const to =
      route.kind === 'chat' ? (route.members[0] === sender ? route.members[1] : route.members[0]).jid : route.jid;
    if (onAck) this.pending.set(tag, { onAck, sentAt: Date.now() });
    sender.sendMessage(to, route.kind, tag, body).catch(() => this.settle(tag, 'failed'));
    return tag;
  }

  onDeliver(handler: (to: Peer, tag: string) => void): void {
    this.deliver = handler;
  }

  async disconnect(peers: readonly Peer[]): Promise<void> {
    await forEachLimited(peers, CONNECT_CONCURRENCY, (p) => this.peer(p).close());
  }

  /**
   * A new login, then the archive sync (messages after the newest one it had seen), then presence: syncing before
   * going available means no message is both pushed live and returned by the sync.
   */
  async reconnect(peer: Peer): Promise<number> {
    const p = this.peer(peer);
    await p.login();
    const missed = await p.syncArchive();
    await p.available();
    return missed;
  }

  async stop(): Promise<void> {
    clearInterval(this.sweep);
    this.pending.clear();
    for (const p of this.peers) p.drop();
    await this.server.stop();
  }

  private peer(p: Peer): XmppPeer {
    const own = this.peers[p.index];
    if (own !== p) throw new Error(`ejabberd: peer ${p.index} is not one of this target's`);
    return own;
  }

  private settle(tag: string, how: Settled): void {
    const p = this.pending.get(tag);
    if (!p) return;
    this.pending.delete(tag);
    p.onAck(how !== 'failed');
  }

  private expireAcks(): void {
    const cutoff = Date.now() - ACK_TIMEOUT_MS;
    for (const [tag, p] of this.pending) {
      if (p.sentAt > cutoff) break;
      this.pending.delete(tag);
      p.onAck(false);
    }
  }

  /** Each connection is an open file in the bench and one in the server: fail early, not at connection 9,000. */
  private checkOpenFiles(more: number): void {
    const needed = this.peers.filter((p) => p.online).length + more + SPARE_FILES;
    for (const [who, pid] of [
      ['the bench', 'self'],
      ['ejabberd', this.server.pid],
    ] as const) {
      const limit = openFilesLimit(pid);
      if (needed > limit) {
        throw new Error(
          `ejabberd target: ${needed - SPARE_FILES} connections need more open files than ${who} may have (${limit}): raise ulimit -n`,
        );
      }
    }
  }
}

/**
 * Runs `fn` on every item, at most `limit` at a time, starting the next as soon as one ends (unlike batches.ts's
 * inBatches, a slow login does not hold up the 99 others); rejects with the first failure.
 */
async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
