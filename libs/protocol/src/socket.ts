import { z } from 'zod';
import type { Ack } from './common.js';
import type { DeviceAddedEvent, DeviceRemovedEvent } from './devices.js';

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
} as const;

export type ClientEventName = keyof typeof clientEventSchemas;

export interface ClientToServerEvents {
  'system:ping': (payload: SystemPing, ack: (res: Ack<SystemPong>) => void) => void;
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
