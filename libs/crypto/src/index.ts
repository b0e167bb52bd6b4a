/**
 * @miyu/crypto — Miyu's end-to-end encryption protocol (docs/protocol.md). Universal: runs in Node and in the
 * browser on libsodium (WebAssembly). Call `await ready()` once before anything else.
 */
export { ready } from './sodium.js';
export * from './errors.js';
export {
  toBase64Url,
  fromBase64Url,
  toHex,
  fromHex,
  bytesEqual,
  utf8Encode,
  utf8Decode,
  isValidId,
  MAX_ID_LENGTH,
} from './bytes.js';
export {
  type RandomSource,
  type X25519KeyPair,
  type Ed25519KeyPair,
  systemRandom,
  x25519GenerateKeyPair,
  x25519KeyPairFromSecret,
  assertX25519PublicKey,
  ed25519GenerateKeyPair,
  ed25519Sign,
  ed25519Verify,
} from './primitives.js';
export { KdfLabel, SignatureLabel, AdLabel, kdf, frame } from './kdf.js';
export * from './keys.js';
export * from './x3dh.js';
export * from './ratchet.js';
export * from './pairwise.js';
export * from './padding.js';
export * from './content.js';
export * from './envelope.js';
export * from './sender-keys.js';
export * from './group.js';
export * from './escrow.js';
export * from './to-device.js';
export * from './history.js';
export * from './recovery.js';
export { RECOVERY_WORDS } from './wordlist.js';
export * from './pairing.js';
export * from './safety-number.js';
export * from './canonical-json.js';
export * from './merkle.js';
export * from './attachments.js';
export * from './store.js';
export * from './api.js';
