import { type DeviceAddress, type Envelope, isCryptoError, parseEnvelope } from '@miyu/crypto';
import type { SystemEvent } from '@miyu/protocol';
import type { ChurnLedger, DecryptOutcome } from './churn-ledger.js';
import type { E2EDevice } from './e2e-device.js';

/** System events after which the web client drops its cached device list of the conversation (chatEngine.ts). */
const DEVICE_LIST_EVENTS: ReadonlySet<SystemEvent['type']> = new Set([
  'members_added',
  'member_removed',
  'member_left',
  'directory_sync',
  'device_added',
  'device_removed',
]);

/**
 * Every envelope any member device synced, by conversation and seq: what a removed device or a removed member
 * would hold had the ciphertext leaked to it (the server no longer serves them).
 */
export class EnvelopeArchive {
  private readonly byConversation = new Map<string, { envelopes: Map<number, Envelope>; seqs: number[] | null }>();

  put(conversationId: string, seq: number, envelope: Envelope): void {
    let entries = this.byConversation.get(conversationId);
    if (!entries) this.byConversation.set(conversationId, (entries = { envelopes: new Map(), seqs: null }));
    if (entries.envelopes.has(seq)) return;
    entries.envelopes.set(seq, envelope);
    entries.seqs = null;
  }

  /** The envelopes after a seq, in seq order. */
  after(conversationId: string, seq: number): Array<{ seq: number; envelope: Envelope }> {
    const entries = this.byConversation.get(conversationId);
    if (!entries) return [];
    entries.seqs ??= [...entries.envelopes.keys()].sort((a, b) => a - b);
    const out: Array<{ seq: number; envelope: Envelope }> = [];
    for (let i = entries.seqs.length - 1; i >= 0 && (entries.seqs[i] as number) > seq; i -= 1) {
      const s = entries.seqs[i] as number;
      out.push({ seq: s, envelope: entries.envelopes.get(s) as Envelope });
    }
    return out.reverse();
  }
}

/**
 * A device of the key churn test, behaving as the web client does: it caches each conversation's device list and
 * drops it on the timeline's membership and device-list events; it keeps a cursor per conversation it has ever
 * been a member of and decrypts (live) every message after it once, whether it still may sync (a member device)
 * or not (a removed device or member, reading the archive).
 */
export class ChurnClient {
  active = true;
  private readonly cursors = new Map<string, number>();
  private readonly deviceLists = new Map<string, DeviceAddress[]>();

  constructor(readonly device: E2EDevice) {}

  get deviceId(): string {
    return this.device.deviceId;
  }

  get userId(): string {
    return this.device.userId;
  }

  /** Conversations this device has ever been a member of. */
  watched(): string[] {
    return [...this.cursors.keys()];
  }

  /**
   * Starts following a conversation: from `fromSeq` (a new device or member starts somewhat before the present,
   * to prove that it cannot read what came before it), or from where it left off when it was a member before.
   */
  watch(conversationId: string, fromSeq: number): void {
    if (!this.cursors.has(conversationId)) this.cursors.set(conversationId, Math.max(0, fromSeq));
    this.deviceLists.delete(conversationId);
  }

  /** The user left or was removed: nothing to send there, and the cached list is stale when it comes back. */
  forgetDevices(conversationId: string): void {
    this.deviceLists.delete(conversationId);
  }

  async send(conversationId: string, text: string): Promise<{ seq: number; rotated: string | null }> {
    let devices = this.deviceLists.get(conversationId);
    if (!devices) {
      devices = await this.device.memberDevices(conversationId);
      this.deviceLists.set(conversationId, devices);
    }
    return this.device.sendText(conversationId, text, devices);
  }

  /** Takes the key shares from the inbox; anything else there is unexpected in this test. */
  async drainInbox(): Promise<void> {
    for (const item of await this.device.drainInbox()) {
      if (item.type !== 'sender-key') throw new Error(`unexpected ${item.type} in the inbox of ${this.deviceId}`);
    }
  }

  /** Syncs a conversation (as a member device) from its cursor: decrypts its messages, reacts to its events. */
  async syncConversation(conversationId: string, archive: EnvelopeArchive, ledger: ChurnLedger): Promise<void> {
    let cursor = this.cursor(conversationId);
    for (const m of await this.device.timelineSince(conversationId, cursor)) {
      cursor = m.seq;
      if (m.system && DEVICE_LIST_EVENTS.has(m.system.type)) this.deviceLists.delete(conversationId);
      if (!m.envelope) continue;
      const envelope = parseEnvelope(m.envelope);
      archive.put(conversationId, m.seq, envelope);
      ledger.recordAttempt(this.deviceId, conversationId, m.seq, await this.decrypt(envelope));
    }
    this.cursors.set(conversationId, cursor);
  }

  /** Tries every archived message after the cursor, as a device that can no longer sync the conversation. */
  async readArchive(conversationId: string, archive: EnvelopeArchive, ledger: ChurnLedger): Promise<void> {
    for (const { seq, envelope } of archive.after(conversationId, this.cursor(conversationId))) {
      ledger.recordAttempt(this.deviceId, conversationId, seq, await this.decrypt(envelope));
      this.cursors.set(conversationId, seq);
    }
  }

  private cursor(conversationId: string): number {
    const cursor = this.cursors.get(conversationId);
    if (cursor === undefined) throw new Error(`${this.deviceId} does not follow ${conversationId}`);
    return cursor;
  }

  private async decrypt(envelope: Envelope): Promise<DecryptOutcome> {
    try {
      const message = await this.device.crypto.decryptMessage(envelope, { mode: 'live' });
      return { ok: true, text: message.content.type === 'text' ? message.content.body : `<${message.content.type}>` };
    } catch (error) {
      if (isCryptoError(error)) return { ok: false, code: error.code };
      throw error;
    }
  }
}
