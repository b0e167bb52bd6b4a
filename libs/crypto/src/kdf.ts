import { concatBytes, u32be, utf8Encode } from './bytes.js';
import { fail } from './errors.js';
import { blake2b } from './primitives.js';

/**
 * The single key-derivation function of the protocol (docs/protocol.md §3):
 *
 *   KDF(key, label, parts, L) = BLAKE2b-L(key, LP(label) || LP(part_1) || … || LP(part_n))
 *
 * where LP(x) = u32be(len(x)) || x and `key` is either absent (unkeyed BLAKE2b) or 32 bytes. Every use has
 * its own label, so no two derivations can collide even when their inputs do.
 */
export const KdfLabel = {
  X3DH_SECRET: 'miyu/v1/x3dh/secret',
  X3DH_SESSION_ID: 'miyu/v1/x3dh/session-id',
  DR_ROOT: 'miyu/v1/dr/root',
  DR_CHAIN: 'miyu/v1/dr/chain',
  DR_MESSAGE_KEY: 'miyu/v1/dr/message-key',
  DR_NONCE: 'miyu/v1/dr/nonce',
  SK_CHAIN: 'miyu/v1/sk/chain',
  SK_MESSAGE_KEY: 'miyu/v1/sk/message-key',
  ESCROW_EPHEMERAL: 'miyu/v1/escrow/ephemeral',
  ESCROW_KEY: 'miyu/v1/escrow/key',
  ESCROW_NONCE: 'miyu/v1/escrow/nonce',
  HISTORY_KEY_ID: 'miyu/v1/history/key-id',
  HISTORY_BACKUP_KEY: 'miyu/v1/history/backup-key',
  RECOVERY_WRAP_KEY: 'miyu/v1/recovery/wrap-key',
  RECOVERY_CHECKSUM: 'miyu/v1/recovery/checksum',
  PAIRING_COMMIT: 'miyu/v1/pairing/commit',
  PAIRING_TRANSCRIPT: 'miyu/v1/pairing/transcript',
  PAIRING_MASTER: 'miyu/v1/pairing/master',
  PAIRING_SAS: 'miyu/v1/pairing/sas',
  PAIRING_CONFIRM_INITIATOR: 'miyu/v1/pairing/confirm-initiator',
  PAIRING_CONFIRM_RESPONDER: 'miyu/v1/pairing/confirm-responder',
  PAIRING_KEY_INITIATOR: 'miyu/v1/pairing/key-initiator',
  PAIRING_KEY_RESPONDER: 'miyu/v1/pairing/key-responder',
  SAFETY_NUMBER: 'miyu/v1/safety-number',
} as const;

export type KdfLabel = (typeof KdfLabel)[keyof typeof KdfLabel];

/**
 * Domain-separation prefixes for Ed25519 signatures and AEAD associated data. They use the same LP(label)
 * framing as the KDF so that a signature made for one purpose never verifies for another.
 */
export const SignatureLabel = {
  DEVICE_IDENTITY: 'miyu/v1/sig/device-identity',
  SIGNED_PREKEY: 'miyu/v1/sig/signed-prekey',
  SENDER_KEY_MESSAGE: 'miyu/v1/sig/sender-key-message',
} as const;

export const AdLabel = {
  ESCROW: 'miyu/v1/ad/escrow',
  HISTORY_BACKUP: 'miyu/v1/ad/history-backup',
  RECOVERY: 'miyu/v1/ad/recovery',
  PAIRING_SECRET: 'miyu/v1/ad/pairing-secret',
} as const;

/** LP(label) || LP(part_1) || … — the framing shared by the KDF, signatures and associated data. */
export function frame(label: string, parts: readonly Uint8Array[] = []): Uint8Array {
  const chunks: Uint8Array[] = [];
  const labelBytes = utf8Encode(label);
  chunks.push(u32be(labelBytes.length), labelBytes);
  for (const part of parts) chunks.push(u32be(part.length), part);
  return concatBytes(...chunks);
}

export function kdf(key: Uint8Array | null, label: KdfLabel, parts: readonly Uint8Array[], length: number): Uint8Array {
  if (key !== null && key.length !== 32) fail('INVALID_ARGUMENT', 'KDF key must be 32 bytes');
  return blake2b(length, frame(label, parts), key);
}

/** Symmetric-ratchet step shared by the Double Ratchet and sender keys: (message key, next chain key). */
export function chainStep(
  chainKey: Uint8Array,
  messageLabel: KdfLabel,
  chainLabel: KdfLabel,
): { messageKey: Uint8Array; nextChainKey: Uint8Array } {
  return {
    messageKey: kdf(chainKey, messageLabel, [], 32),
    nextChainKey: kdf(chainKey, chainLabel, [], 32),
  };
}
