import {
  type DeviceAddress,
  envelopeToJson,
  fromBase64Url,
  MiyuCrypto,
  parseEnvelope,
  toBase64Url,
  type ToDeviceMessage as CryptoToDeviceMessage,
} from '@miyu/crypto';
import type {
  Ack,
  ClientToServerEvents,
  ConversationDto,
  DeviceDto,
  MessageSendAck,
  ReceiptCursors,
  ServerToClientEvents,
  SyncChanges,
  SyncPage,
  TimelineMessage,
  ToDeviceMessage,
  ToDeviceSendAck,
} from '@miyu/protocol';
import { io, type Socket } from 'socket.io-client';
import { uuidv7 } from '../../../src/common/security/uuid.js';
import { TestClient } from '../http-client.js';
import { registerDevice } from '../device-registration.js';

const ACK_TIMEOUT_MS = 5_000;
const RETRY_PAUSE_MS = 250;
/** A single message that cannot be delivered for this long fails the run (the longest outage is the 30 s cut). */
const GIVE_UP_MS = 120_000;

/** One timeline entry as a device keeps it: by seq, at most once. */
export interface StoredEntry {
  seq: number;
  clientMsgId: string | null;
  senderUserId: string | null;
  envelope: Record<string, unknown> | null;
  recalledAt: string | null;
}

export interface AckedSend {
  conversationId: string;
  clientMsgId: string;
  seq: number;
  text: string;
}

/** What went wrong on the way, by kind: transient failures are expected under chaos, and retried. */
export interface DeviceStats {
  pushes: number;
  duplicatePushes: number;
  gapSyncs: number;
  resumeSyncs: number;
  syncedEntries: number;
  /** The same seq arrived with a different message: the server broke seq order (must stay 0). */
  conflicts: number;
  reconnects: number;
  /** `sync:resume` hints: the server's link to the other processes came back. */
  resumeHints: number;
  /** Why the socket went down, by socket.io's reason. */
  disconnects: Map<string, number>;
  retries: number;
  /** Error codes of refused calls (transient ones are expected during outages). */
  errors: Map<string, number>;
  /** To-device messages that did not open (a resent share arriving twice fails the second time). */
  inboxFailures: number;
  keyShares: number;
  rotations: number;
}

type ChaosSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

class CallFailed extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * A client device built to survive chaos the way the web client does: libs/crypto for E2E, a socket that
 * reconnects, an outbox that resends the same envelope under the same clientMsgId until the server acks it, a
 * per-conversation cursor advanced by pushes, gaps filled with `sync:since`, and a resync on every (re)connect.
 * Every call it makes goes through `baseUrl`: a proxy the test can cut.
 */
export class ChaosDevice {
  readonly timelines = new Map<string, Map<number, StoredEntry>>();
  readonly cursors = new Map<string, number>();
  readonly acked: AckedSend[] = [];
  /** Read positions reported per conversation: the highest acked and the highest attempted. */
  readonly reads = new Map<string, { acked: number; attempted: number }>();
  readonly stats: DeviceStats = {
    pushes: 0,
    duplicatePushes: 0,
    gapSyncs: 0,
    resumeSyncs: 0,
    syncedEntries: 0,
    conflicts: 0,
    reconnects: 0,
    resumeHints: 0,
    disconnects: new Map(),
    retries: 0,
    errors: new Map(),
    inboxFailures: 0,
    keyShares: 0,
    rotations: 0,
  };
  sent = 0;
  private socket!: ChaosSocket;
  private queue: Promise<void> = Promise.resolve();
  private readonly devicesOf = new Map<string, DeviceAddress[]>();
  private sending = false;
  private sender: Promise<void> | null = null;
  private fatal: Error | null = null;
  private connects = 0;
  private lastConnectError: string | null = null;

  private constructor(
    readonly name: string,
    readonly http: TestClient,
    readonly userId: string,
    readonly deviceId: string,
    readonly crypto: MiyuCrypto,
  ) {}

  /** Signs in through `baseUrl`, registers a new device with its key bundle, and connects its socket. */
  static async create(
    name: string,
    baseUrl: string,
    login: string,
    password: string,
    conversations: readonly string[],
  ): Promise<ChaosDevice> {
    const http = new TestClient(baseUrl);
    const res = await http.login(login, password);
    if (res.status !== 200) throw new Error(`${name}: sign-in failed ${res.status}`);
    const userId = res.body.user!.id;
    const { deviceId, crypto } = await registerDevice(http, userId, { name, oneTimePrekeys: 50 });
    const device = new ChaosDevice(name, http, userId, deviceId, crypto);
    for (const id of conversations) {
      device.timelines.set(id, new Map());
      device.cursors.set(id, 0);
    }
    await device.connect(baseUrl);
    return device;
  }

  /** Member devices of each conversation (the membership does not change during a chaos run). */
  async learnMembers(conversationId: string): Promise<void> {
    const members = await this.http.request<Array<{ userId: string }>>(
      'GET',
      `/api/conversations/${conversationId}/members`,
    );
    const devices: DeviceAddress[] = [];
    for (const m of members.body) {
      const list = await this.http.request<DeviceDto[]>('GET', `/api/users/${m.userId}/devices`);
      for (const d of list.body) if (d.id !== this.deviceId) devices.push({ userId: d.userId, deviceId: d.id });
    }
    this.devicesOf.set(conversationId, devices);
  }

  // ------------------------------------------------------------------------------------------------ connection

  private connect(baseUrl: string): Promise<void> {
    const socket: ChaosSocket = io(baseUrl, {
      path: '/socket.io',
      transports: ['websocket'],
      extraHeaders: { origin: baseUrl, cookie: this.http.cookie! },
      auth: { deviceId: this.deviceId },
      forceNew: true,
      reconnection: true,
      reconnectionDelay: 200,
      reconnectionDelayMax: 1_000,
      timeout: 5_000,
    });
    this.socket = socket;
    socket.on('connect', () => {
      this.connects += 1;
      if (this.connects > 1) this.stats.reconnects += 1;
      void this.serial(() => this.resync());
    });
    // A refusal by the handshake middleware (say, the database is down) is not retried by socket.io itself.
    socket.on('connect_error', (err) => {
      this.lastConnectError = err.message;
      if (!socket.active) setTimeout(() => socket.connect(), 500);
    });
    socket.on('disconnect', (reason) => {
      this.stats.disconnects.set(reason, (this.stats.disconnects.get(reason) ?? 0) + 1);
      // The server ended this socket itself (socket.io does not reconnect then): counted, and reconnected.
      if (reason === 'io server disconnect') setTimeout(() => socket.connect(), 500);
    });
    socket.on('message:new', (m) => this.onPush(m));
    socket.on('todevice:new', () => void this.serial(() => this.drainInbox()));
    socket.on('sync:resume', () => {
      this.stats.resumeHints += 1;
      void this.serial(() => this.resync());
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name}: socket did not connect`)), 10_000);
      socket.once('connect', () => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  get connected(): boolean {
    return this.socket.connected;
  }

  close(): void {
    this.sending = false;
    this.socket.disconnect();
  }

  /** Runs catch-up work one piece at a time (like the web client's serial queue); failures wait for the next try. */
  private serial(task: () => Promise<void>): Promise<void> {
    const next = this.queue.then(task).catch(() => undefined);
    this.queue = next;
    return next;
  }

  private async call<T>(event: keyof ClientToServerEvents, payload: unknown): Promise<T> {
    if (!this.socket.connected) throw new CallFailed('DISCONNECTED');
    let ack: Ack<T>;
    try {
      ack = (await (
        this.socket.timeout(ACK_TIMEOUT_MS) as unknown as {
          emitWithAck(e: string, p: unknown): Promise<Ack<T>>;
        }
      ).emitWithAck(event, payload)) as Ack<T>;
    } catch {
      throw new CallFailed('ACK_TIMEOUT');
    }
    if (!ack.ok) throw new CallFailed(ack.error.code);
    return ack.data;
  }

  private noteError(err: unknown): void {
    const code = err instanceof CallFailed ? err.code : err instanceof Error ? err.message.slice(0, 60) : 'UNKNOWN';
    this.stats.errors.set(code, (this.stats.errors.get(code) ?? 0) + 1);
  }

  /** Retries a step until it succeeds; under chaos every failure is presumed transient, and counted. */
  private async untilDone<T>(what: string, step: () => Promise<T>): Promise<T> {
    const deadline = Date.now() + GIVE_UP_MS;
    for (;;) {
      try {
        return await step();
      } catch (err) {
        this.noteError(err);
        if (Date.now() > deadline)
          throw new Error(
            `${this.name}: ${what} kept failing: ${String(err)} (connected: ${this.socket.connected}, ` +
              `active: ${this.socket.active}, last connect error: ${this.lastConnectError})`,
            { cause: err },
          );
        this.stats.retries += 1;
        await sleep(RETRY_PAUSE_MS);
      }
    }
  }

  // ------------------------------------------------------------------------------------------------- receiving

  private store(m: TimelineMessage): boolean {
    const timeline = this.timelines.get(m.conversationId);
    if (!timeline) return false;
    const existing = timeline.get(m.seq);
    if (existing) {
      if (existing.clientMsgId !== m.clientMsgId) this.stats.conflicts += 1;
      return false;
    }
    timeline.set(m.seq, {
      seq: m.seq,
      clientMsgId: m.clientMsgId,
      senderUserId: m.senderUserId,
      envelope: m.envelope,
      recalledAt: m.recalledAt,
    });
    let cursor = this.cursors.get(m.conversationId) ?? 0;
    while (timeline.has(cursor + 1)) cursor += 1;
    this.cursors.set(m.conversationId, cursor);
    return true;
  }

  private onPush(m: TimelineMessage): void {
    this.stats.pushes += 1;
    if (!this.store(m)) {
      this.stats.duplicatePushes += 1;
      return;
    }
    const cursor = this.cursors.get(m.conversationId) ?? 0;
    if (m.seq > cursor) {
      this.stats.gapSyncs += 1;
      void this.serial(() => this.catchUp(m.conversationId));
    }
    if (m.seq % 25 === 0) void this.reportRead(m.conversationId, cursor);
  }

  /** Everything after the cursor, page by page, until the server's latest seq. */
  async catchUp(conversationId: string): Promise<void> {
    for (;;) {
      const after = this.cursors.get(conversationId) ?? 0;
      const page = await this.call<SyncPage>('sync:since', { conversationId, afterSeq: after, limit: 200 });
      for (const m of page.messages) if (this.store(m)) this.stats.syncedEntries += 1;
      const cursor = this.cursors.get(conversationId) ?? 0;
      if (page.messages.length === 0 || cursor >= page.lastSeq) return;
    }
  }

  /** On (re)connect: the inbox first (keys), then every conversation that moved past this device's cursor. */
  private async resync(): Promise<void> {
    await this.drainInbox();
    const changes = await this.call<SyncChanges>('sync:changes', {});
    for (const c of changes.conversations) {
      if (!this.timelines.has(c.id)) continue;
      if (c.lastSeq > (this.cursors.get(c.id) ?? 0)) {
        this.stats.resumeSyncs += 1;
        await this.catchUp(c.id);
      }
    }
  }

  /** The whole inbox, in order: stores sender-key shares, then acks what it processed. */
  async drainInbox(): Promise<void> {
    const messages = await this.call<ToDeviceMessage[]>('todevice:fetch', {});
    for (const m of messages) {
      const from = { userId: m.senderUserId, deviceId: m.senderDeviceId };
      try {
        await this.crypto.decryptFromDevice(from, fromBase64Url(m.payload));
      } catch {
        this.stats.inboxFailures += 1;
      }
    }
    const last = messages.at(-1);
    if (last) await this.call('todevice:ack', { upToId: last.id });
  }

  private async reportRead(conversationId: string, seq: number): Promise<void> {
    if (seq < 1) return;
    const read = this.reads.get(conversationId) ?? { acked: 0, attempted: 0 };
    read.attempted = Math.max(read.attempted, seq);
    this.reads.set(conversationId, read);
    try {
      await this.call<ReceiptCursors>('receipt:read', { conversationId, seq });
      read.acked = Math.max(read.acked, seq);
    } catch (err) {
      this.noteError(err); // a lost report is fine: the next one carries a higher seq
    }
  }

  /** Like a client coming back to the app: the inbox, then every conversation to the server's latest seq. */
  async settle(): Promise<void> {
    await this.untilDone('settling', () => this.serial(() => this.resync()).then(() => this.resync()));
  }

  // --------------------------------------------------------------------------------------------------- sending

  /** Sends to `pick()`'s conversation every `pauseMs` until `stop()`; each message until it is acked. */
  start(pick: () => string, pauseMs: number): void {
    this.sending = true;
    this.sender = (async () => {
      while (this.sending) {
        try {
          await this.sendOne(pick());
        } catch (err) {
          this.fatal = err as Error;
          return;
        }
        await sleep(pauseMs);
      }
    })();
  }

  /** Stops after the message in flight is acked; rejects if a message could not be delivered at all. */
  async stop(): Promise<void> {
    this.sending = false;
    await this.sender;
    if (this.fatal) throw this.fatal;
  }

  private async sendOne(conversationId: string): Promise<void> {
    const devices = this.devicesOf.get(conversationId);
    if (!devices) throw new Error(`${this.name}: members of ${conversationId} not learned`);
    const clientMsgId = uuidv7();
    const text = `${this.name} #${this.sent + 1} ${clientMsgId}`;
    this.sent += 1;
    // Encrypted once; key shares and the envelope are then resent as they are until the server has them.
    const result = await this.untilDone('encrypting', () =>
      // MiyuCrypto runs its operations one at a time itself.
      this.crypto.setConversationDevices(conversationId, devices).then(() =>
        this.crypto.encryptMessage({
          conversationId,
          clientMsgId,
          policyVersion: 0,
          content: { type: 'text', body: text, mentions: [], replyTo: null },
        }),
      ),
    );
    if (result.rotated) this.stats.rotations += 1;
    if (result.unreachable.length > 0)
      throw new Error(`${this.name}: unreachable devices ${JSON.stringify(result.unreachable)}`);
    if (result.keyShares.length > 0) {
      this.stats.keyShares += result.keyShares.length;
      await this.untilDone('sharing keys', () => this.sendToDevices(result.keyShares));
    }
    const payload = {
      clientMsgId,
      conversationId,
      envelope: envelopeToJson(result.envelope) as unknown as Record<string, string | number>,
    };
    const ack = await this.untilDone('sending', () => this.call<MessageSendAck>('message:send', payload));
    this.acked.push({ conversationId, clientMsgId, seq: ack.seq, text });
    // Our own message is not pushed back to this socket: the ack's seq places it, as in the web client.
    this.store({
      conversationId,
      seq: ack.seq,
      serverTs: ack.serverTs,
      clientMsgId,
      senderUserId: this.userId,
      senderDeviceId: this.deviceId,
      envelope: payload.envelope,
      system: null,
      recalledAt: null,
      mentionsAll: false,
    });
  }

  private async sendToDevices(messages: readonly CryptoToDeviceMessage[]): Promise<void> {
    const res = await this.call<ToDeviceSendAck>('todevice:send', {
      messages: messages.map((m) => ({ deviceId: m.recipient.deviceId, payload: toBase64Url(m.ciphertext) })),
    });
    if (res.refused.length > 0) throw new Error(`${this.name}: to-device refused for ${res.refused.join(', ')}`);
  }

  // ---------------------------------------------------------------------------------------------- verification

  /** Decrypts every message this device holds, in seq order: the texts by clientMsgId, and the seqs that failed. */
  async decryptAll(): Promise<{ texts: Map<string, string>; failed: Array<{ conversationId: string; seq: number }> }> {
    const texts = new Map<string, string>();
    const failed: Array<{ conversationId: string; seq: number }> = [];
    for (const [conversationId, timeline] of this.timelines) {
      const seqs = [...timeline.keys()].sort((a, b) => a - b);
      for (const seq of seqs) {
        const entry = timeline.get(seq)!;
        if (!entry.envelope || !entry.clientMsgId) continue;
        try {
          const envelope = parseEnvelope(entry.envelope);
          const d = await this.crypto.decryptMessage(envelope, { mode: 'history' });
          texts.set(entry.clientMsgId, d.content.type === 'text' ? d.content.body : `<${d.content.type}>`);
        } catch {
          failed.push({ conversationId, seq });
        }
      }
    }
    return { texts, failed };
  }

  /** The user's conversations as the server lists them (read cursor and unread count each). */
  async conversations(): Promise<ConversationDto[]> {
    return this.untilDone('listing conversations', async () => {
      const res = await this.http.request<ConversationDto[]>('GET', '/api/conversations');
      if (res.status !== 200) throw new CallFailed(`HTTP_${res.status}`);
      return res.body;
    });
  }
}
