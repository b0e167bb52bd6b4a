import { ByteReader, ByteWriter, bytesEqual } from './bytes.js';
import { fail } from './errors.js';
import { AdLabel, KdfLabel, frame, kdf } from './kdf.js';
import {
  type RandomSource,
  AEAD_NONCE_BYTES,
  aeadDecrypt,
  aeadEncrypt,
  randomBytes,
  systemRandom,
} from './primitives.js';
import { type SenderKeyExport, decodeSenderKeyExport, encodeSenderKeyExport } from './sender-keys.js';

/**
 * History roaming (docs/protocol.md §9.1). Each user has a random 256-bit History Key on all their devices.
 * Devices back up every inbound sender-key session (at its first known index) encrypted under it, one item per
 * session, so that a new device that learns the History Key can read the whole history.
 *
 *   backupKey = KDF(HK, "miyu/v1/history/backup-key", [], 32)     keyId = KDF(HK, "miyu/v1/history/key-id", [], 8)
 *   item      = 0x01 || keyId || sessionId || nonce(24) || AEAD(backupKey, nonce, ad, export)
 *   ad        = LP("miyu/v1/ad/history-backup") LP(0x01) LP(keyId) LP(sessionId)
 */

export const HISTORY_KEY_BYTES = 32;
export const BACKUP_VERSION = 1;
export const MAX_BACKUP_ITEM_BYTES = 1024;

export function generateHistoryKey(random: RandomSource = systemRandom): Uint8Array {
  return randomBytes(HISTORY_KEY_BYTES, random);
}

/** A short public identifier of a History Key: tells which key a backup needs, reveals nothing about it. */
export function historyKeyId(historyKey: Uint8Array): Uint8Array {
  if (historyKey.length !== HISTORY_KEY_BYTES) fail('INVALID_KEY', 'history key must be 32 bytes');
  return kdf(historyKey, KdfLabel.HISTORY_KEY_ID, [], 16).slice(0, 8);
}

function backupAd(keyId: Uint8Array, sessionId: Uint8Array): Uint8Array {
  return frame(AdLabel.HISTORY_BACKUP, [Uint8Array.of(BACKUP_VERSION), keyId, sessionId]);
}

export interface BackupItem {
  /** Public: the server files the item under it and the key id, and may replace it with an earlier export. */
  sessionId: Uint8Array;
  keyId: Uint8Array;
  blob: Uint8Array;
}

export function encryptSessionBackup(
  historyKey: Uint8Array,
  session: SenderKeyExport,
  random: RandomSource = systemRandom,
): BackupItem {
  const keyId = historyKeyId(historyKey);
  const nonce = randomBytes(AEAD_NONCE_BYTES, random);
  const sealed = aeadEncrypt(
    kdf(historyKey, KdfLabel.HISTORY_BACKUP_KEY, [], 32),
    nonce,
    encodeSenderKeyExport(session),
    backupAd(keyId, session.sessionId),
  );
  const blob = new ByteWriter()
    .u8(BACKUP_VERSION)
    .bytes(keyId)
    .bytes(session.sessionId)
    .bytes(nonce)
    .bytes(sealed)
    .finish();
  return { sessionId: session.sessionId, keyId, blob };
}

/**
 * Opens one backup item. `expectedSessionId`, when given, must match (a server cannot hand back another
 * session's item in its place). Errors: MALFORMED, UNSUPPORTED_VERSION, INVALID_KEY (other History Key),
 * DECRYPT_FAILED.
 */
export function decryptSessionBackup(
  historyKey: Uint8Array,
  blob: Uint8Array,
  expectedSessionId: Uint8Array | null = null,
): SenderKeyExport {
  const r = new ByteReader(blob, 'backup item');
  if (blob.length > MAX_BACKUP_ITEM_BYTES) fail('MALFORMED', 'backup item too large');
  if (r.u8() !== BACKUP_VERSION) fail('UNSUPPORTED_VERSION', 'backup item version');
  const keyId = r.bytes(8);
  const sessionId = r.bytes(16);
  const nonce = r.bytes(AEAD_NONCE_BYTES);
  const sealed = r.bytes(r.remaining);
  if (!bytesEqual(keyId, historyKeyId(historyKey))) fail('INVALID_KEY', 'backup item made under another history key');
  if (expectedSessionId && !bytesEqual(expectedSessionId, sessionId))
    fail('SESSION_MISMATCH', 'backup item of another session');
  const plaintext = aeadDecrypt(
    kdf(historyKey, KdfLabel.HISTORY_BACKUP_KEY, [], 32),
    nonce,
    sealed,
    backupAd(keyId, sessionId),
  );
  const session = decodeSenderKeyExport(plaintext);
  if (!bytesEqual(session.sessionId, sessionId)) fail('MALFORMED', 'backup item: session id mismatch');
  return session;
}
