import {
  type BackupItem,
  type DeviceAddress,
  type Envelope,
  envelopeToJson,
  fromBase64Url,
  isCryptoError,
  type KeyRequestEvent,
  type KeyRequestRefusal,
  MiyuCrypto,
  parseEnvelope,
  type SenderKeyEvent,
  toBase64Url,
  type ToDeviceMessage as CryptoToDeviceMessage,
  type UnreachableDevice,
} from '@miyu/crypto';
import type {
  Ack,
  BackupPage,
  DeviceDto,
  MessageSendAck,
  SyncPage,
  TimelineMessage,
  ToDeviceMessage,
  ToDeviceSendAck,
} from '@miyu/protocol';
import { uuidv7 } from '../../src/common/security/uuid.js';
import { TestClient } from './http-client.js';
import { registerDevice } from './device-registration.js';
import { createUser, passwordOf } from './people.js';
import { type ClientSocket, connected, connectSocket } from './socket-client.js';

export interface Decrypted {
  seq: number;
  sender: DeviceAddress;
  text: string;
}

/** What `drainInbox` did with one to-device message. */
export type InboxItem =
  | { type: 'sender-key'; from: DeviceAddress; event: SenderKeyEvent }
  | { type: 'key-request'; from: DeviceAddress; event: KeyRequestEvent; answer: 'sent' | KeyRequestRefusal };

/**
 * A client device as the browser will be: libs/crypto (MiyuCrypto) for keys and E2E, the real REST API and socket
 * events for everything else. Used by tests to prove end-to-end properties against the real server.
 */
export class E2EDevice {
  private constructor(
    readonly http: TestClient,
    readonly userId: string,
    readonly deviceId: string,
    readonly crypto: MiyuCrypto,
    readonly socket: ClientSocket,
  ) {}

  static async create(baseUrl: string, http: TestClient, userId: string): Promise<E2EDevice> {
    const { deviceId, crypto } = await registerDevice(http, userId);
    const socket = connectSocket(baseUrl, http.cookie!, baseUrl, deviceId);
    await connected(socket);
    return new E2EDevice(http, userId, deviceId, crypto, socket);
  }

  get address(): DeviceAddress {
    return { userId: this.userId, deviceId: this.deviceId };
  }

  /** Every active device of every member (this user's other devices included), from the key directory. */
  async memberDevices(conversationId: string): Promise<DeviceAddress[]> {
    const members = await this.http.request<Array<{ userId: string }>>(
      'GET',
      `/api/conversations/${conversationId}/members`,
    );
    const devices: DeviceAddress[] = [];
    for (const m of members.body) {
      for (const d of await this.userDevices(m.userId)) if (d.deviceId !== this.deviceId) devices.push(d);
    }
    return devices;
  }

  /**
   * Encrypts and sends a text; key shares go to the inbox before the message. Returns the seq. `devices` is the
   * conversation's device list when the caller keeps one (as the web client caches it); else it is fetched.
   */
  async sendText(
    conversationId: string,
    text: string,
    devices?: readonly DeviceAddress[],
  ): Promise<{ seq: number; rotated: string | null }> {
    await this.crypto.setConversationDevices(conversationId, devices ?? (await this.memberDevices(conversationId)));
    const clientMsgId = uuidv7();
    const result = await this.crypto.encryptMessage({
      conversationId,
      clientMsgId,
      policyVersion: 0,
      content: { type: 'text', body: text, mentions: [], replyTo: null },
    });
    await this.sendToDevices(result.keyShares);
    const ack = (await this.socket.timeout(10_000).emitWithAck('message:send', {
      clientMsgId,
      conversationId,
      envelope: envelopeToJson(result.envelope) as unknown as Record<string, string | number>,
    })) as Ack<MessageSendAck>;
    if (!ack.ok) throw new Error(`send refused: ${JSON.stringify(ack)}`);
    return { seq: ack.data.seq, rotated: result.rotated };
  }

  /** Puts pairwise messages from libs/crypto into the recipients' inboxes; throws if the server refuses any. */
  async sendToDevices(messages: readonly CryptoToDeviceMessage[]): Promise<void> {
    if (messages.length === 0) return;
    const res = (await this.socket.timeout(10_000).emitWithAck('todevice:send', {
      messages: messages.map((m) => ({ deviceId: m.recipient.deviceId, payload: toBase64Url(m.ciphertext) })),
    })) as Ack<ToDeviceSendAck>;
    if (!res.ok || res.data.refused.length > 0) throw new Error(`to-device messages refused: ${JSON.stringify(res)}`);
  }

  private async fetchInbox(): Promise<ToDeviceMessage[]> {
    const res = (await this.socket.timeout(10_000).emitWithAck('todevice:fetch', {})) as Ack<ToDeviceMessage[]>;
    if (!res.ok) throw new Error(JSON.stringify(res));
    return res.data;
  }

  private async ackInbox(messages: readonly ToDeviceMessage[]): Promise<void> {
    const last = messages[messages.length - 1];
    if (last) await this.socket.timeout(10_000).emitWithAck('todevice:ack', { upToId: last.id });
  }

  /**
   * Processes and acks the whole inbox, in order: stores sender-key shares, and answers key requests (sending the
   * answer to the requester's inbox) or records why it refused them.
   */
  async drainInbox(): Promise<InboxItem[]> {
    const messages = await this.fetchInbox();
    const items: InboxItem[] = [];
    for (const m of messages) {
      const from = { userId: m.senderUserId, deviceId: m.senderDeviceId };
      const event = await this.crypto.decryptFromDevice(from, fromBase64Url(m.payload));
      if (event.type === 'sender-key') {
        items.push({ type: 'sender-key', from, event });
        continue;
      }
      if (event.type === 'pairing') continue; // these test devices never pair
      const answer = await this.crypto.answerKeyRequest(event);
      if ('message' in answer) await this.sendToDevices([answer.message]);
      items.push({ type: 'key-request', from, event, answer: 'message' in answer ? 'sent' : answer.refused });
    }
    await this.ackInbox(messages);
    return items;
  }

  /** Acks the whole inbox without processing it: the to-device messages in it are lost. Returns how many. */
  async dropInbox(): Promise<number> {
    const messages = await this.fetchInbox();
    await this.ackInbox(messages);
    return messages.length;
  }

  /** Every envelope of a conversation, from the start, in order. */
  async syncAll(conversationId: string): Promise<Array<{ seq: number; envelope: Envelope }>> {
    const out: Array<{ seq: number; envelope: Envelope }> = [];
    for (const m of await this.timelineSince(conversationId, 0)) {
      if (m.envelope) out.push({ seq: m.seq, envelope: parseEnvelope(m.envelope) });
    }
    return out;
  }

  /** The conversation's timeline after a seq (messages and system events), every page, in order. */
  async timelineSince(conversationId: string, afterSeq: number): Promise<TimelineMessage[]> {
    const out: TimelineMessage[] = [];
    let after = afterSeq;
    for (;;) {
      const page = (await this.socket
        .timeout(10_000)
        .emitWithAck('sync:since', { conversationId, afterSeq: after })) as Ack<SyncPage>;
      if (!page.ok) throw new Error(JSON.stringify(page));
      for (const m of page.data.messages) {
        after = m.seq;
        out.push(m);
      }
      if (page.data.messages.length === 0 || after >= page.data.lastSeq) break;
    }
    return out;
  }

  /** Syncs a conversation from the start and decrypts every message it can; failures are returned, not thrown. */
  async readAll(
    conversationId: string,
    mode: 'live' | 'history' = 'live',
  ): Promise<{ ok: Decrypted[]; failed: number[] }> {
    const ok: Decrypted[] = [];
    const failed: number[] = [];
    for (const { seq, envelope } of await this.syncAll(conversationId)) {
      try {
        const d = await this.crypto.decryptMessage(envelope, { mode });
        ok.push({ seq, sender: d.sender, text: d.content.type === 'text' ? d.content.body : `<${d.content.type}>` });
      } catch {
        failed.push(seq);
      }
    }
    return { ok, failed };
  }

  /**
   * For each session of the conversation this device holds no key for (the first envelope that fails with
   * UNKNOWN_SESSION), asks every device of the sender's user for it through the inbox. Returns the requests sent.
   */
  async requestMissingKeys(
    conversationId: string,
  ): Promise<{ sessions: number; sent: CryptoToDeviceMessage[]; unreachable: UnreachableDevice[] }> {
    const missing = new Map<string, Envelope>();
    for (const { envelope } of await this.syncAll(conversationId)) {
      const key = toBase64Url(envelope.sessionId);
      if (missing.has(key)) continue;
      try {
        await this.crypto.decryptMessage(envelope, { mode: 'history' });
      } catch (error) {
        if (isCryptoError(error, 'UNKNOWN_SESSION')) missing.set(key, envelope);
      }
    }
    const sent: CryptoToDeviceMessage[] = [];
    const unreachable: UnreachableDevice[] = [];
    for (const envelope of missing.values()) {
      const targets = await this.userDevices(envelope.senderUserId);
      const result = await this.crypto.requestSenderKey(envelope, targets);
      await this.sendToDevices(result.messages);
      sent.push(...result.messages);
      unreachable.push(...result.unreachable);
    }
    return { sessions: missing.size, sent, unreachable };
  }

  /** A user's active devices, from the key directory. */
  private async userDevices(userId: string): Promise<DeviceAddress[]> {
    const list = await this.http.request<DeviceDto[]>('GET', `/api/users/${userId}/devices`);
    if (list.status !== 200) throw new Error(`listing devices: ${list.status} ${JSON.stringify(list.body)}`);
    return list.body.map((d) => ({ userId: d.userId, deviceId: d.id }));
  }

  async uploadBackups(): Promise<number> {
    const items: BackupItem[] = await this.crypto.takePendingBackups();
    if (items.length === 0) return 0;
    const res = await this.http.request('PUT', '/api/history/backups', {
      deviceId: this.deviceId,
      items: items.map((i) => ({
        keyId: toBase64Url(i.keyId),
        sessionId: toBase64Url(i.sessionId),
        blob: toBase64Url(i.blob),
      })),
    });
    if (res.status !== 200) throw new Error(`backup upload failed: ${JSON.stringify(res.body)}`);
    return items.length;
  }

  async restoreBackups(keyId: string): Promise<{ restored: number; failed: number }> {
    const blobs: Uint8Array[] = [];
    let after: string | null = null;
    do {
      const q: string = `/api/history/backups?keyId=${keyId}${after ? `&after=${encodeURIComponent(after)}` : ''}`;
      const page = await this.http.request<BackupPage>('GET', q);
      blobs.push(...page.body.items.map((i) => fromBase64Url(i.blob)));
      after = page.body.next;
    } while (after);
    return this.crypto.restoreBackup(blobs);
  }

  close(): void {
    this.socket.disconnect();
  }
}

/** An account (created through the admin API), signed in, with one E2E device: what compliance tests work with. */
export async function createE2EPerson(
  baseUrl: string,
  admin: TestClient,
  login: string,
  displayName = login,
): Promise<{ id: string; http: TestClient; device: E2EDevice }> {
  const user = await createUser(admin, login, displayName);
  const http = new TestClient(baseUrl);
  await http.login(login, passwordOf(login));
  return { id: user.id, http, device: await E2EDevice.create(baseUrl, http, user.id) };
}
