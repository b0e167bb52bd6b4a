import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import {
  type BackupItemDto,
  type BackupPage,
  ErrorCode,
  MAX_TO_DEVICE_BATCH,
  type ToDeviceMessage,
  type ToDeviceSend,
  type ToDeviceSendAck,
} from '@miyu/protocol';
import { DomainError } from '../../common/errors/domain-error.js';
import { MessagingError } from '../messaging/messaging.errors.js';
import type { DeviceInboxEntity } from './entities/device-inbox.entity.js';
import { InboxRepository } from './inbox.repository.js';

export const TO_DEVICE_QUEUED_EVENT = 'inbox.queued';
export interface ToDeviceQueuedEvent {
  messages: DeviceInboxEntity[];
}

export interface DeviceActor {
  userId: string;
  deviceId: string | null;
}

const b64 = (s: string) => Buffer.from(s, 'base64url');

/**
 * Per-device inboxes for pairwise-encrypted key material, and per-user history backups. A user may write to
 * their own devices and to devices of people they share a conversation with; nobody reads another device's inbox.
 */
@Injectable()
export class InboxService {
  constructor(
    private readonly inbox: InboxRepository,
    private readonly events: EventEmitter2,
  ) {}

  async send(actor: DeviceActor, request: ToDeviceSend): Promise<ToDeviceSendAck> {
    if (!actor.deviceId) throw MessagingError.deviceRequired();
    const wanted = [...new Set(request.messages.map((m) => m.deviceId))];
    const writable = new Set((await this.inbox.writableDevices(actor.userId, wanted)).map((d) => d.id));
    const accepted = request.messages.filter((m) => writable.has(m.deviceId));
    const stored = await this.inbox.enqueue(
      actor.userId,
      actor.deviceId,
      accepted.map((m) => ({ deviceId: m.deviceId, payload: b64(m.payload) })),
    );
    if (stored.length > 0) {
      const event: ToDeviceQueuedEvent = { messages: stored };
      this.events.emit(TO_DEVICE_QUEUED_EVENT, event);
    }
    return { stored: stored.length, refused: wanted.filter((id) => !writable.has(id)) };
  }

  async fetch(actor: DeviceActor, afterId = 0, limit = MAX_TO_DEVICE_BATCH): Promise<ToDeviceMessage[]> {
    if (!actor.deviceId) throw MessagingError.deviceRequired();
    return (await this.inbox.fetch(actor.deviceId, afterId, limit)).map(toToDeviceMessage);
  }

  async ack(actor: DeviceActor, upToId: number): Promise<{ deleted: number }> {
    if (!actor.deviceId) throw MessagingError.deviceRequired();
    return { deleted: await this.inbox.ack(actor.deviceId, upToId) };
  }

  async putBackups(actor: { userId: string }, deviceId: string, items: BackupItemDto[]): Promise<{ stored: number }> {
    if (!(await this.inbox.deviceOwnedActive(actor.userId, deviceId))) {
      throw new DomainError(ErrorCode.DEVICE_NOT_FOUND, 'No such device.');
    }
    const decoded = items.map((i) => ({ keyId: b64(i.keyId), sessionId: b64(i.sessionId), blob: b64(i.blob) }));
    if (decoded.some((d) => d.keyId.length !== 8 || d.sessionId.length !== 16 || d.blob.length > 1024)) {
      throw new DomainError(ErrorCode.BACKUP_ITEM_INVALID, 'A backup item has the wrong size.');
    }
    await this.inbox.putBackups(actor.userId, deviceId, decoded);
    return { stored: decoded.length };
  }

  /** Only the user's own backups, ever; paged by an opaque cursor. */
  async listBackups(
    actor: { userId: string },
    keyId: string,
    after: string | undefined,
    limit: number,
  ): Promise<BackupPage> {
    let cursor: { sessionId: Buffer; deviceId: string } | null = null;
    if (after) {
      const [s, d] = after.split('.');
      if (!s || !d || !/^[0-9a-f-]{36}$/.test(d)) throw new DomainError(ErrorCode.VALIDATION_FAILED, 'Bad cursor.');
      cursor = { sessionId: b64(s), deviceId: d };
    }
    const rows = await this.inbox.listBackups(actor.userId, b64(keyId), cursor, limit);
    const last = rows[rows.length - 1];
    return {
      items: rows.map((r) => ({
        keyId: r.keyId.toString('base64url'),
        sessionId: r.sessionId.toString('base64url'),
        blob: r.blob.toString('base64url'),
      })),
      next: rows.length === limit && last ? `${last.sessionId.toString('base64url')}.${last.deviceId}` : null,
    };
  }
}

export function toToDeviceMessage(m: DeviceInboxEntity): ToDeviceMessage {
  return {
    id: Number(m.id),
    senderUserId: m.senderUserId,
    senderDeviceId: m.senderDeviceId,
    payload: m.payload.toString('base64url'),
    createdAt: m.createdAt.toISOString(),
  };
}
