import { CryptoError, fail } from './errors.js';
import { lib } from './sodium.js';

/**
 * The only module that calls libsodium's primitives. Everything above it (and the Wycheproof tests) goes
 * through these wrappers, so length checks, low-order rejection and error typing live in one place.
 */

export const X25519_KEY_BYTES = 32;
export const ED25519_PUBLIC_KEY_BYTES = 32;
export const ED25519_SECRET_KEY_BYTES = 64;
export const ED25519_SEED_BYTES = 32;
export const ED25519_SIGNATURE_BYTES = 64;
export const AEAD_KEY_BYTES = 32;
export const AEAD_NONCE_BYTES = 24;
export const AEAD_TAG_BYTES = 16;

/** Source of random bytes. Injectable so that known-answer tests are deterministic. */
export type RandomSource = (length: number) => Uint8Array;

interface WebCryptoRandom {
  getRandomValues(array: Uint8Array): Uint8Array;
}

/**
 * The platform CSPRNG. Web Crypto's getRandomValues exists in every browser and in Node ≥ 19 as a global; it is
 * what libsodium uses in browsers too, and far faster than libsodium's Node fallback (which reads the entropy
 * source a byte at a time through JavaScript: ~140 µs for 24 bytes). libsodium remains the fallback.
 */
const webCrypto: WebCryptoRandom | null = (() => {
  const candidate = (globalThis as { crypto?: Partial<WebCryptoRandom> }).crypto;
  return candidate && typeof candidate.getRandomValues === 'function' ? (candidate as WebCryptoRandom) : null;
})();

const MAX_GET_RANDOM_VALUES = 65536;

export const systemRandom: RandomSource = (length) => {
  if (!webCrypto) return lib().randombytes_buf(length);
  const out = new Uint8Array(length);
  for (let offset = 0; offset < length; offset += MAX_GET_RANDOM_VALUES) {
    webCrypto.getRandomValues(out.subarray(offset, Math.min(length, offset + MAX_GET_RANDOM_VALUES)));
  }
  return out;
};

export interface X25519KeyPair {
  publicKey: Uint8Array;
  /** The 32 random bytes as drawn; clamping happens inside the scalar multiplication. */
  secretKey: Uint8Array;
}

export interface Ed25519KeyPair {
  publicKey: Uint8Array;
  /** libsodium's 64-byte form: seed || public key. */
  secretKey: Uint8Array;
}

export function randomBytes(length: number, random: RandomSource = systemRandom): Uint8Array {
  const out = random(length);
  if (!(out instanceof Uint8Array) || out.length !== length)
    fail('INVALID_ARGUMENT', 'random source returned wrong length');
  return out;
}

// ---------------------------------------------------------------------------------------------- X25519

export function x25519PublicKey(secretKey: Uint8Array): Uint8Array {
  if (secretKey.length !== X25519_KEY_BYTES) fail('INVALID_KEY', 'X25519 secret key must be 32 bytes');
  return lib().crypto_scalarmult_base(secretKey);
}

export function x25519KeyPairFromSecret(secretKey: Uint8Array): X25519KeyPair {
  return { publicKey: x25519PublicKey(secretKey), secretKey: secretKey.slice() };
}

export function x25519GenerateKeyPair(random: RandomSource = systemRandom): X25519KeyPair {
  return x25519KeyPairFromSecret(randomBytes(X25519_KEY_BYTES, random));
}

/**
 * X25519(secret, public). A public key of low order (all-zero shared secret) or of the wrong length is
 * rejected with `INVALID_KEY`; libsodium refuses the all-zero result itself and we type its refusal.
 */
export function x25519(secretKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  if (secretKey.length !== X25519_KEY_BYTES) fail('INVALID_KEY', 'X25519 secret key must be 32 bytes');
  if (publicKey.length !== X25519_KEY_BYTES) fail('INVALID_KEY', 'X25519 public key must be 32 bytes');
  let shared: Uint8Array;
  try {
    shared = lib().crypto_scalarmult(secretKey, publicKey);
  } catch {
    throw new CryptoError('INVALID_KEY', 'X25519 public key of low order');
  }
  if (lib().is_zero(shared)) fail('INVALID_KEY', 'X25519 public key of low order');
  return shared;
}

// Any clamped scalar is a multiple of the cofactor, so a low-order point maps to zero under it.
const PROBE_SCALAR = new Uint8Array(32).fill(0x5a);

/** Validates a received X25519 public key: right length and not of low order. */
export function assertX25519PublicKey(publicKey: Uint8Array, what = 'X25519 public key'): Uint8Array {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== X25519_KEY_BYTES)
    fail('INVALID_KEY', `${what}: must be 32 bytes`);
  try {
    x25519(PROBE_SCALAR, publicKey);
  } catch {
    throw new CryptoError('INVALID_KEY', `${what}: low order`);
  }
  return publicKey;
}

// --------------------------------------------------------------------------------------------- Ed25519

export function ed25519KeyPairFromSeed(seed: Uint8Array): Ed25519KeyPair {
  if (seed.length !== ED25519_SEED_BYTES) fail('INVALID_KEY', 'Ed25519 seed must be 32 bytes');
  const pair = lib().crypto_sign_seed_keypair(seed);
  return { publicKey: pair.publicKey, secretKey: pair.privateKey };
}

export function ed25519GenerateKeyPair(random: RandomSource = systemRandom): Ed25519KeyPair {
  return ed25519KeyPairFromSeed(randomBytes(ED25519_SEED_BYTES, random));
}

export function ed25519Seed(secretKey: Uint8Array): Uint8Array {
  return secretKey.slice(0, ED25519_SEED_BYTES);
}

export function ed25519Sign(secretKey: Uint8Array, message: Uint8Array): Uint8Array {
  if (secretKey.length !== ED25519_SECRET_KEY_BYTES) fail('INVALID_KEY', 'Ed25519 secret key must be 64 bytes');
  return lib().crypto_sign_detached(message, secretKey);
}

/** True only for a valid signature by a valid key; wrong lengths and malformed points are simply false. */
export function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  if (publicKey.length !== ED25519_PUBLIC_KEY_BYTES || signature.length !== ED25519_SIGNATURE_BYTES) return false;
  try {
    return lib().crypto_sign_verify_detached(signature, message, publicKey);
  } catch {
    return false;
  }
}

export function assertEd25519Signature(
  publicKey: Uint8Array,
  message: Uint8Array,
  signature: Uint8Array,
  what: string,
): void {
  if (!ed25519Verify(publicKey, message, signature)) fail('BAD_SIGNATURE', `${what}: signature does not verify`);
}

/** Validates a received Ed25519 public key: a canonical point not of small order. */
export function assertEd25519PublicKey(publicKey: Uint8Array, what = 'Ed25519 public key'): Uint8Array {
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== ED25519_PUBLIC_KEY_BYTES)
    fail('INVALID_KEY', `${what}: must be 32 bytes`);
  let ok: boolean;
  try {
    ok = lib().crypto_core_ed25519_is_valid_point(publicKey);
  } catch {
    ok = false;
  }
  if (!ok) fail('INVALID_KEY', `${what}: not a valid point`);
  return publicKey;
}

// ------------------------------------------------------------------------------ XChaCha20-Poly1305 AEAD

export function aeadEncrypt(
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  associatedData: Uint8Array,
): Uint8Array {
  if (key.length !== AEAD_KEY_BYTES) fail('INVALID_KEY', 'AEAD key must be 32 bytes');
  if (nonce.length !== AEAD_NONCE_BYTES) fail('INVALID_ARGUMENT', 'AEAD nonce must be 24 bytes');
  return lib().crypto_aead_xchacha20poly1305_ietf_encrypt(plaintext, associatedData, null, nonce, key);
}

/** Decrypts and authenticates; any failure (lengths included) is `DECRYPT_FAILED` and yields no plaintext. */
export function aeadDecrypt(
  key: Uint8Array,
  nonce: Uint8Array,
  ciphertext: Uint8Array,
  associatedData: Uint8Array,
): Uint8Array {
  if (key.length !== AEAD_KEY_BYTES) fail('INVALID_KEY', 'AEAD key must be 32 bytes');
  if (nonce.length !== AEAD_NONCE_BYTES) fail('DECRYPT_FAILED', 'AEAD nonce must be 24 bytes');
  if (ciphertext.length < AEAD_TAG_BYTES) fail('DECRYPT_FAILED', 'ciphertext shorter than its tag');
  try {
    return lib().crypto_aead_xchacha20poly1305_ietf_decrypt(null, ciphertext, associatedData, nonce, key);
  } catch {
    throw new CryptoError('DECRYPT_FAILED', 'authentication failed');
  }
}

// ---------------------------------------------------------------------------------------------- BLAKE2b

/** BLAKE2b (RFC 7693) with output length 16–64 and an optional 16–64-byte key. */
export function blake2b(outputLength: number, message: Uint8Array, key: Uint8Array | null): Uint8Array {
  if (outputLength < 16 || outputLength > 64) fail('INVALID_ARGUMENT', 'BLAKE2b output must be 16–64 bytes');
  if (key !== null && (key.length < 16 || key.length > 64)) fail('INVALID_ARGUMENT', 'BLAKE2b key must be 16–64 bytes');
  return lib().crypto_generichash(outputLength, message, key);
}
