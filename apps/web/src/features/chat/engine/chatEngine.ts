import {
  type AttachmentRef,
  type DecodedContent,
  type DeviceAddress,
  type Envelope,
  type EscrowExpectation,
  type EscrowStatus,
  envelopeToJson,
  fromBase64Url,
  isCryptoError,
  type Mention,
  type MessageContent,
  type MiyuCrypto,
  parseEnvelope,
  type SafetyNumber,
  type ToDeviceMessage as CryptoToDeviceMessage,
  toBase64Url,
} from '@miyu/crypto';
import {
  MAX_PRESENCE_QUERY,
  MAX_TO_DEVICE_BATCH,
  type Ack,
  type PresenceSnapshot,
  type ReceiptsChangedEvent,
  type ReceiptUpdatedEvent,
  type TypingChangedEvent,
  type ConversationDto,
  type ConversationMemberDto,
  type ConversationRetention,
  type MessageSendAck,
  type SyncChanges,
  type SyncPage,
  type TimelineMessage,
  type ToDeviceMessage,
  type ToDeviceSendAck,
} from '@miyu/protocol';
import type { ApiClient } from '../../../lib/apiClient';
import type { MiyuSocket } from '../../../lib/services';
import { attachmentLimit, checkSize, downloadFile, uploadFile } from './attachments';
import { maintainDeviceKeys } from './keyMaintenance';
import type { ChatApi } from './chatApi';
import type { DeviceStore, MessageProblem, StoredMessage } from './deviceStore';
import { PairingCoordinator, type PairingView } from './pairing';
import { safetyNumberWith, setVerified, type Verification, verificationOf } from './verification';
import { enforce, type Screening, shiftMentions, WordPolicyKeeper } from './wordPolicy';
import { type SearchFilter, type SearchHit, SearchIndex } from './searchIndex';
import { autoRetryDelayMs, isTransientSendError } from './sendRetry';
import {
  EMPTY_RETENTION,
  escrowExpectation,
  escrowKeyOf,
  isEscrowRefusal,
  listedKeys,
  RetentionKeeper,
  type RetentionView,
} from './retention';
import {
  type HistorySetup,
  prepareHistory,
  recoveryKeySaved,
  restoreWithRecoveryKey,
  uploadPendingBackups,
} from './history';

/** How long a socket request may take before it counts as failed (and is retried on reconnect). */
const ACK_TIMEOUT_MS = 15_000;
const PREFS = 'conversationPrefs';
const TYPING_RESEND_MS = 3000;
/** Typing shown without a refresh for longer than this is dropped. */
const TYPING_EXPIRY_MS = 8000;
const PRESENCE_INTERVAL_MS = 30_000;
/** At most one receipt report per conversation per this interval: scrolling through 500 messages sends a handful. */
const RECEIPT_REPORT_INTERVAL_MS = 500;
/** Messages loaded when a conversation is opened on a device that has none of it, and per "load older". */
export const PAGE_SIZE = 50;

export interface PendingMessage {
  clientMsgId: string;
  conversationId: string;
  content: MessageContent;
  /** A file being encrypted and uploaded before its message is sent (fraction done, 0–1). */
  upload: { name: string; size: number; progress: number } | null;
  mentionsAll: boolean;
  createdAt: string;
  state: 'sending' | 'failed';
  error: string | null;
  /** The word-policy version the content was checked under, and the `flag` rules it matched (filed once sent). */
  policyVersion: number;
  flagged: string[];
}

export interface ConversationView extends ConversationDto {
  /** Direct conversations: the other person (their name is the conversation's name). */
  peerUserId: string | null;
  lastMessage: StoredMessage | null;
  unread: number;
  /** The oldest unread message from someone else ("jump to unread"), or null. */
  firstUnreadSeq: number | null;
  /** Kept at the top of the list (this device's choice). */
  pinned: boolean;
  /** No notifications, except when the user is mentioned (this device's choice). */
  muted: boolean;
  /** Latest activity (last message, else creation), ISO time: the list's sort key. */
  activityAt: string;
}

export interface TimelineView {
  items: StoredMessage[];
  pending: PendingMessage[];
  /** Older messages exist on the server that are not loaded yet. */
  hasOlder: boolean;
  loadingOlder: boolean;
}

export interface ChatSnapshot {
  phase: 'starting' | 'ready' | 'failed';
  failure: string | null;
  online: boolean;
  history: HistorySetup;
  /** A device pairing in progress on this device, or null. */
  pairing: PairingView | null;
  deviceId: string | null;
  conversations: ConversationView[];
  timelines: Record<string, TimelineView>;
  /** Who is typing where (others only); ephemeral. */
  typing: Record<string, string[]>;
  /** Users with a connected device, among the people this client asked about (direct-chat peers). */
  presence: Record<string, boolean>;
  /** Compliance retention: the org's notice (legal holds) and the retention of the conversations opened here. */
  retention: RetentionView;
}

export interface ChatEngineOptions {
  api: ChatApi;
  /** The raw API client, for attachment pieces and downloads. */
  http: ApiClient;
  socket: MiyuSocket;
  store: DeviceStore;
  crypto: MiyuCrypto;
  deviceId: string;
  userId: string;
  /** Called once when the engine stops (releases this tab's hold on the device). */
  onStop?: () => void;
}

const EMPTY_TIMELINE: TimelineView = { items: [], pending: [], hasOlder: false, loadingOlder: false };

function problemOf(error: unknown): MessageProblem {
  if (isCryptoError(error, 'UNKNOWN_SESSION') || isCryptoError(error, 'TOO_FAR_AHEAD')) return 'waiting-for-key';
  if (isCryptoError(error, 'MALFORMED') || isCryptoError(error, 'UNSUPPORTED_VERSION')) return 'malformed';
  return 'undecryptable';
}

async function ack<T>(promise: Promise<Ack<T>>): Promise<T> {
  const res = await promise;
  if (!res.ok) throw Object.assign(new Error(res.error.message), { code: res.error.code });
  return res.data;
}

/**
 * The chat client of one device: keeps the conversation list and timelines, decrypts everything with libs/crypto,
 * keeps decrypted history in the DeviceStore, and implements the delivery contract from the client side
 * (ARCHITECTURE §4): a message is "sent" only when acked with its seq; unacked sends are retried with the same
 * clientMsgId after a reconnect; gaps are filled with `sync:since`; the to-device inbox is processed in order and
 * acked only after processing. React reads it through `subscribe`/`snapshot` (useSyncExternalStore).
 */
export class ChatEngine {
  private state: ChatSnapshot;
  private readonly listeners = new Set<() => void>();
  private readonly cursors = new Map<string, number>();
  private readonly readSeqs = new Map<string, number>();
  /** Receipts not yet reported to the server (coalesced: at most one report per conversation per interval). */
  private readonly unreported = { read: new Map<string, number>(), delivered: new Map<string, number>() };
  private receiptReportTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly memberDevices = new Map<string, DeviceAddress[]>();
  private readonly peers = new Map<string, string | null>();
  private prefs: Record<string, { pinned?: boolean; muted?: boolean }> = {};
  private readonly requestedKeys = new Set<string>();
  private index: SearchIndex | null = null;
  private maxAttachmentBytes: number | null = null;
  /** Files of uploads not finished yet, for "send again". */
  private readonly files = new Map<string, File>();
  /** Automatic retries so far of sends that failed for a passing reason (sendRetry.ts), by clientMsgId. */
  private readonly autoRetries = new Map<string, number>();
  private readonly downloads = new Map<string, Promise<Blob>>();
  private readonly typingSent = new Map<string, number>();
  private readonly incoming = new Set<(message: StoredMessage) => void>();
  private readonly receiptListeners = new Set<(conversationId: string) => void>();
  private readonly typingTimers = new Map<string, ReturnType<typeof setTimeout>>();
  private presenceTimer: ReturnType<typeof setInterval> | undefined;
  private readonly pairing: PairingCoordinator;
  private readonly wordPolicy: WordPolicyKeeper;
  private readonly retention: RetentionKeeper;
  private work: Promise<unknown> = Promise.resolve();
  private stopped = false;
  private readonly detach: Array<() => void> = [];

  constructor(private readonly o: ChatEngineOptions) {
    this.wordPolicy = new WordPolicyKeeper(() => o.api.wordPolicy(), o.store);
    this.retention = new RetentionKeeper(
      { notice: () => o.api.complianceNotice(), retention: (id) => o.api.retention(id) },
      (retention) => this.set({ retention }),
    );
    this.pairing = new PairingCoordinator({
      api: o.api,
      crypto: o.crypto,
      self: { userId: o.userId, deviceId: o.deviceId },
      sendToDevices: (messages) => this.sendToDevices(messages),
      onChange: (pairing) => this.set({ pairing }),
      onHistoryKey: async () => {
        this.set({ history: { kind: 'ready' } });
        await this.retryWaiting();
      },
    });
    this.state = {
      phase: 'starting',
      failure: null,
      online: false,
      history: { kind: 'ready' },
      pairing: null,
      deviceId: o.deviceId,
      conversations: [],
      timelines: {},
      typing: {},
      presence: {},
      retention: EMPTY_RETENTION,
    };
  }

  // ----------------------------------------------------------------------------------------- store for React

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  snapshot = (): ChatSnapshot => this.state;

  private set(patch: Partial<ChatSnapshot>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener();
  }

  private setTimeline(conversationId: string, patch: Partial<TimelineView>): void {
    const current = this.state.timelines[conversationId] ?? EMPTY_TIMELINE;
    this.set({ timelines: { ...this.state.timelines, [conversationId]: { ...current, ...patch } } });
  }

  /** Runs socket-driven work one item at a time, so inbox and timeline processing never interleave. */
  private serial<T>(task: () => Promise<T>): Promise<T> {
    const next = this.work.then(task, task);
    this.work = next.catch(() => undefined);
    return next;
  }

  // ------------------------------------------------------------------------------------------------ lifecycle

  async start(): Promise<void> {
    const { socket, store } = this.o;
    try {
      for (const [key, value] of Object.entries((await store.getMeta<Record<string, number>>('cursors')) ?? {}))
        this.cursors.set(key, value);
      for (const [key, value] of Object.entries((await store.getMeta<Record<string, number>>('reads')) ?? {}))
        this.readSeqs.set(key, value);
      this.prefs = (await store.getMeta<ChatEngine['prefs']>(PREFS)) ?? {};
      const history = await prepareHistory(this.o.api, this.o.crypto, store);
      this.set({ history });
      await this.refreshConversations();
    } catch (error) {
      this.set({ phase: 'failed', failure: error instanceof Error ? error.message : String(error) });
      return;
    }
    const on = <E extends Parameters<MiyuSocket['on']>[0]>(event: E, listener: Parameters<MiyuSocket['on']>[1]) => {
      socket.on(event, listener as never);
      this.detach.push(() => socket.off(event, listener as never));
    };
    on('connect', () => {
      this.set({ online: true });
      this.sendReceiptReports();
      void this.serial(() => this.resync());
    });
    on('disconnect', () => this.set({ online: false }));
    on('message:new', ((m: TimelineMessage) => void this.serial(() => this.onTimeline(m))) as never);
    on('todevice:new', (() => void this.serial(() => this.drainInbox())) as never);
    on('typing:changed', ((e: TypingChangedEvent) => this.onTyping(e)) as never);
    on('receipt:updated', ((e: ReceiptUpdatedEvent) => this.onReceipt(e)) as never);
    on('receipts:changed', ((e: ReceiptsChangedEvent) => {
      for (const listener of this.receiptListeners) listener(e.conversationId);
    }) as never);
    on('compliance:changed', (() => this.refreshRetention()) as never);
    on('sync:resume', (() => void this.serial(() => this.resync())) as never);
    this.presenceTimer = setInterval(() => void this.refreshPresence(), PRESENCE_INTERVAL_MS);
    this.detach.push(() => clearInterval(this.presenceTimer));
    this.detach.push(() => clearTimeout(this.receiptReportTimer));
    // The session socket joins this device's room once it says which device it speaks for.
    socket.auth = { deviceId: this.o.deviceId };
    if (socket.connected) socket.disconnect();
    socket.connect();
    this.set({ phase: 'ready' });
  }

  /**
   * Signing out on a shared computer: the device is removed on the server (its keys are never used again) and
   * everything this browser kept — keys and decrypted history — is deleted. Other devices keep the history.
   */
  /**
   * Deletes this device on the server and its data in this browser. The device lock is kept until the data is gone,
   * so no other start (this tab or another) can open the database in between.
   */
  async forgetThisDevice(): Promise<void> {
    const running = !this.stopped;
    this.stop({ keepLock: true });
    try {
      await this.o.http.delete(`/api/devices/${encodeURIComponent(this.o.deviceId)}`);
    } finally {
      try {
        await this.o.store.wipe();
      } finally {
        if (running) this.o.onStop?.();
      }
    }
  }

  /** Stops the client; the device lock is released unless the caller keeps it (and releases it through onStop). */
  stop(options: { keepLock?: boolean } = {}): void {
    if (!this.stopped && !options.keepLock) this.o.onStop?.();
    this.stopped = true;
    for (const timer of this.typingTimers.values()) clearTimeout(timer);
    for (const undo of this.detach.splice(0)) undo();
  }

  // ------------------------------------------------------------------------------------- typing and presence

  /**
   * The user is typing (or stopped) in a conversation. Sent at most every few seconds while typing and once when
   * they stop; the server rate-limits too and never stores it.
   */
  setTyping(conversationId: string, typing: boolean): void {
    const last = this.typingSent.get(conversationId);
    const now = Date.now();
    if (typing && last && now - last < TYPING_RESEND_MS) return;
    if (!typing && !last) return;
    if (typing) this.typingSent.set(conversationId, now);
    else this.typingSent.delete(conversationId);
    if (!this.o.socket.connected) return;
    this.o.socket.emit('typing:update', { conversationId, typing }, () => undefined);
  }

  private onTyping(e: TypingChangedEvent): void {
    const key = `${e.conversationId}/${e.userId}`;
    clearTimeout(this.typingTimers.get(key));
    const current = this.state.typing[e.conversationId] ?? [];
    const next = e.typing ? [...new Set([...current, e.userId])] : current.filter((id) => id !== e.userId);
    this.set({ typing: { ...this.state.typing, [e.conversationId]: next } });
    // A lost "stopped" must not leave someone typing forever.
    if (e.typing)
      this.typingTimers.set(
        key,
        setTimeout(() => this.onTyping({ ...e, typing: false }), TYPING_EXPIRY_MS),
      );
  }

  /** Asks which direct-chat peers are online (on connect and every half minute). */
  private async refreshPresence(): Promise<void> {
    const peers = [...new Set(this.state.conversations.map((c) => c.peerUserId).filter((id): id is string => !!id))];
    if (peers.length === 0 || !this.o.socket.connected) return;
    try {
      const presence: Record<string, boolean> = {};
      for (let i = 0; i < peers.length; i += MAX_PRESENCE_QUERY) {
        const chunk = peers.slice(i, i + MAX_PRESENCE_QUERY);
        const snapshot = await ack<PresenceSnapshot>(
          this.o.socket.timeout(ACK_TIMEOUT_MS).emitWithAck('presence:query', { userIds: chunk }) as Promise<
            Ack<PresenceSnapshot>
          >,
        );
        for (const id of chunk) presence[id] = snapshot.online.includes(id);
      }
      this.set({ presence });
    } catch {
      // Presence is a nicety: try again at the next interval.
    }
  }

  // ------------------------------------------------------------------------------------------- history setup

  async confirmRecoveryKeySaved(): Promise<void> {
    await recoveryKeySaved(this.o.store);
    this.set({ history: { kind: 'ready' } });
    await this.backup();
  }

  /** Restores history with the recovery key; messages waiting for keys are decrypted again. */
  async restoreHistory(words: string): Promise<{ restored: number; failed: number }> {
    const result = await restoreWithRecoveryKey(this.o.api, this.o.crypto, words);
    this.set({ history: { kind: 'ready' } });
    await this.serial(() => this.retryWaiting());
    return result;
  }

  /** New device: ask the user's signed-in devices for the History Key (both screens then show a code). */
  startPairing(): Promise<void> {
    return this.serial(() => this.pairing.start());
  }

  /** Existing device: accept another device's pairing request. */
  acceptPairing(): Promise<void> {
    return this.serial(() => this.pairing.accept());
  }

  /** The six-digit codes match. */
  confirmPairing(): Promise<void> {
    return this.serial(() => this.pairing.confirm());
  }

  /** The codes differ, or the user declines or closes: the pairing ends. */
  cancelPairing(): void {
    this.pairing.cancel();
  }

  skipHistorySetup(): void {
    this.set({ history: { kind: 'ready' } });
  }

  private async backup(): Promise<void> {
    if (this.state.history.kind === 'restore') return;
    try {
      await uploadPendingBackups(this.o.api, this.o.crypto, this.o.deviceId);
    } catch {
      // Offline or refused: the next change tries again.
    }
  }

  // -------------------------------------------------------------------------------------------- conversations

  async refreshConversations(): Promise<void> {
    const list = await this.o.api.conversations();
    const views: ConversationView[] = [];
    for (const c of list) {
      const last = (await this.o.store.messages(c.id, undefined, 1))[0] ?? null;
      views.push(await this.view(c, last));
    }
    this.set({ conversations: sortByActivity(views) });
    if (views.some((v) => v.peerUserId && this.state.presence[v.peerUserId] === undefined)) void this.refreshPresence();
  }

  private async view(c: ConversationDto, last: StoredMessage | null): Promise<ConversationView> {
    // The server's cursor covers reads on the user's other devices; the local one, reads not yet reported.
    const readSeq = Math.max(this.readSeqs.get(c.id) ?? 0, c.readSeq);
    const unreadList = (await this.o.store.messages(c.id, undefined, 200)).filter(
      (m) => m.seq > readSeq && m.senderUserId !== null && m.senderUserId !== this.o.userId && !m.recalledAt,
    );
    const unread = unreadList.length;
    const firstUnreadSeq = unreadList[0]?.seq ?? null;
    let peerUserId = this.peers.get(c.id) ?? null;
    if (c.kind === 'direct' && !this.peers.has(c.id)) {
      peerUserId = (await this.o.api.members(c.id)).find((m) => m.userId !== this.o.userId)?.userId ?? null;
      this.peers.set(c.id, peerUserId);
    }
    const prefs = this.prefs[c.id] ?? {};
    return {
      ...c,
      peerUserId,
      lastMessage: last,
      unread,
      firstUnreadSeq,
      pinned: prefs.pinned ?? false,
      muted: prefs.muted ?? false,
      activityAt: last?.serverTs ?? c.createdAt,
    };
  }

  private async touchConversation(conversationId: string): Promise<void> {
    const current = this.state.conversations.find((c) => c.id === conversationId);
    if (!current) {
      await this.refreshConversations();
      return;
    }
    const last = (await this.o.store.messages(conversationId, undefined, 1))[0] ?? null;
    const updated = await this.view(current, last);
    this.set({
      conversations: sortByActivity(this.state.conversations.map((c) => (c.id === conversationId ? updated : c))),
    });
  }

  async openDirect(userId: string): Promise<ConversationDto> {
    const c = await this.o.api.createConversation({ kind: 'direct', userId });
    await this.refreshConversations();
    return c;
  }

  async createGroup(name: string, memberIds: string[]): Promise<ConversationDto> {
    const c = await this.o.api.createConversation({ kind: 'group', name, memberIds });
    await this.refreshConversations();
    return c;
  }

  /**
   * Shows a conversation. The first time on this device it fetches the latest page from the server and starts
   * following the conversation live from there (older pages load on scroll); afterwards it reads the store.
   */
  async openConversation(conversationId: string): Promise<void> {
    void this.retention.of(conversationId).catch(() => undefined); // the banner
    if (!this.cursors.has(conversationId)) {
      await this.serial(async () => {
        if (this.cursors.has(conversationId)) return;
        const latest = await this.o.api.history(conversationId, undefined, PAGE_SIZE);
        await this.persist(await this.decryptAll(latest, 'history'));
        await this.setCursor(conversationId, latest[latest.length - 1]?.seq ?? 0);
      });
    }
    const items = await this.o.store.messages(conversationId, undefined, PAGE_SIZE);
    this.setTimeline(conversationId, {
      items: mergeItems(items, this.state.timelines[conversationId]?.items ?? []),
      hasOlder: (items[0]?.seq ?? 1) > 1,
    });
  }

  /** The page before the oldest loaded message: from this device's store, else from the server (roaming). */
  async loadOlder(conversationId: string): Promise<void> {
    const timeline = this.state.timelines[conversationId] ?? EMPTY_TIMELINE;
    if (timeline.loadingOlder) return;
    const before = timeline.items[0]?.seq;
    this.setTimeline(conversationId, { loadingOlder: true });
    try {
      let older = await this.o.store.messages(conversationId, before, PAGE_SIZE);
      const reachesStart = (older[0]?.seq ?? Number.MAX_SAFE_INTEGER) <= 1;
      if (older.length < PAGE_SIZE && !reachesStart) {
        // This device does not hold that far back (it joined later): fetch and decrypt from the backups' keys.
        const fetched = await this.o.api.history(conversationId, older[0]?.seq ?? before, PAGE_SIZE);
        const decrypted = await this.serial(() => this.decryptAll(fetched, 'history'));
        await this.persist(decrypted);
        older = await this.o.store.messages(conversationId, before, PAGE_SIZE);
      }
      const items = mergeItems(older, this.state.timelines[conversationId]?.items ?? []);
      this.setTimeline(conversationId, { items, hasOlder: (items[0]?.seq ?? 1) > 1, loadingOlder: false });
    } catch (error) {
      this.setTimeline(conversationId, { loadingOlder: false });
      throw error;
    }
  }

  /** Loads older pages until `seq` is in the timeline (a search result or the first unread message). */
  async reveal(conversationId: string, seq: number): Promise<void> {
    for (let i = 0; i < 40; i += 1) {
      const timeline = this.state.timelines[conversationId];
      if (!timeline || (timeline.items[0]?.seq ?? 0) <= seq || !timeline.hasOlder) return;
      await this.loadOlder(conversationId);
    }
  }

  /** Pins or mutes a conversation on this device. */
  async setConversationPrefs(conversationId: string, change: { pinned?: boolean; muted?: boolean }): Promise<void> {
    this.prefs = { ...this.prefs, [conversationId]: { ...this.prefs[conversationId], ...change } };
    await this.o.store.setMeta(PREFS, this.prefs);
    this.set({
      conversations: sortByActivity(
        this.state.conversations.map((c) => (c.id === conversationId ? { ...c, ...change } : c)),
      ),
    });
  }

  /** Everything up to `seq` of this conversation has been seen here. */
  async markRead(conversationId: string, seq: number): Promise<void> {
    if ((this.readSeqs.get(conversationId) ?? 0) >= seq) return;
    this.readSeqs.set(conversationId, seq);
    await this.o.store.setMeta('reads', Object.fromEntries(this.readSeqs));
    await this.touchConversation(conversationId);
    // The read receipt: the server keeps the highest, tells the user's other devices and the senders.
    this.reportReceipt('read', conversationId, seq);
  }

  private reportReceipt(kind: 'read' | 'delivered', conversationId: string, seq: number): void {
    const pending = this.unreported[kind];
    if ((pending.get(conversationId) ?? 0) < seq) pending.set(conversationId, seq);
    if (this.receiptReportTimer === undefined) this.sendReceiptReports();
  }

  /** Sends the pending receipts now, then holds further ones for an interval (a read also counts as delivered). */
  private sendReceiptReports(): void {
    const { read, delivered } = this.unreported;
    if (!this.o.socket.connected || read.size + delivered.size === 0) return; // on reconnect, then
    for (const [conversationId, seq] of read)
      this.o.socket.emit('receipt:read', { conversationId, seq }, () => undefined);
    for (const [conversationId, seq] of delivered)
      if ((read.get(conversationId) ?? 0) < seq)
        this.o.socket.emit('receipt:delivered', { conversationId, seq }, () => undefined);
    read.clear();
    delivered.clear();
    this.receiptReportTimer = setTimeout(() => {
      this.receiptReportTimer = undefined;
      this.sendReceiptReports();
    }, RECEIPT_REPORT_INTERVAL_MS);
  }

  /** Another device of the user read further: the badges here follow. */
  private onReceipt(e: ReceiptUpdatedEvent): void {
    if (e.userId !== this.o.userId) return;
    if ((this.readSeqs.get(e.conversationId) ?? 0) >= e.readSeq) return;
    this.readSeqs.set(e.conversationId, e.readSeq);
    void this.o.store.setMeta('reads', Object.fromEntries(this.readSeqs));
    void this.touchConversation(e.conversationId);
  }

  // ------------------------------------------------------------------------------------------------- sending

  /** What the organisation's sensitive-word policy says about a text (checked before anything is encrypted). */
  screen(text: string): Promise<Screening> {
    return this.wordPolicy.screen(text);
  }

  /**
   * Checks the text against the word policy, then encrypts and sends it; the message shows as "sending" until the
   * server acks it with its seq. Refused with ContentRefusedError (nothing sent; a `block` is filed, content-free)
   * when a rule blocks it, or warns and the writer has not `confirmed`. `mask` rules are applied to what is sent.
   */
  async sendText(
    conversationId: string,
    body: string,
    options: { mentions?: Mention[]; mentionsAll?: boolean; replyTo?: StoredMessage | null; confirmed?: boolean } = {},
  ): Promise<void> {
    const screening = await this.screenOrRefuse(conversationId, body, options.confirmed ?? false);
    const replyTo =
      options.replyTo?.clientMsgId && options.replyTo.senderUserId
        ? { clientMsgId: options.replyTo.clientMsgId, senderUserId: options.replyTo.senderUserId }
        : null;
    const mentions = shiftMentions(options.mentions ?? [], screening.hits, body);
    const content: MessageContent = { type: 'text', body: screening.text, mentions, replyTo };
    await this.send(conversationId, content, options.mentionsAll ?? false, screening);
  }

  /** Replaces the text of one of the user's messages: an E2E edit event pointing at it ("edited" everywhere). */
  async edit(message: StoredMessage, body: string, mentions: Mention[] = [], confirmed = false): Promise<void> {
    if (!message.clientMsgId || message.senderUserId !== this.o.userId) return;
    const screening = await this.screenOrRefuse(message.conversationId, body, confirmed);
    await this.send(
      message.conversationId,
      {
        type: 'edit',
        target: { clientMsgId: message.clientMsgId, senderUserId: message.senderUserId },
        body: screening.text,
        mentions: shiftMentions(mentions, screening.hits, body),
      },
      false,
      screening,
    );
  }

  async send(
    conversationId: string,
    content: MessageContent,
    mentionsAll = false,
    screening: Screening | null = null,
  ): Promise<void> {
    const pending: PendingMessage = {
      clientMsgId: crypto.randomUUID(),
      conversationId,
      content,
      upload: null,
      mentionsAll,
      createdAt: new Date().toISOString(),
      state: 'sending',
      error: null,
      policyVersion: screening?.version ?? (await this.wordPolicy.current()).version,
      flagged: flaggedRules(screening),
    };
    this.updatePending(conversationId, (list) => [...list, pending]);
    await this.deliver(pending);
  }

  private async screenOrRefuse(conversationId: string, text: string, confirmed: boolean): Promise<Screening> {
    const screening = await this.wordPolicy.screen(text);
    try {
      enforce(screening, confirmed);
    } catch (refused) {
      if (screening.action === 'block') void this.fileHits(conversationId, crypto.randomUUID(), screening, 'block');
      throw refused;
    }
    return screening;
  }

  /** Files content-free hit records: which rules matched where, never the text. Best effort. */
  private async fileHits(
    conversationId: string,
    clientMsgId: string,
    screening: Pick<Screening, 'version' | 'hits'>,
    action: 'flag' | 'block',
  ): Promise<void> {
    const ruleIds = [...new Set(screening.hits.filter((h) => h.action === action).map((h) => h.ruleId))];
    if (ruleIds.length === 0 || screening.version === 0) return;
    await this.o.api
      .reportHits({
        policyVersion: screening.version,
        hits: ruleIds.slice(0, 20).map((ruleId) => ({ ruleId, action, conversationId, clientMsgId })),
      })
      .catch(() => undefined);
  }

  /**
   * Sends files, one message each: every file is checked against the server's limit first (an oversized one is
   * refused with AttachmentTooLargeError before anything is uploaded), then encrypted, uploaded (resuming after
   * interruptions) and announced in an E2E message carrying its key.
   */
  async sendFiles(conversationId: string, files: readonly File[]): Promise<void> {
    this.maxAttachmentBytes ??= await attachmentLimit(this.o.http);
    for (const file of files) checkSize(file, this.maxAttachmentBytes);
    // File names travel inside the E2E message: the word policy applies to them here (a `warn` is not asked about).
    const screened: Array<{ file: File; screening: Screening }> = [];
    for (const file of files) {
      const screening = await this.screenOrRefuse(conversationId, file.name, true);
      const named =
        screening.text === file.name
          ? file
          : new File([file], screening.text, { type: file.type, lastModified: file.lastModified });
      screened.push({ file: named, screening });
    }
    await Promise.all(screened.map(({ file, screening }) => this.sendFile(conversationId, file, screening)));
  }

  private async sendFile(conversationId: string, file: File, screening: Screening): Promise<void> {
    const clientMsgId = crypto.randomUUID();
    const pending: PendingMessage = {
      clientMsgId,
      conversationId,
      content: { type: 'attachment', attachments: [], caption: null, replyTo: null },
      upload: { name: file.name, size: file.size, progress: 0 },
      mentionsAll: false,
      createdAt: new Date().toISOString(),
      state: 'sending',
      error: null,
      policyVersion: screening.version,
      flagged: flaggedRules(screening),
    };
    this.files.set(clientMsgId, file);
    this.updatePending(conversationId, (list) => [...list, pending]);
    await this.uploadAndDeliver(pending, file);
  }

  private async uploadAndDeliver(pending: PendingMessage, file: File): Promise<void> {
    const patch = (change: Partial<PendingMessage>) =>
      this.updatePending(pending.conversationId, (list) =>
        list.map((p) => (p.clientMsgId === pending.clientMsgId ? { ...p, ...change } : p)),
      );
    let ref;
    try {
      ref = await uploadFile(this.o.http, pending.conversationId, file, (progress) =>
        patch({ upload: { name: file.name, size: file.size, progress } }),
      );
    } catch (error) {
      patch({ state: 'failed', error: (error as { code?: string }).code ?? 'NETWORK' });
      return;
    }
    const content: MessageContent = { type: 'attachment', attachments: [ref], caption: null, replyTo: null };
    patch({ content, upload: null });
    this.files.delete(pending.clientMsgId);
    await this.deliver({ ...pending, content, upload: null });
  }

  /** Downloads and decrypts an attachment (kept for the session, so a preview and a save download once). */
  openAttachment(ref: AttachmentRef): Promise<Blob> {
    let blob = this.downloads.get(ref.blobId);
    if (!blob) {
      blob = downloadFile(this.o.http, ref);
      blob.catch(() => this.downloads.delete(ref.blobId));
      this.downloads.set(ref.blobId, blob);
    }
    return blob;
  }

  /** Adds (or takes back) an emoji reaction to a message: an E2E event that points at it. */
  async react(message: StoredMessage, emoji: string, remove = false): Promise<void> {
    if (!message.clientMsgId || !message.senderUserId) return;
    await this.send(message.conversationId, {
      type: 'reaction',
      target: { clientMsgId: message.clientMsgId, senderUserId: message.senderUserId },
      emoji,
      remove,
    });
  }

  /**
   * Recalls a message: the server records the marker (sender within the admin-set window, admins always) and
   * every member's client hides the message when the `message_recalled` entry arrives.
   */
  async recall(message: StoredMessage): Promise<void> {
    await ack(
      this.o.socket
        .timeout(ACK_TIMEOUT_MS)
        .emitWithAck('message:recall', { conversationId: message.conversationId, seq: message.seq }) as Promise<
        Ack<{ seq: number }>
      >,
    );
  }

  /** Calls `listener` with the conversation whenever someone's receipts for the user's messages there move. */
  onReceiptsChanged(listener: (conversationId: string) => void): () => void {
    this.receiptListeners.add(listener);
    return () => this.receiptListeners.delete(listener);
  }

  /** Read and delivered counts for some of the user's own messages (the server answers only for those). */
  receiptSummary(conversationId: string, seqs: number[]) {
    return this.o.api.receiptSummary(conversationId, seqs);
  }

  /** Who has (or has not) read one of the user's messages, a page at a time. */
  receiptList(conversationId: string, seq: number, state: 'read' | 'unread', limit: number, offset: number) {
    return this.o.api.receiptList(conversationId, seq, state, limit, offset);
  }

  /** Calls `listener` for each new message from someone else as it arrives live (for notifications). */
  onIncoming(listener: (message: StoredMessage) => void): () => void {
    this.incoming.add(listener);
    return () => this.incoming.delete(listener);
  }

  private announceIncoming(messages: readonly StoredMessage[]): void {
    for (const m of messages) {
      if (!m.senderUserId || m.senderUserId === this.o.userId || m.recalledAt || m.system) continue;
      if (m.content && m.content.type !== 'text' && m.content.type !== 'attachment') continue;
      const mentioned =
        m.mentionsAll || (m.content?.type === 'text' && m.content.mentions.some((x) => x.userId === this.o.userId));
      if (this.prefs[m.conversationId]?.muted && !mentioned) continue;
      for (const listener of this.incoming) listener(m);
    }
  }

  /** Tries a failed send again (same clientMsgId: the server stores it at most once). */
  async retry(conversationId: string, clientMsgId: string): Promise<void> {
    const pending = this.state.timelines[conversationId]?.pending.find((p) => p.clientMsgId === clientMsgId);
    if (!pending) return;
    this.updatePending(conversationId, (list) =>
      list.map((p) => (p.clientMsgId === clientMsgId ? { ...p, state: 'sending', error: null } : p)),
    );
    const file = this.files.get(clientMsgId);
    if (file) await this.uploadAndDeliver({ ...pending, state: 'sending' }, file);
    else await this.deliver({ ...pending, state: 'sending' });
  }

  private updatePending(conversationId: string, change: (list: PendingMessage[]) => PendingMessage[]): void {
    const current = this.state.timelines[conversationId] ?? EMPTY_TIMELINE;
    this.setTimeline(conversationId, { pending: change(current.pending) });
  }

  /**
   * Encrypts and sends a pending message. A retained conversation's sessions are wrapped to the org's compliance key
   * (refused with ESCROW_REQUIRED when no key can be applied); when the server disagrees about the retention
   * (ESCROW_REQUIRED / ESCROW_NOT_EXPECTED) or the word policy (WORD_POLICY_STALE), this device looks again and
   * sends once more.
   */
  private async deliver(pending: PendingMessage, retried: { policy?: boolean; escrow?: boolean } = {}): Promise<void> {
    const { socket, crypto: c } = this.o;
    try {
      const ackData = await this.serial(async () => {
        const compliancePublicKey = escrowKeyOf(await this.retention.of(pending.conversationId));
        await c.setConversationDevices(pending.conversationId, await this.devicesOf(pending.conversationId), {
          compliancePublicKey,
        });
        const result = await c.encryptMessage({
          conversationId: pending.conversationId,
          clientMsgId: pending.clientMsgId,
          policyVersion: pending.policyVersion,
          content: pending.content,
        });
        await this.sendToDevices(result.keyShares);
        return ack<MessageSendAck>(
          socket.timeout(ACK_TIMEOUT_MS).emitWithAck('message:send', {
            clientMsgId: pending.clientMsgId,
            conversationId: pending.conversationId,
            envelope: envelopeToJson(result.envelope) as unknown as Record<string, string | number>,
            ...(pending.mentionsAll ? { mentionsAll: true } : {}),
          }) as Promise<Ack<MessageSendAck>>,
        );
      });
      // Stored under its seq: the same entry the fan-out (or a later sync) brings is then a duplicate. The
      // pending copy goes in the same state change, so the message is never shown twice.
      const sent: StoredMessage = {
        conversationId: pending.conversationId,
        seq: ackData.seq,
        serverTs: ackData.serverTs,
        clientMsgId: pending.clientMsgId,
        senderUserId: this.o.userId,
        senderDeviceId: this.o.deviceId,
        system: null,
        recalledAt: null,
        mentionsAll: pending.mentionsAll,
        content: pending.content,
        problem: null,
      };
      await this.persist([sent]);
      // The server does not push a message back to the socket that sent it: when it is the next seq, the ack
      // moves the cursor (otherwise a later push finds the gap and syncs it, as for any gap).
      if (this.cursors.get(pending.conversationId) === ackData.seq - 1)
        await this.setCursor(pending.conversationId, ackData.seq);
      const timeline = this.state.timelines[pending.conversationId] ?? EMPTY_TIMELINE;
      this.setTimeline(pending.conversationId, {
        items: mergeItems(timeline.items, [sent]),
        pending: timeline.pending.filter((p) => p.clientMsgId !== pending.clientMsgId),
      });
      this.autoRetries.delete(pending.clientMsgId);
      await this.touchConversation(pending.conversationId);
      if (pending.flagged.length > 0)
        void this.fileHits(
          pending.conversationId,
          pending.clientMsgId,
          {
            version: pending.policyVersion,
            hits: pending.flagged.map((ruleId) => ({ ruleId, action: 'flag' }) as Screening['hits'][number]),
          },
          'flag',
        );
      await this.backup();
    } catch (error) {
      let code = (error as { code?: string }).code ?? (isCryptoError(error) ? error.code : 'NETWORK');
      if (code === 'WORD_POLICY_STALE' && !retried.policy) {
        const rechecked = await this.recheck(pending).catch((e: unknown) => (e as { code?: string }).code ?? code);
        if (typeof rechecked !== 'string') return this.deliver(rechecked, { ...retried, policy: true });
        code = rechecked;
      }
      if (isEscrowRefusal(code) && !retried.escrow) {
        this.reloadRetention(pending.conversationId);
        return this.deliver(pending, { ...retried, escrow: true });
      }
      this.updatePending(pending.conversationId, (list) =>
        list.map((p) => (p.clientMsgId === pending.clientMsgId ? { ...p, state: 'failed', error: code } : p)),
      );
      this.scheduleAutoRetry(pending, code);
    }
  }

  /** A send refused for a passing reason (the database restarting, a rate limit) is tried again after a pause. */
  private scheduleAutoRetry(pending: PendingMessage, code: string): void {
    const attempt = (this.autoRetries.get(pending.clientMsgId) ?? 0) + 1;
    const delay = autoRetryDelayMs(code, attempt);
    if (delay === null) return;
    this.autoRetries.set(pending.clientMsgId, attempt);
    setTimeout(() => {
      if (!this.stopped) void this.retry(pending.conversationId, pending.clientMsgId);
    }, delay);
  }

  /**
   * The server has a newer word policy than the one a message was checked under: fetch it and check the message
   * again. Refused with ContentRefusedError (the send fails) when it now blocks or warns — the writer decides again.
   */
  private async recheck(pending: PendingMessage): Promise<PendingMessage> {
    await this.wordPolicy.refresh();
    const c = pending.content;
    const texts =
      c.type === 'text' || c.type === 'edit'
        ? [c.body]
        : c.type === 'attachment'
          ? c.attachments.map((a) => a.name)
          : [];
    const screenings = await Promise.all(texts.map((text) => this.wordPolicy.screen(text)));
    for (const s of screenings) enforce(s, false);
    const version = screenings[0]?.version ?? (await this.wordPolicy.current()).version;
    let content = c;
    if (c.type === 'text' || c.type === 'edit')
      content = { ...c, body: screenings[0]!.text, mentions: shiftMentions(c.mentions, screenings[0]!.hits, c.body) };
    else if (c.type === 'attachment')
      content = { ...c, attachments: c.attachments.map((a, i) => ({ ...a, name: screenings[i]!.text })) };
    const flagged = [...new Set(screenings.flatMap((s) => flaggedRules(s)))];
    return { ...pending, content, policyVersion: version, flagged };
  }

  /** The safety number with a contact and whether this device has verified it (and still matches). */
  async safetyNumber(peerUserId: string): Promise<{ number: SafetyNumber; verification: Verification }> {
    const number = await safetyNumberWith(this.o.api, this.o.userId, peerUserId);
    return { number, verification: await verificationOf(this.o.store, peerUserId, number) };
  }

  /** The user compared the number with the contact (in person, or by scanning their QR code). */
  async markVerified(peerUserId: string, verified: boolean): Promise<void> {
    const { number } = await this.safetyNumber(peerUserId);
    await setVerified(this.o.store, peerUserId, verified ? number.digits : null);
  }

  /** The conversation's current members (user ids). */
  async memberIds(conversationId: string): Promise<string[]> {
    return (await this.members(conversationId)).map((m) => m.userId);
  }

  members(conversationId: string): Promise<ConversationMemberDto[]> {
    return this.o.api.members(conversationId);
  }

  /** Group management (owner and admins; the server enforces who may do what). */
  async addMembers(conversationId: string, userIds: string[]): Promise<void> {
    await this.o.api.addMembers(conversationId, userIds);
    this.memberDevices.delete(conversationId);
    this.reloadRetention(conversationId);
    await this.refreshConversations();
  }

  /** Removes someone, or leaves when `userId` is the user (the conversation then leaves the list). */
  async removeMember(conversationId: string, userId: string): Promise<void> {
    await this.o.api.removeMember(conversationId, userId);
    this.memberDevices.delete(conversationId);
    if (userId === this.o.userId) this.retention.forget(conversationId);
    else this.reloadRetention(conversationId);
    await this.refreshConversations();
  }

  async renameGroup(conversationId: string, name: string): Promise<void> {
    await this.o.api.updateConversation(conversationId, { name });
    await this.refreshConversations();
  }

  async setMemberRole(conversationId: string, userId: string, role: 'owner' | 'admin' | 'member'): Promise<void> {
    await this.o.api.setRole(conversationId, userId, role);
    await this.refreshConversations();
  }

  /** Queues pairwise messages in the recipients' inboxes (before the message that needs them). */
  private async sendToDevices(messages: readonly CryptoToDeviceMessage[]): Promise<void> {
    for (let i = 0; i < messages.length; i += MAX_TO_DEVICE_BATCH) {
      await ack<ToDeviceSendAck>(
        this.o.socket.timeout(ACK_TIMEOUT_MS).emitWithAck('todevice:send', {
          messages: messages.slice(i, i + MAX_TO_DEVICE_BATCH).map((k) => ({
            deviceId: k.recipient.deviceId,
            payload: toBase64Url(k.ciphertext),
          })),
        }) as Promise<Ack<ToDeviceSendAck>>,
      );
    }
  }

  /** Every device of every member except this one (the user's other devices included), cached per conversation. */
  private async devicesOf(conversationId: string): Promise<DeviceAddress[]> {
    const cached = this.memberDevices.get(conversationId);
    if (cached) return cached;
    const members = await this.o.api.members(conversationId);
    const devices: DeviceAddress[] = [];
    for (const m of members) {
      for (const d of await this.o.api.devicesOf(m.userId)) {
        if (d.id !== this.o.deviceId) devices.push({ userId: d.userId, deviceId: d.id });
      }
    }
    this.memberDevices.set(conversationId, devices);
    return devices;
  }

  // ----------------------------------------------------------------------------------------------- receiving

  /** After (re)connecting: the inbox first (keys), then every conversation that moved past this device's cursor. */
  private async resync(): Promise<void> {
    if (this.stopped) return;
    // A `compliance:changed` may have been missed while disconnected.
    this.refreshRetention();
    try {
      await this.drainInboxNow();
      const changes = await ack<SyncChanges>(
        this.o.socket.timeout(ACK_TIMEOUT_MS).emitWithAck('sync:changes', {}) as Promise<Ack<SyncChanges>>,
      );
      for (const c of changes.conversations) {
        const cursor = this.cursors.get(c.id);
        // A conversation this device has never opened is loaded when it is opened (latest page first).
        if (cursor !== undefined && c.lastSeq > cursor) await this.catchUp(c.id);
      }
      await this.refreshConversations();
      await this.retryWaiting();
      await this.resendFailed();
      await this.refreshPresence();
      await this.maintainKeys();
    } catch {
      // The next reconnect tries again.
    }
  }

  /** Prekey refill and signed-prekey rotation, after each (re)connect. */
  private async maintainKeys(): Promise<void> {
    try {
      await maintainDeviceKeys({
        api: this.o.api,
        http: this.o.http,
        crypto: this.o.crypto,
        userId: this.o.userId,
        deviceId: this.o.deviceId,
      });
    } catch {
      // Not urgent: others can still reach this device through its signed prekey; the next reconnect retries.
    }
  }

  private async resendFailed(): Promise<void> {
    for (const [conversationId, timeline] of Object.entries(this.state.timelines)) {
      for (const p of timeline.pending)
        if (p.state === 'failed' && isTransientSendError(p.error)) void this.retry(conversationId, p.clientMsgId);
    }
  }

  private async catchUp(conversationId: string): Promise<void> {
    for (;;) {
      const after = this.cursors.get(conversationId) ?? 0;
      const page = await ack<SyncPage>(
        this.o.socket.timeout(ACK_TIMEOUT_MS).emitWithAck('sync:since', { conversationId, afterSeq: after }) as Promise<
          Ack<SyncPage>
        >,
      );
      if (page.messages.length === 0) return;
      await this.accept(page.messages);
      if (page.messages[page.messages.length - 1]!.seq >= page.lastSeq) return;
    }
  }

  private async onTimeline(m: TimelineMessage): Promise<void> {
    const cursor = this.cursors.get(m.conversationId);
    if (cursor === undefined) {
      // Not opened on this device yet: the list shows it; the timeline loads on open. A push already stored (the
      // server pushes a resent message again after a failover) is dropped.
      const [latest] = await this.o.store.messages(m.conversationId, m.seq + 1, 1);
      if (latest?.seq === m.seq) return;
      const decrypted = await this.decryptAll([m], 'history');
      await this.persist(decrypted);
      await this.touchConversation(m.conversationId);
      this.announceIncoming(decrypted);
      return;
    }
    if (m.seq <= cursor) return; // a duplicate (our own ack, or a resync raced the push)
    if (m.seq > cursor + 1) {
      await this.catchUp(m.conversationId);
      return;
    }
    await this.accept([m]);
  }

  /** Decrypts, stores and shows consecutive entries, then advances the cursor. */
  private async accept(messages: TimelineMessage[]): Promise<void> {
    const conversationId = messages[0]!.conversationId;
    for (const m of messages) if (m.system) this.onSystemEvent(m);
    const decrypted = await this.decryptAll(messages, 'live');
    await this.store([...decrypted, ...(await this.recalledBy(messages))]);
    if (messages.length === 1) this.announceIncoming(decrypted); // live pushes, not catch-up pages
    await this.setCursor(conversationId, messages[messages.length - 1]!.seq);
    this.reportReceipt('delivered', conversationId, messages[messages.length - 1]!.seq);
    if (messages.some((m) => m.system?.type === 'conversation_updated')) await this.refreshConversations();
  }

  /** The stored messages that `message_recalled` entries among `messages` hide, marked as recalled. */
  private async recalledBy(messages: TimelineMessage[]): Promise<StoredMessage[]> {
    const out: StoredMessage[] = [];
    for (const m of messages) {
      if (m.system?.type !== 'message_recalled') continue;
      const target = (await this.o.store.messages(m.conversationId, m.system.seq + 1, 1)).find(
        (x) => x.seq === (m.system as { seq: number }).seq,
      );
      if (target && !target.recalledAt) out.push({ ...target, recalledAt: m.serverTs, content: null });
    }
    return out;
  }

  private onSystemEvent(m: TimelineMessage): void {
    const type = m.system?.type;
    if (
      type === 'members_added' ||
      type === 'member_removed' ||
      type === 'member_left' ||
      type === 'directory_sync' ||
      type === 'device_added' ||
      type === 'device_removed'
    ) {
      this.memberDevices.delete(m.conversationId);
      this.reloadRetention(m.conversationId);
    }
  }

  // ---------------------------------------------------------------------------------------- compliance retention

  /** Keys, scopes or the organisation's name changed (or may have): the notice and every shown retention again. */
  private refreshRetention(): void {
    this.retention.invalidateAll();
    void this.retention.notice().catch(() => undefined);
    for (const conversationId of this.retention.known()) void this.retention.of(conversationId).catch(() => undefined);
  }

  /** A conversation's members or devices changed: whether it is retained may have too. */
  private reloadRetention(conversationId: string): void {
    this.retention.invalidate(conversationId);
    if (this.retention.known().includes(conversationId)) void this.retention.of(conversationId).catch(() => undefined);
  }

  /**
   * What the escrow wraps of a conversation's messages are checked against (every key the org lists; a wrap is
   * required from the retention's start on). Null when the server could not say: the wraps are then not judged.
   */
  private async escrowContext(
    conversationId: string,
  ): Promise<{ keys: Uint8Array[]; retention: ConversationRetention } | null> {
    try {
      const [notice, retention] = await Promise.all([this.retention.notice(), this.retention.of(conversationId)]);
      return { keys: listedKeys(notice), retention };
    } catch {
      return null;
    }
  }

  private async store(messages: StoredMessage[]): Promise<void> {
    if (messages.length === 0) return;
    await this.persist(messages);
    const conversationId = messages[0]!.conversationId;
    const timeline = this.state.timelines[conversationId];
    if (timeline) this.setTimeline(conversationId, { items: mergeItems(timeline.items, messages) });
    await this.touchConversation(conversationId);
  }

  /** Stores decrypted entries on the device and keeps the local search index in step. */
  private async persist(messages: StoredMessage[]): Promise<void> {
    await this.o.store.putMessages(messages);
    this.index?.add(messages);
  }

  /**
   * Full-text search over what this device has decrypted (the index is built on first use from the device's
   * store, then kept current). Nothing is sent to the server.
   */
  async search(query: string, filter: SearchFilter = {}, limit = 50): Promise<SearchHit[]> {
    if (!this.index) {
      const index = new SearchIndex();
      const all = (await this.o.store.allMessages()).sort((a, b) => a.serverTs.localeCompare(b.serverTs));
      index.add(all);
      this.index ??= index;
    }
    return this.index.search(query, filter, limit);
  }

  private async setCursor(conversationId: string, seq: number): Promise<void> {
    this.cursors.set(conversationId, seq);
    await this.o.store.setMeta('cursors', Object.fromEntries(this.cursors));
  }

  private async decryptAll(messages: TimelineMessage[], mode: 'live' | 'history'): Promise<StoredMessage[]> {
    const out: StoredMessage[] = [];
    const contexts = new Map<string, ReturnType<ChatEngine['escrowContext']>>();
    for (const m of messages) {
      let content: DecodedContent | null = null;
      let problem: MessageProblem | null = null;
      let problemCode: string | null = null;
      let escrow: EscrowStatus | null = null;
      if (m.envelope) {
        let envelope: Envelope | null = null;
        if (!contexts.has(m.conversationId)) contexts.set(m.conversationId, this.escrowContext(m.conversationId));
        const context = await contexts.get(m.conversationId)!;
        // Without the server's answer nothing is judged (no keys, no wrap expected): never a false warning.
        const compliance: EscrowExpectation = context
          ? escrowExpectation(context.keys, context.retention, m.serverTs)
          : { keys: [], expected: false };
        try {
          envelope = parseEnvelope(m.envelope);
          const received = await this.o.crypto.decryptMessage(envelope, { mode, compliance });
          content = received.content;
          escrow = received.escrow;
        } catch (error) {
          // Anything not readable becomes a visible placeholder; a missing key is asked for from the sender.
          problem = problemOf(error);
          problemCode = isCryptoError(error) ? error.code : 'UNKNOWN';
          if (problem === 'waiting-for-key' && envelope) await this.requestKey(envelope);
        }
      }
      const { envelope: _envelope, ...meta } = m;
      out.push({ ...meta, content, problem, problemCode, ...(escrow && escrow !== 'none' ? { escrow } : {}) });
    }
    return out;
  }

  /**
   * Asks the sender's devices for a session this device lacks (a lost key share, or a device that was offline
   * and unreachable when the session was shared). Once per session per run; the answer arrives in the inbox.
   */
  private async requestKey(envelope: Envelope): Promise<void> {
    const key = toBase64Url(envelope.sessionId);
    if (this.requestedKeys.has(key)) return;
    this.requestedKeys.add(key);
    try {
      const targets = (await this.o.api.devicesOf(envelope.senderUserId)).map((d) => ({
        userId: d.userId,
        deviceId: d.id,
      }));
      const request = await this.o.crypto.requestSenderKey(envelope, targets);
      await this.sendToDevices(request.messages);
    } catch {
      // Offline or refused: the next reconnect's retry asks again.
      this.requestedKeys.delete(key);
    }
  }

  /** Messages stored as "waiting for key" are tried again (after keys arrived or history was restored). */
  private async retryWaiting(): Promise<void> {
    const waiting = (await this.o.store.allMessages()).filter((m) => m.problem === 'waiting-for-key');
    if (waiting.length === 0) return;
    const byConversation = new Map<string, StoredMessage[]>();
    for (const m of waiting) byConversation.set(m.conversationId, [...(byConversation.get(m.conversationId) ?? []), m]);
    for (const [conversationId, list] of byConversation) {
      const fetched: TimelineMessage[] = [];
      for (const m of list.sort((a, b) => a.seq - b.seq)) {
        const page = await this.o.api.history(conversationId, m.seq + 1, 1);
        const entry = page.find((x) => x.seq === m.seq);
        if (entry) fetched.push(entry);
      }
      const again = (await this.decryptAll(fetched, 'history')).filter((m) => m.problem === null);
      if (again.length > 0) await this.store(again);
    }
  }

  // ------------------------------------------------------------------------------------------ to-device inbox

  private drainInbox(): Promise<void> {
    return this.drainInboxNow().then(() => this.retryWaiting());
  }

  /** Processes the inbox in order; acks only what was processed (a failed message is skipped, not lost silently). */
  private async drainInboxNow(): Promise<void> {
    for (;;) {
      const batch = await ack<ToDeviceMessage[]>(
        this.o.socket.timeout(ACK_TIMEOUT_MS).emitWithAck('todevice:fetch', {}) as Promise<Ack<ToDeviceMessage[]>>,
      );
      if (batch.length === 0) return;
      for (const m of batch) {
        try {
          const event = await this.o.crypto.decryptFromDevice(
            { userId: m.senderUserId, deviceId: m.senderDeviceId },
            fromBase64Url(m.payload),
          );
          if (event.type === 'pairing') await this.pairing.receive(event.from, event.message);
          else if (event.type === 'key-request') {
            // Answered only as the key-request policy allows (docs/protocol.md §8.2); refusals need no reply.
            const answer = await this.o.crypto.answerKeyRequest(event);
            if ('message' in answer) await this.sendToDevices([answer.message]);
          }
        } catch {
          // Undecryptable to-device messages cannot become readable later: drop them (acked below).
        }
      }
      await ack(
        this.o.socket
          .timeout(ACK_TIMEOUT_MS)
          .emitWithAck('todevice:ack', { upToId: batch[batch.length - 1]!.id }) as Promise<Ack<{ deleted: number }>>,
      );
      await this.backup();
    }
  }
}

/** Pinned first, then by latest activity. */
function flaggedRules(screening: Screening | null): string[] {
  return [...new Set((screening?.hits ?? []).filter((h) => h.action === 'flag').map((h) => h.ruleId))];
}

function sortByActivity(list: ConversationView[]): ConversationView[] {
  return [...list].sort((a, b) =>
    a.pinned !== b.pinned
      ? a.pinned
        ? -1
        : 1
      : a.activityAt < b.activityAt
        ? 1
        : a.activityAt > b.activityAt
          ? -1
          : 0,
  );
}

/** Union of two seq-sorted lists, newer copies winning. */
export function mergeItems(a: readonly StoredMessage[], b: readonly StoredMessage[]): StoredMessage[] {
  const bySeq = new Map<number, StoredMessage>();
  for (const m of a) bySeq.set(m.seq, m);
  for (const m of b) bySeq.set(m.seq, m);
  return [...bySeq.values()].sort((x, y) => x.seq - y.seq);
}
