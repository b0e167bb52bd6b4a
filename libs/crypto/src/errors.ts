/**
 * Every failure of this library surfaces as a `CryptoError` with a stable code, so callers can branch on it
 * (and the web can translate it) without parsing messages. Raw exceptions from libsodium never escape.
 */
export const CryptoErrorCode = {
  /** `ready()` has not completed. */
  NOT_READY: 'NOT_READY',
  /** Bytes or JSON that do not parse: truncated, oversized, trailing data, wrong lengths, bad base64. */
  MALFORMED: 'MALFORMED',
  /** A version or protocol identifier this build does not speak. */
  UNSUPPORTED_VERSION: 'UNSUPPORTED_VERSION',
  /** An Ed25519 signature did not verify. */
  BAD_SIGNATURE: 'BAD_SIGNATURE',
  /** AEAD authentication failed: wrong key, tampered ciphertext or associated data. */
  DECRYPT_FAILED: 'DECRYPT_FAILED',
  /** A message whose key was already used (or evicted from the bounded cache). */
  REPLAY: 'REPLAY',
  /** No session (pairwise or sender-key) is known for this message. */
  UNKNOWN_SESSION: 'UNKNOWN_SESSION',
  /** A prekey message names a signed or one-time prekey this device does not hold. */
  UNKNOWN_PREKEY: 'UNKNOWN_PREKEY',
  /** A message index beyond the bounded skip window. */
  TOO_FAR_AHEAD: 'TOO_FAR_AHEAD',
  /** A public key that is not a valid point, or is of low order (X25519 all-zero shared secret). */
  INVALID_KEY: 'INVALID_KEY',
  /** An envelope whose claimed sender or conversation does not match its session. */
  SESSION_MISMATCH: 'SESSION_MISMATCH',
  /** A peer device's identity key differs from the one recorded for it. */
  IDENTITY_CHANGED: 'IDENTITY_CHANGED',
  /** Attachment ciphertext does not match its digest. */
  DIGEST_MISMATCH: 'DIGEST_MISMATCH',
  /** A stream ended before its final chunk, or continued after it. */
  TRUNCATED: 'TRUNCATED',
  /** A recovery phrase with an unknown word or a wrong checksum. */
  BAD_RECOVERY_KEY: 'BAD_RECOVERY_KEY',
  /** Pairing: a message out of order, a broken commitment or a failed confirmation. */
  PAIRING_FAILED: 'PAIRING_FAILED',
  /** An API call made in a state that does not allow it (e.g. no device keys yet). */
  INVALID_STATE: 'INVALID_STATE',
  /** Caller-supplied arguments out of range (ids too long, content too large, …). */
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
} as const;

export type CryptoErrorCode = (typeof CryptoErrorCode)[keyof typeof CryptoErrorCode];

export class CryptoError extends Error {
  override readonly name = 'CryptoError';

  constructor(
    readonly code: CryptoErrorCode,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

export function isCryptoError(value: unknown, code?: CryptoErrorCode): value is CryptoError {
  return value instanceof CryptoError && (code === undefined || value.code === code);
}

export function fail(code: CryptoErrorCode, message: string): never {
  throw new CryptoError(code, message);
}

/**
 * Runs `fn` and turns any non-`CryptoError` exception into `CryptoError(code)`. Used around libsodium calls
 * and decoders so that no raw exception (RangeError, libsodium's plain Error, …) reaches a caller.
 */
export function guard<T>(code: CryptoErrorCode, message: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof CryptoError) throw error;
    throw new CryptoError(code, message);
  }
}
