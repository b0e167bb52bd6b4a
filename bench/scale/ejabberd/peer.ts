// eslint-disable-next-line @typescript-eslint/triple-slash-reference -- @xmpp/client ships no types: these are ours
/// <reference path="./xmpp-client.d.ts" />
// One account of the ejabberd target and its connection: @xmpp/client over TCP with SASL PLAIN (loopback, no
// TLS), what it receives, the acknowledgements of what it sends, MUC joins and the message-archive (MAM) sync.
//
// Acks: XMPP has none per message without XEP-0198 (which this server has off, see ejabberd.yml.template).
// A 1:1 message is acked by a ping to the server sent right after it: a client's session handles its stanzas in
// order, so the answer comes once the message is archived and routed (one ping covers the messages a peer sent
// in the same turn of the event loop). A group message is acked by the room echoing it to its sender, which the
// room does after archiving it.
import { type Authenticate, client, type Client, type Element, xml } from '@xmpp/client';
import type { Peer } from '../target.js';
import { XMPP_DOMAIN } from './server.js';

const NS_MUC = 'http://jabber.org/protocol/muc';
const NS_MUC_USER = 'http://jabber.org/protocol/muc#user';
const NS_MAM = 'urn:xmpp:mam:2';
const NS_RSM = 'http://jabber.org/protocol/rsm';
const NS_STANZA_ID = 'urn:xmpp:sid:0';
const NS_PING = 'urn:xmpp:ping';

export const PASSWORD = 'bench-password';
/** Every wait on the server: login, close, room join, archive page. */
const TIMEOUT_MS = 30_000;
const ARCHIVE_PAGE = 100;

export type Settled = 'ping' | 'echo' | 'failed';

export interface PeerEvents {
  /** A message with a body from someone else reached `to` while it was online; `tag` is the message's id. */
  delivered(to: XmppPeer, tag: string): void;
  /**
   * The server answered for a message this peer sent: ok by the ping after it (`ping`) or by the room echoing
   * it (`echo`); not ok when it bounced or the ping failed (`failed`).
   */
  settled(tag: string, how: Settled): void;
}

export class XmppPeer implements Peer {
  /** The bare JID. */
  readonly jid: string;
  private xmpp: Client | null = null;
  private lastError: Error | null = null;
  /** The newest archive id (ejabberd's are microsecond timestamps) this account has seen in its own archive. */
  private lastArchived: bigint | null = null;
  /** Presence reflections waited for, by the bare JID they come from. */
  private readonly awaiting = new Map<string, { resolve(): void; reject(err: Error): void }>();
  private archivePage: ((result: Element) => void) | null = null;
  /** 1:1 messages sent in this turn of the event loop, which the next ping acks. */
  private unconfirmed: string[] = [];

  constructor(
    readonly index: number,
    /** Also its nickname in rooms. */
    readonly username: string,
    private readonly service: string,
    private readonly events: PeerEvents,
  ) {
    this.jid = `${username}@${XMPP_DOMAIN}`;
  }

  get online(): boolean {
    return this.xmpp?.status === 'online';
  }

  /** Opens a stream and signs in (SASL PLAIN, resource binding). */
  async login(): Promise<void> {
    if (this.xmpp) throw new Error(`${this.jid} is connected already`);
    const x = client({
      service: this.service,
      domain: XMPP_DOMAIN,
      resource: 'bench',
      credentials: plainOnLoopback(this.username),
      timeout: TIMEOUT_MS,
    });
    // The bench disconnects and reconnects on purpose only (disconnect(), reconnect()).
    x.reconnect.stop();
    x.on('error', (err: Error) => (this.lastError = err));
    x.on('stanza', (el: Element) => this.onStanza(el));
    this.xmpp = x;
    try {
      await this.within(x.start(), 'login');
    } catch (err) {
      this.drop();
      throw err;
    }
  }

  /**
   * Initial presence; resolves when the server reflects it, from when on messages to the bare JID reach this
   * connection (until then ejabberd sends them to the archive only: a message sent right after a bare
   * `send(presence)` may miss it).
   */
  available(): Promise<void> {
    return this.awaitPresence(this.jid, 'presence', xml('presence'));
  }

  sendMessage(to: string, type: 'chat' | 'groupchat', tag: string, body: string): Promise<void> {
    const sent = this.send(xml('message', { to, type, id: tag }, xml('body', null, body)));
    if (type === 'chat' && this.unconfirmed.push(tag) === 1) queueMicrotask(() => void this.confirm());
    return sent;
  }

  /** Enters a MUC room (nickname = username, no history replayed); resolves on the room's self-presence. */
  join(room: string): Promise<void> {
    const presence = xml(
      'presence',
      { to: `${room}/${this.username}` },
      xml('x', { xmlns: NS_MUC }, xml('history', { maxstanzas: '0' })),
    );
    return this.awaitPresence(room, `joining ${room}`, presence);
  }

  /**
   * Fetches what is in its own archive after the newest message it saw, page by page (RSM), and returns how
   * many of those messages came from someone else: its own sent messages are in its archive too, not missed.
   */
  async syncArchive(): Promise<number> {
    let missed = 0;
    this.archivePage = (result) => {
      const message = result.getChild('forwarded')?.getChild('message');
      if (message && bare(message.attrs.from) !== this.jid) missed++;
      this.noteArchived(result.attrs.id);
    };
    try {
      for (;;) {
        const rsm = [xml('max', null, String(ARCHIVE_PAGE))];
        if (this.lastArchived !== null) rsm.push(xml('after', null, String(this.lastArchived)));
        const query = xml('query', { xmlns: NS_MAM }, xml('set', { xmlns: NS_RSM }, ...rsm));
        const answer = await this.connection().iqCaller.request(xml('iq', { type: 'set' }, query), TIMEOUT_MS);
        const fin = answer.getChild('fin', NS_MAM);
        if (!fin) throw new Error(`${this.jid}: archive query answered without <fin/>`);
        if (fin.attrs.complete === 'true' || !fin.getChild('set', NS_RSM)?.getChild('last')) return missed;
      }
    } finally {
      this.archivePage = null;
    }
  }

  /** Closes the stream cleanly: the server ends the session at once. */
  async close(): Promise<void> {
    const x = this.xmpp;
    if (!x) return;
    try {
      await this.within(x.stop(), 'close');
    } finally {
      this.drop();
    }
  }

  /** Drops the connection without a goodbye (stopping the bench, or a login that failed). */
  drop(): void {
    this.xmpp?.socket?.destroy();
    this.xmpp = null;
  }

  /** Pings the server after this turn's 1:1 messages (written to the socket already) and settles them. */
  private async confirm(): Promise<void> {
    const tags = this.unconfirmed;
    this.unconfirmed = [];
    let how: Settled = 'ping';
    try {
      await this.connection().iqCaller.request(
        xml('iq', { type: 'get', to: XMPP_DOMAIN }, xml('ping', { xmlns: NS_PING })),
        TIMEOUT_MS,
      );
    } catch {
      how = 'failed';
    }
    for (const tag of tags) this.events.settled(tag, how);
  }

  private connection(): Client {
    if (!this.xmpp) throw new Error(`${this.jid} is not connected`);
    return this.xmpp;
  }

  private async send(el: Element): Promise<void> {
    await this.connection().send(el);
  }

  private onStanza(el: Element): void {
    if (el.name === 'message') this.onMessage(el);
    else if (el.name === 'presence') this.onPresence(el);
  }

  private onMessage(el: Element): void {
    const tag = el.attrs.id;
    if (el.attrs.type === 'error') {
      if (tag) this.events.settled(tag, 'failed');
      return;
    }
    const result = el.getChild('result', NS_MAM);
    if (result) {
      this.archivePage?.(result);
      return;
    }
    // Subjects, chat states and the like carry no body.
    if (!tag || !el.getChild('body')) return;
    if (el.attrs.type === 'groupchat') {
      if (el.attrs.from?.endsWith(`/${this.username}`)) {
        this.events.settled(tag, 'echo');
        return;
      }
    } else {
      const sid = el.getChildren('stanza-id', NS_STANZA_ID).find((s) => s.attrs.by === this.jid);
      this.noteArchived(sid?.attrs.id);
    }
    this.events.delivered(this, tag);
  }

  /** Sends `presence` and waits for its reflection from `from` (this account's own, or a room's self-presence). */
  private async awaitPresence(from: string, what: string, presence: Element): Promise<void> {
    const reflected = new Promise<void>((resolve, reject) => this.awaiting.set(from, { resolve, reject }));
    try {
      await this.send(presence);
      await this.within(reflected, what);
    } finally {
      this.awaiting.delete(from);
    }
  }

  private onPresence(el: Element): void {
    const from = bare(el.attrs.from);
    const waiter = this.awaiting.get(from);
    if (!waiter) return;
    if (el.attrs.type === 'error') {
      waiter.reject(new Error(`${this.jid}: presence to ${from} refused: ${el.toString()}`));
      return;
    }
    // A room sends the occupants' presences before the joiner's own, marked with status 110.
    const reflected =
      from === this.jid ||
      el
        .getChild('x', NS_MUC_USER)
        ?.getChildren('status')
        .some((s) => s.attrs.code === '110');
    if (reflected) waiter.resolve();
  }

  private noteArchived(id: string | undefined): void {
    if (!id || !/^\d+$/.test(id)) return;
    const n = BigInt(id);
    if (this.lastArchived === null || n > this.lastArchived) this.lastArchived = n;
  }

  private async within<T>(work: Promise<T>, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const cause = this.lastError ? ` (last error: ${this.lastError.message})` : '';
        reject(new Error(`${this.jid}: ${what} timed out after ${TIMEOUT_MS / 1000} s${cause}`));
      }, TIMEOUT_MS);
    });
    try {
      return await Promise.race([work, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }
}

/**
 * @xmpp/client only uses PLAIN over TLS (it picks another mechanism on a plain connection, and this server
 * offers no other): on loopback without TLS, PLAIN is what we want.
 */
function plainOnLoopback(username: string): Authenticate {
  return async (authenticate, mechanisms) => {
    if (!mechanisms.includes('PLAIN')) throw new Error(`ejabberd offers no SASL PLAIN (only ${mechanisms.join(', ')})`);
    await authenticate({ username, password: PASSWORD }, 'PLAIN');
  };
}

function bare(jid: string | undefined): string {
  return jid?.split('/')[0] ?? '';
}
