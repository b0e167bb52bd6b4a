import { ByteReader, ByteWriter } from './bytes.js';
import { CryptoError, fail } from './errors.js';
import { AdLabel, KdfLabel, frame, kdf } from './kdf.js';
import {
  type RandomSource,
  AEAD_NONCE_BYTES,
  aeadDecrypt,
  aeadEncrypt,
  randomBytes,
  systemRandom,
} from './primitives.js';
import { lib } from './sodium.js';
import { RECOVERY_WORDS } from './wordlist.js';
import { HISTORY_KEY_BYTES } from './history.js';

/**
 * Recovery of the History Key without another device (docs/protocol.md §9.2). The server stores the History
 * Key wrapped under either a random recovery key (shown once as 34 words) or a passphrase stretched with
 * Argon2id. The wrap never leaves the client unencrypted.
 */

export const RECOVERY_KEY_BYTES = 32;
export const RECOVERY_CHECKSUM_BYTES = 2;
export const RECOVERY_WRAP_VERSION = 1;

/** Argon2id parameters (libsodium crypto_pwhash, ALG_ARGON2ID13). */
export interface Argon2idParams {
  /** Passes over memory. */
  opsLimit: number;
  /** Bytes of memory. */
  memLimit: number;
}

/** Default for passphrases: 3 passes over 64 MiB (≈ 0.3–0.6 s on a laptop, workable in a browser tab). */
export const DEFAULT_ARGON2ID_PARAMS: Argon2idParams = { opsLimit: 3, memLimit: 64 * 1024 * 1024 };
/** Bounds accepted when reading a wrap, so that a hostile server cannot make a client allocate gigabytes. */
export const ARGON2ID_BOUNDS = { minOps: 1, maxOps: 20, minMem: 8 * 1024, maxMem: 1024 * 1024 * 1024 } as const;

const KDF_RAW = 0;
const KDF_ARGON2ID = 1;

export function generateRecoveryKey(random: RandomSource = systemRandom): Uint8Array {
  return randomBytes(RECOVERY_KEY_BYTES, random);
}

function checksum(key: Uint8Array): Uint8Array {
  return kdf(null, KdfLabel.RECOVERY_CHECKSUM, [key], 16).slice(0, RECOVERY_CHECKSUM_BYTES);
}

/** 32 key bytes + 2 checksum bytes, one word per byte, separated by single spaces. */
export function recoveryKeyToWords(key: Uint8Array): string {
  if (key.length !== RECOVERY_KEY_BYTES) fail('INVALID_ARGUMENT', 'recovery key must be 32 bytes');
  return [...key, ...checksum(key)].map((b) => RECOVERY_WORDS[b] as string).join(' ');
}

/** Accepts any case and whitespace, and any unique 4-letter prefix of a word. Errors: BAD_RECOVERY_KEY. */
export function recoveryKeyFromWords(phrase: string): Uint8Array {
  const words = phrase
    .trim()
    .toLowerCase()
    .split(/[\s,;.-]+/)
    .filter((w) => w.length > 0);
  if (words.length !== RECOVERY_KEY_BYTES + RECOVERY_CHECKSUM_BYTES) {
    fail('BAD_RECOVERY_KEY', `expected ${RECOVERY_KEY_BYTES + RECOVERY_CHECKSUM_BYTES} words, got ${words.length}`);
  }
  const bytes = words.map((word, i) => {
    const index = RECOVERY_WORDS.findIndex((w) => w === word || (word.length >= 4 && w.startsWith(word)));
    if (index < 0) fail('BAD_RECOVERY_KEY', `word ${i + 1} is not in the list`);
    return index;
  });
  const key = Uint8Array.from(bytes.slice(0, RECOVERY_KEY_BYTES));
  const sum = checksum(key);
  if (sum[0] !== bytes[RECOVERY_KEY_BYTES] || sum[1] !== bytes[RECOVERY_KEY_BYTES + 1])
    fail('BAD_RECOVERY_KEY', 'checksum mismatch');
  return key;
}

function argon2id(passphrase: string, salt: Uint8Array, params: Argon2idParams): Uint8Array {
  const s = lib();
  try {
    return s.crypto_pwhash(32, passphrase, salt, params.opsLimit, params.memLimit, s.crypto_pwhash_ALG_ARGON2ID13);
  } catch {
    throw new CryptoError('INVALID_ARGUMENT', 'Argon2id failed (parameters out of range?)');
  }
}

export type RecoverySecret = { recoveryKey: Uint8Array } | { passphrase: string };

function wrapKey(secret: RecoverySecret, salt: Uint8Array | null, params: Argon2idParams | null): Uint8Array {
  if ('recoveryKey' in secret) {
    if (secret.recoveryKey.length !== RECOVERY_KEY_BYTES) fail('INVALID_ARGUMENT', 'recovery key must be 32 bytes');
    return kdf(secret.recoveryKey, KdfLabel.RECOVERY_WRAP_KEY, [], 32);
  }
  if (typeof secret.passphrase !== 'string' || secret.passphrase.length === 0)
    fail('INVALID_ARGUMENT', 'empty passphrase');
  return kdf(
    argon2id(secret.passphrase, salt as Uint8Array, params as Argon2idParams),
    KdfLabel.RECOVERY_WRAP_KEY,
    [],
    32,
  );
}

function checkParams(p: Argon2idParams, code: 'MALFORMED' | 'INVALID_ARGUMENT'): void {
  const b = ARGON2ID_BOUNDS;
  if (!Number.isInteger(p.opsLimit) || p.opsLimit < b.minOps || p.opsLimit > b.maxOps)
    fail(code, 'Argon2id opsLimit out of bounds');
  if (!Number.isInteger(p.memLimit) || p.memLimit < b.minMem || p.memLimit > b.maxMem)
    fail(code, 'Argon2id memLimit out of bounds');
}

/**
 * Wraps the History Key. Layout: 0x01 || kdf(u8) || [opsLimit u32 || memLimit u32 || salt(16)] || nonce(24) ||
 * AEAD(wrapKey, nonce, ad = LP("miyu/v1/ad/recovery") LP(header), historyKey), where header is every byte
 * before the nonce.
 */
export function wrapHistoryKey(
  historyKey: Uint8Array,
  secret: RecoverySecret,
  options: { argon2id?: Argon2idParams; random?: RandomSource } = {},
): Uint8Array {
  if (historyKey.length !== HISTORY_KEY_BYTES) fail('INVALID_ARGUMENT', 'history key must be 32 bytes');
  const random = options.random ?? systemRandom;
  const header = new ByteWriter().u8(RECOVERY_WRAP_VERSION);
  let salt: Uint8Array | null = null;
  let params: Argon2idParams | null = null;
  if ('recoveryKey' in secret) {
    header.u8(KDF_RAW);
  } else {
    params = options.argon2id ?? DEFAULT_ARGON2ID_PARAMS;
    checkParams(params, 'INVALID_ARGUMENT');
    salt = randomBytes(16, random);
    header.u8(KDF_ARGON2ID).u32(params.opsLimit).u32(params.memLimit).bytes(salt);
  }
  const headerBytes = header.finish();
  const nonce = randomBytes(AEAD_NONCE_BYTES, random);
  const sealed = aeadEncrypt(wrapKey(secret, salt, params), nonce, historyKey, frame(AdLabel.RECOVERY, [headerBytes]));
  return new ByteWriter().bytes(headerBytes).bytes(nonce).bytes(sealed).finish();
}

/** Errors: MALFORMED / UNSUPPORTED_VERSION for bad blobs, DECRYPT_FAILED for a wrong key or passphrase. */
export function unwrapHistoryKey(wrapped: Uint8Array, secret: RecoverySecret): Uint8Array {
  const r = new ByteReader(wrapped, 'recovery wrap');
  if (r.u8() !== RECOVERY_WRAP_VERSION) fail('UNSUPPORTED_VERSION', 'recovery wrap version');
  const kind = r.u8();
  let salt: Uint8Array | null = null;
  let params: Argon2idParams | null = null;
  if (kind === KDF_ARGON2ID) {
    params = { opsLimit: r.u32(), memLimit: r.u32() };
    checkParams(params, 'MALFORMED');
    salt = r.bytes(16);
  } else if (kind !== KDF_RAW) {
    fail('UNSUPPORTED_VERSION', 'recovery wrap KDF');
  }
  const headerBytes = wrapped.slice(0, r.position);
  const nonce = r.bytes(AEAD_NONCE_BYTES);
  const sealed = r.bytes(r.remaining);
  if (sealed.length !== HISTORY_KEY_BYTES + 16) fail('MALFORMED', 'recovery wrap length');
  if ((kind === KDF_RAW) !== 'recoveryKey' in secret)
    fail('DECRYPT_FAILED', 'wrong kind of recovery secret for this wrap');
  return aeadDecrypt(wrapKey(secret, salt, params), nonce, sealed, frame(AdLabel.RECOVERY, [headerBytes]));
}
