import { ByteReader, ByteWriter, bytesEqual, concatBytes, fromBase64Url, toBase64Url, utf8Encode } from './bytes.js';
import { fail } from './errors.js';
import { KdfLabel, kdf } from './kdf.js';
import { assertEd25519PublicKey, blake2b } from './primitives.js';

/**
 * Safety numbers (docs/protocol.md §11): a stable fingerprint of two users' device identity (Ed25519) keys,
 * independent of who computes it. Per user:
 *
 *   K    = the user's device signing keys, sorted bytewise, deduplicated, concatenated
 *   H_0  = KDF(∅, "miyu/v1/safety-number", [u16be(version), userId, K], 64)
 *   H_i  = BLAKE2b-512(H_{i-1} || K)  for i = 1 … 1024;   F = H_1024
 *
 * Digits: the first 30 bytes of F as six 5-byte big-endian integers, each mod 100 000, zero-padded to five
 * digits (30 digits per user). The number shown is the two users' 30-digit strings, lower one first (60 digits).
 * QR payload: 0x01 || the two F[0..32] in the same order.
 */

export const SAFETY_NUMBER_VERSION = 1;
export const SAFETY_NUMBER_ITERATIONS = 1024;
export const SAFETY_NUMBER_QR_PREFIX = 'miyu-sn:';

export interface UserIdentityKeys {
  userId: string;
  /** Ed25519 signing keys of the user's devices (any order). */
  deviceKeys: readonly Uint8Array[];
}

export interface SafetyNumber {
  /** 60 digits. */
  digits: string;
  /** Twelve groups of five digits, for display. */
  groups: string[];
  /** Bytes to encode as a QR code (also as `qrText`). */
  qr: Uint8Array;
  qrText: string;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i += 1) {
    if (a[i] !== b[i]) return (a[i] as number) - (b[i] as number);
  }
  return a.length - b.length;
}

function fingerprint(user: UserIdentityKeys): Uint8Array {
  if (user.deviceKeys.length === 0) fail('INVALID_ARGUMENT', 'a user needs at least one device key');
  const sorted = [...user.deviceKeys].map((k) => assertEd25519PublicKey(k)).sort(compareBytes);
  const unique = sorted.filter((k, i) => i === 0 || compareBytes(k, sorted[i - 1] as Uint8Array) !== 0);
  const keys = concatBytes(...unique);
  let h = kdf(
    null,
    KdfLabel.SAFETY_NUMBER,
    [Uint8Array.of(0, SAFETY_NUMBER_VERSION), utf8Encode(user.userId), keys],
    64,
  );
  for (let i = 0; i < SAFETY_NUMBER_ITERATIONS; i += 1) h = blake2b(64, concatBytes(h, keys), null);
  return h;
}

function digitsOf(f: Uint8Array): string {
  let out = '';
  for (let chunk = 0; chunk < 6; chunk += 1) {
    let n = 0;
    for (let i = 0; i < 5; i += 1) n = n * 256 + (f[chunk * 5 + i] as number);
    out += (n % 100_000).toString().padStart(5, '0');
  }
  return out;
}

export function safetyNumber(a: UserIdentityKeys, b: UserIdentityKeys): SafetyNumber {
  const parts = [fingerprint(a), fingerprint(b)].map((f) => ({ digits: digitsOf(f), qr: f.slice(0, 32) }));
  parts.sort((x, y) => (x.digits < y.digits ? -1 : x.digits > y.digits ? 1 : compareBytes(x.qr, y.qr)));
  const [first, second] = parts as [(typeof parts)[0], (typeof parts)[0]];
  const digits = first.digits + second.digits;
  const qr = new ByteWriter().u8(SAFETY_NUMBER_VERSION).bytes(first.qr).bytes(second.qr).finish();
  return {
    digits,
    groups: digits.match(/.{5}/g) as string[],
    qr,
    qrText: SAFETY_NUMBER_QR_PREFIX + toBase64Url(qr),
  };
}

/** Compares a scanned QR payload (bytes or text) with our own computation. Malformed input is `MALFORMED`. */
export function verifySafetyNumberQr(own: SafetyNumber, scanned: Uint8Array | string): boolean {
  let bytes: Uint8Array;
  if (typeof scanned === 'string') {
    if (!scanned.startsWith(SAFETY_NUMBER_QR_PREFIX)) fail('MALFORMED', 'not a Miyu safety number code');
    bytes = fromBase64Url(scanned.slice(SAFETY_NUMBER_QR_PREFIX.length), 'safety number code');
  } else {
    bytes = scanned;
  }
  const r = new ByteReader(bytes, 'safety number code');
  if (r.u8() !== SAFETY_NUMBER_VERSION) fail('UNSUPPORTED_VERSION', 'safety number version');
  r.bytes(64);
  r.end();
  return bytesEqual(bytes, own.qr);
}
