// What the scale bench (bench/scale.ts) needs of a chat system to drive the same workloads through it: Miyu, a raw
// socket.io relay (the stack's ceiling) and ejabberd with its message archive (a widely deployed chat server).
// Every target runs its server in processes of its own; the peers live in the bench process (the load generator).

/** One account of a target, signed in; a target keeps its own state behind it (its connection, its keys). */
export interface Peer {
  /** 0, 1, 2, … in the order the target created them. */
  readonly index: number;
}

/** A conversation every member receives in: a 1:1 chat or a group (a MUC room for ejabberd). */
export interface Room {
  readonly id: string;
  readonly members: readonly Peer[];
}

export interface Target {
  /** 'miyu', 'raw-relay', 'ejabberd'. */
  readonly name: string;
  /** What ran: the version and the settings that matter (persistence, archive backend), one line. */
  readonly description: string;
  /** The server's processes, for CPU time and RSS (not the database's). */
  serverPids(): number[];
  /** Bytes of WAL its PostgreSQL server has written so far (support/db.ts walBytes), or null when it uses none. */
  dbWalBytes(): Promise<number | null>;
  /** `n` new accounts, each signed in and connected; setup, not measured. */
  connect(n: number): Promise<Peer[]>;
  /** A 1:1 conversation of two peers. */
  direct(a: Peer, b: Peer): Promise<Room>;
  /** A group of these peers, every one of them joined and receiving. */
  group(members: readonly Peer[]): Promise<Room>;
  /**
   * Builds `count` messages of `from` in `room` ahead of time, so that sending them costs the load generator
   * little (Miyu's are sealed with libs/crypto here, not while measuring). Sending more than was prepared builds
   * the rest on the fly.
   */
  prepare(room: Room, from: Peer, count: number): void;
  /**
   * Sends the next message of `from` in `room` (about 500 bytes on the wire for every target); returns its tag,
   * unique in the run, which deliveries report. `onAck` runs when the server has accepted it (Miyu: stored;
   * ejabberd: when it acknowledges the stanza; relay: relayed), with false on a refusal or a timeout.
   */
  send(room: Room, from: Peer, onAck?: (ok: boolean) => void): string;
  /** Runs `handler` for every message pushed to a peer that did not send it. One handler; a new one replaces it. */
  onDeliver(handler: (to: Peer, tag: string) => void): void;
  /** Closes these peers' connections; their accounts stay. */
  disconnect(peers: readonly Peer[]): Promise<void>;
  /**
   * Connects a disconnected peer again and fetches what it missed, as the target's own clients do on reconnect;
   * resolves with how many messages the sync returned.
   */
  reconnect(peer: Peer): Promise<number>;
  /** Stops the server, closes every connection and removes what the target created (databases, folders). */
  stop(): Promise<void>;
}
