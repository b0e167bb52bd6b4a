import { ByteReader, ByteWriter } from './bytes.js';
import { fail } from './errors.js';
import { type SenderKeyExport, readSenderKeyExport, writeSenderKeyExport } from './sender-keys.js';

/**
 * Plaintext of pairwise (to-device) messages. The pairwise channel carries key material only
 * (ARCHITECTURE §5); today that is one kind: a sender-key session share.
 *
 *   0x01 (version) || 0x01 (sender-key) || SenderKeyExport
 */

export const TO_DEVICE_VERSION = 1;
const TYPE_SENDER_KEY = 1;

export type ToDevicePayload = { type: 'sender-key'; session: SenderKeyExport };

export function encodeToDevicePayload(payload: ToDevicePayload): Uint8Array {
  const w = new ByteWriter().u8(TO_DEVICE_VERSION);
  switch (payload.type) {
    case 'sender-key':
      return writeSenderKeyExport(w.u8(TYPE_SENDER_KEY), payload.session).finish();
  }
}

export function decodeToDevicePayload(bytes: Uint8Array): ToDevicePayload {
  const r = new ByteReader(bytes, 'to-device payload');
  if (r.u8() !== TO_DEVICE_VERSION) fail('UNSUPPORTED_VERSION', 'to-device payload version');
  const type = r.u8();
  if (type !== TYPE_SENDER_KEY) fail('UNSUPPORTED_VERSION', `to-device payload type ${type}`);
  const session = readSenderKeyExport(r);
  r.end();
  return { type: 'sender-key', session };
}
