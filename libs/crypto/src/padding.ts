import { fail } from './errors.js';

/**
 * Plaintext padding to size buckets (docs/protocol.md §8.2), so that ciphertext lengths reveal only a coarse
 * size class. Marker byte 0x80 then zeros (ISO/IEC 7816-4). Buckets: 64 bytes minimum, powers of two up to
 * 16 KiB, then multiples of 16 KiB up to MAX_PADDED_LENGTH.
 */

export const MIN_BUCKET = 64;
export const POWER_OF_TWO_LIMIT = 16 * 1024;
export const MAX_PADDED_LENGTH = 256 * 1024;

/** The padded length for `length` bytes of content (one marker byte included). */
export function paddedLength(length: number): number {
  const needed = length + 1;
  if (needed > MAX_PADDED_LENGTH) fail('INVALID_ARGUMENT', 'content too large');
  if (needed <= MIN_BUCKET) return MIN_BUCKET;
  if (needed <= POWER_OF_TWO_LIMIT) return 2 ** Math.ceil(Math.log2(needed));
  return Math.ceil(needed / POWER_OF_TWO_LIMIT) * POWER_OF_TWO_LIMIT;
}

export function isBucketLength(length: number): boolean {
  if (length < MIN_BUCKET || length > MAX_PADDED_LENGTH) return false;
  if (length <= POWER_OF_TWO_LIMIT) return (length & (length - 1)) === 0;
  return length % POWER_OF_TWO_LIMIT === 0;
}

export function pad(content: Uint8Array): Uint8Array {
  const out = new Uint8Array(paddedLength(content.length));
  out.set(content);
  out[content.length] = 0x80;
  return out;
}

/** Strict: the length must be a bucket and the tail must be exactly 0x80 followed by zeros. */
export function unpad(padded: Uint8Array): Uint8Array {
  if (!isBucketLength(padded.length)) fail('MALFORMED', 'padded plaintext has no bucket length');
  let i = padded.length - 1;
  while (i >= 0 && padded[i] === 0) i -= 1;
  if (i < 0 || padded[i] !== 0x80) fail('MALFORMED', 'bad padding');
  if (paddedLength(i) !== padded.length) fail('MALFORMED', 'padding longer than its bucket');
  return padded.slice(0, i);
}
