import { ByteReader, ByteWriter } from './bytes.js';
import { SESSION_ID_BYTES } from './envelope.js';
import { fail } from './errors.js';
import { type SenderKeyExport, readSenderKeyExport, writeSenderKeyExport } from './sender-keys.js';

/**
 * Plaintext of pairwise (to-device) messages (docs/protocol.md §8). The pairwise channel carries key material
 * only (ARCHITECTURE §5): a sender-key session share, or a request for one.
 *
 *   0x01 (version) || 0x01 (sender-key)  || SenderKeyExport
 *   0x01 (version) || 0x02 (key-request) || KeyRequest
 *   0x01 (version) || 0x03 (pairing)     || var16(pairing message)   (pairing.ts; between devices of one user)
 */

export const TO_DEVICE_VERSION = 1;
const TYPE_SENDER_KEY = 1;
const TYPE_KEY_REQUEST = 2;
const TYPE_PAIRING = 3;
/** Pairing messages are small (pairing.ts refuses anything over 2 KiB). */
export const MAX_PAIRING_MESSAGE_BYTES = 2048;
export const KEY_REQUEST_VERSION = 1;

/**
 * "Please share sender-key session `sessionId` of `senderUserId`/`senderDeviceId` in `conversationId`, from
 * index `fromIndex`." Sent by a device that received an envelope it has no key for.
 */
export interface KeyRequest {
  conversationId: string;
  sessionId: Uint8Array;
  senderUserId: string;
  senderDeviceId: string;
  fromIndex: number;
}

export type ToDevicePayload =
  | { type: 'sender-key'; session: SenderKeyExport }
  | { type: 'key-request'; request: KeyRequest }
  /** A DevicePairing message (pairing.ts) carried over the pairwise channel between two devices of one user. */
  | { type: 'pairing'; message: Uint8Array };

/** KeyRequest = u8(0x01) || id(conversationId) || sessionId[16] || id(senderUserId) || id(senderDeviceId) || u32(fromIndex) */
function writeKeyRequest(w: ByteWriter, request: KeyRequest): ByteWriter {
  if (!(request.sessionId instanceof Uint8Array) || request.sessionId.length !== SESSION_ID_BYTES) {
    fail('INVALID_ARGUMENT', 'key request session id length');
  }
  return w
    .u8(KEY_REQUEST_VERSION)
    .id(request.conversationId)
    .bytes(request.sessionId)
    .id(request.senderUserId)
    .id(request.senderDeviceId)
    .u32(request.fromIndex);
}

function readKeyRequest(r: ByteReader): KeyRequest {
  if (r.u8() !== KEY_REQUEST_VERSION) fail('UNSUPPORTED_VERSION', 'key request version');
  return {
    conversationId: r.id(),
    sessionId: r.bytes(SESSION_ID_BYTES),
    senderUserId: r.id(),
    senderDeviceId: r.id(),
    fromIndex: r.u32(),
  };
}

export function encodeToDevicePayload(payload: ToDevicePayload): Uint8Array {
  const w = new ByteWriter().u8(TO_DEVICE_VERSION);
  switch (payload.type) {
    case 'sender-key':
      return writeSenderKeyExport(w.u8(TYPE_SENDER_KEY), payload.session).finish();
    case 'key-request':
      return writeKeyRequest(w.u8(TYPE_KEY_REQUEST), payload.request).finish();
    case 'pairing':
      if (payload.message.length === 0 || payload.message.length > MAX_PAIRING_MESSAGE_BYTES)
        fail('INVALID_ARGUMENT', 'pairing message size');
      return w.u8(TYPE_PAIRING).var16(payload.message).finish();
  }
}

export function decodeToDevicePayload(bytes: Uint8Array): ToDevicePayload {
  const r = new ByteReader(bytes, 'to-device payload');
  if (r.u8() !== TO_DEVICE_VERSION) fail('UNSUPPORTED_VERSION', 'to-device payload version');
  const type = r.u8();
  let payload: ToDevicePayload;
  if (type === TYPE_SENDER_KEY) payload = { type: 'sender-key', session: readSenderKeyExport(r) };
  else if (type === TYPE_KEY_REQUEST) payload = { type: 'key-request', request: readKeyRequest(r) };
  else if (type === TYPE_PAIRING) {
    const message = r.var16();
    if (message.length === 0 || message.length > MAX_PAIRING_MESSAGE_BYTES) fail('MALFORMED', 'pairing message size');
    payload = { type: 'pairing', message };
  } else fail('UNSUPPORTED_VERSION', `to-device payload type ${type}`);
  r.end();
  return payload;
}
