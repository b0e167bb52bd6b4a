import { z } from 'zod';
import type { Ack } from './common.js';
import type { DeviceAddedEvent, DeviceRemovedEvent } from './devices.js';
import {
  toDeviceAckSchema,
  type ToDeviceAckRequest,
  toDeviceFetchSchema,
  type ToDeviceFetch,
  type ToDeviceMessage,
  toDeviceSendSchema,
  type ToDeviceSend,
  type ToDeviceSendAck,
} from './inbox.js';
import {
  messageRecallSchema,
  type MessageRecall,
  messageSendSchema,
  type MessageSend,
  type MessageSendAck,
  syncChangesSchema,
  type SyncChanges,
  type SyncPage,
  syncSinceSchema,
  type SyncSince,
  type TimelineMessage,
} from './messaging.js';
import {
  type ReceiptCursors,
  receiptReportSchema,
  type ReceiptReport,
  type ReceiptsChangedEvent,
  type ReceiptUpdatedEvent,
} from './receipts.js';
import {
  presenceQuerySchema,
  type PresenceQuery,
  type PresenceSnapshot,
  type TypingChangedEvent,
  typingUpdateSchema,
  type TypingUpdate,
} from './presence.js';

/**
 * socket.io contracts. Every inbound event has a zod schema in `clientEventSchemas`; the type-level test in
 * socket.spec.ts keeps that table and `ClientToServerEvents` in step. Events are named `noun:verb`.
 */
export const systemPingSchema = z.strictObject({ nonce: z.string().max(64).optional() });
export type SystemPing = z.infer<typeof systemPingSchema>;
export interface SystemPong {
  nonce: string | null;
  serverTs: string;
}

export const clientEventSchemas = {
  'system:ping': systemPingSchema,
  'message:send': messageSendSchema,
  'message:recall': messageRecallSchema,
  'sync:since': syncSinceSchema,
  'sync:changes': syncChangesSchema,
  'todevice:send': toDeviceSendSchema,
  'todevice:fetch': toDeviceFetchSchema,
  'todevice:ack': toDeviceAckSchema,
  'typing:update': typingUpdateSchema,
  'presence:query': presenceQuerySchema,
  'receipt:read': receiptReportSchema,
  'receipt:delivered': receiptReportSchema,
} as const;

export type ClientEventName = keyof typeof clientEventSchemas;

export interface ClientToServerEvents {
  'system:ping': (payload: SystemPing, ack: (res: Ack<SystemPong>) => void) => void;
  /** Persist one E2E message; the ack comes only after it is committed. Idempotent by clientMsgId. */
  'message:send': (payload: MessageSend, ack: (res: Ack<MessageSendAck>) => void) => void;
  /** Recall a message: the sender within the admin-set window, or an admin at any time. */
  'message:recall': (payload: MessageRecall, ack: (res: Ack<{ seq: number }>) => void) => void;
  /** Messages of one conversation after a seq, in order (catch-up on connect or on a gap). */
  'sync:since': (payload: SyncSince, ack: (res: Ack<SyncPage>) => void) => void;
  /** The latest seq of every conversation of the user, to find what changed while offline. */
  'sync:changes': (payload: Record<string, never>, ack: (res: Ack<SyncChanges>) => void) => void;
  /** Queue pairwise-encrypted messages for other devices (needs a device socket). */
  'todevice:send': (payload: ToDeviceSend, ack: (res: Ack<ToDeviceSendAck>) => void) => void;
  /** This device's inbox in order, after an id (on connect; pushes arrive as `todevice:new`). */
  'todevice:fetch': (payload: ToDeviceFetch, ack: (res: Ack<ToDeviceMessage[]>) => void) => void;
  /** Deletes this device's inbox messages up to and including an id, once processed. */
  'todevice:ack': (payload: ToDeviceAckRequest, ack: (res: Ack<{ deleted: number }>) => void) => void;
  /** The user started or stopped typing in a conversation (member only; at most 1/s per conversation per socket). */
  'typing:update': (payload: TypingUpdate, ack: (res: Ack<Record<string, never>>) => void) => void;
  /** Which of these users have a connected socket right now (any server process). */
  'presence:query': (payload: PresenceQuery, ack: (res: Ack<PresenceSnapshot>) => void) => void;
  /** This device showed the conversation up to `seq` (coalesce: report the highest seen, at most about 2/s). */
  'receipt:read': (payload: ReceiptReport, ack: (res: Ack<ReceiptCursors>) => void) => void;
  /** This device received the conversation up to `seq` (coalesced like reads). */
  'receipt:delivered': (payload: ReceiptReport, ack: (res: Ack<ReceiptCursors>) => void) => void;
}

export interface SessionRevokedEvent {
  sessionId: string;
  reason: 'signed_out' | 'revoked' | 'user_disabled' | 'password_changed' | 'expired';
}

export interface ServerToClientEvents {
  'session:revoked': (event: SessionRevokedEvent) => void;
  /** To every socket of the user: one of their devices was added (e.g. to show "new device signed in"). */
  'device:added': (event: DeviceAddedEvent) => void;
  /** To every socket of the user; sockets of the removed device are then disconnected. */
  'device:removed': (event: DeviceRemovedEvent) => void;
  /** To the other members of a conversation: someone started or stopped typing. Ephemeral, never stored. */
  'typing:changed': (event: TypingChangedEvent) => void;
  /** A new timeline entry (message or system event) in one of the user's conversations, after commit. */
  'message:new': (message: TimelineMessage) => void;
  /** A new message in this device's inbox (stored until acked). */
  'todevice:new': (message: ToDeviceMessage) => void;
  /** The user's own read/delivered cursors moved (to their devices; at most one per conversation per second). */
  'receipt:updated': (event: ReceiptUpdatedEvent) => void;
  /** Someone read or received the user's messages in a conversation (coalesced; fetch the counts again). */
  'receipts:changed': (event: ReceiptsChangedEvent) => void;
  /**
   * To everyone: compliance keys, retention scopes or the organisation name changed. Clients fetch the notice and
   * their conversations' retention again (docs/compliance.md).
   */
  'compliance:changed': (event: Record<string, never>) => void;
  /**
   * To every socket of one server process whose link to the other processes (Redis) came back after an outage:
   * pushes may have been missed meanwhile. Clients catch up as after a reconnect (inbox, then `sync:changes`).
   */
  'sync:resume': (event: Record<string, never>) => void;
}

/** What a client may send in the socket.io handshake `auth` object (the session itself comes from the cookie). */
export interface SocketHandshakeAuth {
  /** The registered device this socket speaks for; it joins the `device:<id>` room. */
  deviceId?: string;
}

/** Handshake errors arrive on the client as `connect_error` with `err.message` set to one of these codes. */
export const SOCKET_AUTH_ERRORS = ['UNAUTHENTICATED', 'SESSION_EXPIRED', 'FORBIDDEN', 'DEVICE_NOT_FOUND'] as const;

export const SOCKET_PATH = '/socket.io';
/** Largest inbound socket frame we accept (bytes); larger frames close the connection. */
export const SOCKET_MAX_PAYLOAD_BYTES = 1_048_576;
