import { fromHex, utf8Encode } from '../src/bytes.js';
import { CryptoError, type CryptoErrorCode } from '../src/errors.js';
import { kdf, KdfLabel } from '../src/kdf.js';
import type { RandomSource } from '../src/primitives.js';

/** Deterministic random source for known-answer tests: BLAKE2b(seed, counter) blocks. */
export function seededRandom(seed: string): RandomSource {
  let counter = 0;
  const key = kdf(null, KdfLabel.SAFETY_NUMBER, [utf8Encode(`test-seed:${seed}`)], 32);
  return (length: number) => {
    const out = new Uint8Array(length);
    let offset = 0;
    while (offset < length) {
      const block = kdf(
        key,
        KdfLabel.DR_CHAIN,
        [Uint8Array.of(counter >>> 24, counter >>> 16, counter >>> 8, counter)],
        64,
      );
      counter += 1;
      const take = Math.min(64, length - offset);
      out.set(block.subarray(0, take), offset);
      offset += take;
    }
    return out;
  };
}

/** Asserts that `fn` throws a CryptoError with `code` (or any CryptoError if no code is given). */
export function expectCryptoError(fn: () => unknown, code?: CryptoErrorCode): CryptoError {
  let thrown: unknown = null;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  if (!(thrown instanceof CryptoError)) {
    throw new Error(
      `expected CryptoError${code ? ` ${code}` : ''}, got ${thrown === null ? 'no error' : String(thrown)}`,
    );
  }
  if (code !== undefined && thrown.code !== code) throw new Error(`expected CryptoError ${code}, got ${thrown.code}`);
  return thrown;
}

export async function expectCryptoErrorAsync(fn: () => Promise<unknown>, code?: CryptoErrorCode): Promise<CryptoError> {
  let thrown: unknown = null;
  try {
    await fn();
  } catch (error) {
    thrown = error;
  }
  if (!(thrown instanceof CryptoError)) {
    throw new Error(
      `expected CryptoError${code ? ` ${code}` : ''}, got ${thrown === null ? 'no error' : String(thrown)}`,
    );
  }
  if (code !== undefined && thrown.code !== code) throw new Error(`expected CryptoError ${code}, got ${thrown.code}`);
  return thrown;
}

export const hex = fromHex;

/**
 * Non-cryptographic filler for large test inputs (xorshift32). libsodium's randombytes_buf is very slow under
 * Jest (it falls back to a byte-at-a-time entropy source there), so bulk test data must not come from it.
 */
export function fillerBytes(length: number, seed = 0x9e3779b9): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i += 1) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}
