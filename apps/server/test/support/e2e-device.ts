import {
  type BackupItem,
  bundleFromJson,
  bundleToJson,
  type DeviceAddress,
  envelopeToJson,
  fromBase64Url,
  MemoryCryptoStore,
  MiyuCrypto,
  parseEnvelope,
  toBase64Url,
} from '@miyu/crypto';
import type {
  Ack,
  BackupPage,
  ClaimKeysResponse,
  DeviceDto,
  MessageSendAck,
  SyncPage,
  ToDeviceMessage,
  ToDeviceSendAck,
} from '@miyu/protocol';
import { uuidv7 } from '../../src/common/security/uuid.js';
import type { TestClient } from './http-client.js';
import { type ClientSocket, connected, connectSocket } from './socket-client.js';

export interface Decrypted {
  seq: number;
  sender: DeviceAddress;
  text: string;
}

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
    const deviceId = uuidv7();
    const crypto = await MiyuCrypto.create({
      store: new MemoryCryptoStore(),
      userId,
      deviceId,
      directory: {
        claimBundles: async (devices) => {
          const res = await http.request<ClaimKeysResponse>('POST', '/api/keys/claim', {
            deviceIds: devices.map((d) => d.deviceId),
          });
          return res.body.bundles.map((b) => bundleFromJson(b.bundle));
        },
      },
    });
    const bundle = await crypto.createPrekeyBundle(20);
    const reg = await http.request<DeviceDto>('POST', '/api/devices', {
      name: 'test device',
      bundle: bundleToJson(bundle),
    });
    if (reg.status !== 201) throw new Error(`device registration failed: ${JSON.stringify(reg.body)}`);
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
      const list = await this.http.request<DeviceDto[]>('GET', `/api/users/${m.userId}/devices`);
      for (const d of list.body) if (d.id !== this.deviceId) devices.push({ userId: d.userId, deviceId: d.id });
    }
    return devices;
  }

  /** Encrypts and sends a text; key shares go to the inbox before the message. Returns the seq. */
  async sendText(conversationId: string, text: string): Promise<{ seq: number; rotated: string | null }> {
    await this.crypto.setConversationDevices(conversationId, await this.memberDevices(conversationId));
    const clientMsgId = uuidv7();
    const result = await this.crypto.encryptMessage({
      conversationId,
      clientMsgId,
      policyVersion: 0,
      content: { type: 'text', body: text, mentions: [], replyTo: null },
    });
    if (result.keyShares.length > 0) {
      const shares = (await this.socket.timeout(10_000).emitWithAck('todevice:send', {
        messages: result.keyShares.map((k) => ({ deviceId: k.recipient.deviceId, payload: toBase64Url(k.ciphertext) })),
      })) as Ack<ToDeviceSendAck>;
      if (!shares.ok) throw new Error(`key shares refused: ${JSON.stringify(shares)}`);
    }
    const ack = (await this.socket.timeout(10_000).emitWithAck('message:send', {
      clientMsgId,
      conversationId,
      envelope: envelopeToJson(result.envelope) as unknown as Record<string, string | number>,
    })) as Ack<MessageSendAck>;
    if (!ack.ok) throw new Error(`send refused: ${JSON.stringify(ack)}`);
    return { seq: ack.data.seq, rotated: result.rotated };
  }

  /** Processes and acks the whole inbox (sender-key shares), in order. */
  async drainInbox(): Promise<number> {
    const res = (await this.socket.timeout(10_000).emitWithAck('todevice:fetch', {})) as Ack<ToDeviceMessage[]>;
    if (!res.ok) throw new Error(JSON.stringify(res));
    for (const m of res.data) {
      await this.crypto.decryptFromDevice(
        { userId: m.senderUserId, deviceId: m.senderDeviceId },
        fromBase64Url(m.payload),
      );
    }
    const last = res.data[res.data.length - 1];
    if (last) await this.socket.timeout(10_000).emitWithAck('todevice:ack', { upToId: last.id });
    return res.data.length;
  }

  /** Syncs a conversation from the start and decrypts every message it can; failures are returned, not thrown. */
  async readAll(
    conversationId: string,
    mode: 'live' | 'history' = 'live',
  ): Promise<{ ok: Decrypted[]; failed: number[] }> {
    const ok: Decrypted[] = [];
    const failed: number[] = [];
    let after = 0;
    for (;;) {
      const page = (await this.socket
        .timeout(10_000)
        .emitWithAck('sync:since', { conversationId, afterSeq: after })) as Ack<SyncPage>;
      if (!page.ok) throw new Error(JSON.stringify(page));
      for (const m of page.data.messages) {
        after = m.seq;
        if (!m.envelope) continue;
        try {
          const d = await this.crypto.decryptMessage(parseEnvelope(m.envelope), { mode });
          ok.push({
            seq: m.seq,
            sender: d.sender,
            text: d.content.type === 'text' ? d.content.body : `<${d.content.type}>`,
          });
        } catch {
          failed.push(m.seq);
        }
      }
      if (page.data.messages.length === 0 || after >= page.data.lastSeq) break;
    }
    return { ok, failed };
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
