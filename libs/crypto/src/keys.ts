import {
  ByteReader,
  ByteWriter,
  assertId,
  bytesEqual,
  fromBase64Url,
  toBase64Url,
  u32be,
  utf8Encode,
} from './bytes.js';
import { fail } from './errors.js';
import { SignatureLabel, frame } from './kdf.js';
import {
  type Ed25519KeyPair,
  type RandomSource,
  type X25519KeyPair,
  assertEd25519PublicKey,
  assertEd25519Signature,
  assertX25519PublicKey,
  ed25519GenerateKeyPair,
  ed25519KeyPairFromSeed,
  ed25519Seed,
  ed25519Sign,
  systemRandom,
  x25519GenerateKeyPair,
  x25519KeyPairFromSecret,
} from './primitives.js';

/**
 * Device keys (docs/protocol.md §4): an Ed25519 signing key that is the device's identity, a separate X25519
 * identity key signed by it, a signed prekey rotated weekly and a pool of one-time prekeys.
 */

export const BUNDLE_VERSION = 1;
export const SIGNED_PREKEY_ROTATION_MS = 7 * 24 * 60 * 60 * 1000;
/** Replaced signed prekeys are kept this many rotations so that in-flight prekey messages still open. */
export const SIGNED_PREKEYS_RETAINED = 3;
export const MAX_ONE_TIME_PREKEYS_PER_BUNDLE = 1000;
const NO_PREKEY_ID = 0xffffffff;

/** The public, signed statement "device `deviceId` of `userId` owns these two keys". */
export interface DeviceIdentity {
  userId: string;
  deviceId: string;
  /** Ed25519 public key: the device's identity for signatures, safety numbers and verification. */
  signingKey: Uint8Array;
  /** X25519 public key used in X3DH. */
  identityKey: Uint8Array;
  /** Ed25519 signature over the four fields above. */
  signature: Uint8Array;
}

export interface SignedPrekeyPublic {
  id: number;
  publicKey: Uint8Array;
  /** Milliseconds since the Unix epoch. */
  createdAt: number;
  signature: Uint8Array;
}

export interface OneTimePrekeyPublic {
  id: number;
  publicKey: Uint8Array;
}

/** What a device publishes to the key directory; a claimed bundle for X3DH carries at most one one-time prekey. */
export interface PublicBundle {
  identity: DeviceIdentity;
  signedPrekey: SignedPrekeyPublic;
  oneTimePrekeys: OneTimePrekeyPublic[];
}

export interface SignedPrekeyPrivate extends SignedPrekeyPublic {
  secretKey: Uint8Array;
}

export interface OneTimePrekeyPrivate {
  id: number;
  keyPair: X25519KeyPair;
}

/** A device's private key material (without one-time prekeys, which are stored one by one). */
export interface DeviceKeys {
  identity: DeviceIdentity;
  signing: Ed25519KeyPair;
  identityKeyPair: X25519KeyPair;
  /** Newest first; index 0 is the one currently published. */
  signedPrekeys: SignedPrekeyPrivate[];
  nextSignedPrekeyId: number;
  nextOneTimePrekeyId: number;
}

function identitySignedData(
  userId: string,
  deviceId: string,
  signingKey: Uint8Array,
  identityKey: Uint8Array,
): Uint8Array {
  return frame(SignatureLabel.DEVICE_IDENTITY, [utf8Encode(userId), utf8Encode(deviceId), signingKey, identityKey]);
}

function signedPrekeySignedData(
  signingKey: Uint8Array,
  id: number,
  publicKey: Uint8Array,
  createdAt: number,
): Uint8Array {
  return frame(SignatureLabel.SIGNED_PREKEY, [
    signingKey,
    u32be(id),
    publicKey,
    new ByteWriter().u64(createdAt).finish(),
  ]);
}

function makeSignedPrekey(signing: Ed25519KeyPair, id: number, now: number, random: RandomSource): SignedPrekeyPrivate {
  const pair = x25519GenerateKeyPair(random);
  const signature = ed25519Sign(signing.secretKey, signedPrekeySignedData(signing.publicKey, id, pair.publicKey, now));
  return { id, publicKey: pair.publicKey, createdAt: now, signature, secretKey: pair.secretKey };
}

export function generateDeviceKeys(options: {
  userId: string;
  deviceId: string;
  now?: number;
  random?: RandomSource;
}): DeviceKeys {
  const random = options.random ?? systemRandom;
  const now = options.now ?? Date.now();
  assertId(options.userId, 'userId');
  assertId(options.deviceId, 'deviceId');
  const signing = ed25519GenerateKeyPair(random);
  const identityKeyPair = x25519GenerateKeyPair(random);
  const signature = ed25519Sign(
    signing.secretKey,
    identitySignedData(options.userId, options.deviceId, signing.publicKey, identityKeyPair.publicKey),
  );
  const identity: DeviceIdentity = {
    userId: options.userId,
    deviceId: options.deviceId,
    signingKey: signing.publicKey,
    identityKey: identityKeyPair.publicKey,
    signature,
  };
  return {
    identity,
    signing,
    identityKeyPair,
    signedPrekeys: [makeSignedPrekey(signing, 1, now, random)],
    nextSignedPrekeyId: 2,
    nextOneTimePrekeyId: 1,
  };
}

export function currentSignedPrekey(keys: DeviceKeys): SignedPrekeyPrivate {
  const current = keys.signedPrekeys[0];
  if (!current) fail('INVALID_STATE', 'device has no signed prekey');
  return current;
}

export function needsSignedPrekeyRotation(
  keys: DeviceKeys,
  now: number,
  intervalMs = SIGNED_PREKEY_ROTATION_MS,
): boolean {
  return now - currentSignedPrekey(keys).createdAt >= intervalMs;
}

/** Adds a new current signed prekey and keeps the newest `SIGNED_PREKEYS_RETAINED` (returns a new object). */
export function rotateSignedPrekey(keys: DeviceKeys, now: number, random: RandomSource = systemRandom): DeviceKeys {
  const fresh = makeSignedPrekey(keys.signing, keys.nextSignedPrekeyId, now, random);
  return {
    ...keys,
    signedPrekeys: [fresh, ...keys.signedPrekeys].slice(0, SIGNED_PREKEYS_RETAINED),
    nextSignedPrekeyId: keys.nextSignedPrekeyId + 1,
  };
}

export function generateOneTimePrekeys(
  keys: DeviceKeys,
  count: number,
  random: RandomSource = systemRandom,
): { keys: DeviceKeys; prekeys: OneTimePrekeyPrivate[] } {
  if (!Number.isInteger(count) || count < 1 || count > MAX_ONE_TIME_PREKEYS_PER_BUNDLE)
    fail('INVALID_ARGUMENT', 'prekey count out of range');
  if (keys.nextOneTimePrekeyId + count >= NO_PREKEY_ID) fail('INVALID_STATE', 'one-time prekey ids exhausted');
  const prekeys: OneTimePrekeyPrivate[] = [];
  for (let i = 0; i < count; i += 1) {
    prekeys.push({ id: keys.nextOneTimePrekeyId + i, keyPair: x25519GenerateKeyPair(random) });
  }
  return { keys: { ...keys, nextOneTimePrekeyId: keys.nextOneTimePrekeyId + count }, prekeys };
}

export function publicBundle(keys: DeviceKeys, oneTimePrekeys: readonly OneTimePrekeyPrivate[] = []): PublicBundle {
  const spk = currentSignedPrekey(keys);
  return {
    identity: keys.identity,
    signedPrekey: { id: spk.id, publicKey: spk.publicKey, createdAt: spk.createdAt, signature: spk.signature },
    oneTimePrekeys: oneTimePrekeys.map((p) => ({ id: p.id, publicKey: p.keyPair.publicKey })),
  };
}

// -------------------------------------------------------------------------------------------- verification

/** Checks the identity signature and key validity; throws `BAD_SIGNATURE` / `INVALID_KEY`. */
export function verifyDeviceIdentity(identity: DeviceIdentity): DeviceIdentity {
  assertEd25519PublicKey(identity.signingKey, 'device signing key');
  assertX25519PublicKey(identity.identityKey, 'device identity key');
  assertEd25519Signature(
    identity.signingKey,
    identitySignedData(identity.userId, identity.deviceId, identity.signingKey, identity.identityKey),
    identity.signature,
    'device identity',
  );
  return identity;
}

/** Verifies a whole bundle: identity, signed prekey signature and every public key. */
export function verifyBundle(bundle: PublicBundle): PublicBundle {
  verifyDeviceIdentity(bundle.identity);
  const spk = bundle.signedPrekey;
  assertX25519PublicKey(spk.publicKey, 'signed prekey');
  assertEd25519Signature(
    bundle.identity.signingKey,
    signedPrekeySignedData(bundle.identity.signingKey, spk.id, spk.publicKey, spk.createdAt),
    spk.signature,
    'signed prekey',
  );
  const ids = new Set<number>();
  for (const otp of bundle.oneTimePrekeys) {
    assertX25519PublicKey(otp.publicKey, 'one-time prekey');
    if (ids.has(otp.id)) fail('MALFORMED', 'duplicate one-time prekey id');
    ids.add(otp.id);
  }
  return bundle;
}

export function sameIdentity(a: DeviceIdentity, b: DeviceIdentity): boolean {
  return (
    a.userId === b.userId &&
    a.deviceId === b.deviceId &&
    bytesEqual(a.signingKey, b.signingKey) &&
    bytesEqual(a.identityKey, b.identityKey)
  );
}

// ------------------------------------------------------------------------------------------------ encoding

export function writeDeviceIdentity(w: ByteWriter, identity: DeviceIdentity): ByteWriter {
  return w
    .id(identity.userId)
    .id(identity.deviceId)
    .bytes(identity.signingKey)
    .bytes(identity.identityKey)
    .bytes(identity.signature);
}

export function readDeviceIdentity(r: ByteReader): DeviceIdentity {
  return {
    userId: r.id(),
    deviceId: r.id(),
    signingKey: r.bytes(32),
    identityKey: r.bytes(32),
    signature: r.bytes(64),
  };
}

export function encodeDeviceIdentity(identity: DeviceIdentity): Uint8Array {
  return writeDeviceIdentity(new ByteWriter().u8(BUNDLE_VERSION), identity).finish();
}

export function decodeDeviceIdentity(bytes: Uint8Array): DeviceIdentity {
  const r = new ByteReader(bytes, 'device identity');
  if (r.u8() !== BUNDLE_VERSION) fail('UNSUPPORTED_VERSION', 'device identity version');
  const identity = readDeviceIdentity(r);
  r.end();
  return identity;
}

export function encodeBundle(bundle: PublicBundle): Uint8Array {
  if (bundle.oneTimePrekeys.length > MAX_ONE_TIME_PREKEYS_PER_BUNDLE)
    fail('INVALID_ARGUMENT', 'too many one-time prekeys');
  const w = writeDeviceIdentity(new ByteWriter().u8(BUNDLE_VERSION), bundle.identity);
  const spk = bundle.signedPrekey;
  w.u32(spk.id).bytes(spk.publicKey).u64(spk.createdAt).bytes(spk.signature);
  w.u16(bundle.oneTimePrekeys.length);
  for (const otp of bundle.oneTimePrekeys) w.u32(otp.id).bytes(otp.publicKey);
  return w.finish();
}

/** Parses a bundle (structure only); call `verifyBundle` before trusting it. */
export function decodeBundle(bytes: Uint8Array): PublicBundle {
  const r = new ByteReader(bytes, 'bundle');
  if (r.u8() !== BUNDLE_VERSION) fail('UNSUPPORTED_VERSION', 'bundle version');
  const identity = readDeviceIdentity(r);
  const signedPrekey = { id: r.u32(), publicKey: r.bytes(32), createdAt: r.u64(), signature: r.bytes(64) };
  const count = r.u16();
  if (count > MAX_ONE_TIME_PREKEYS_PER_BUNDLE) fail('MALFORMED', 'bundle: too many one-time prekeys');
  const oneTimePrekeys: OneTimePrekeyPublic[] = [];
  for (let i = 0; i < count; i += 1) oneTimePrekeys.push({ id: r.u32(), publicKey: r.bytes(32) });
  r.end();
  return { identity, signedPrekey, oneTimePrekeys };
}

/** JSON-safe form for the key directory (binary fields as base64url). */
export interface PublicBundleJson {
  v: 1;
  bundle: string;
}

export function bundleToJson(bundle: PublicBundle): PublicBundleJson {
  return { v: 1, bundle: toBase64Url(encodeBundle(bundle)) };
}

export function bundleFromJson(value: unknown): PublicBundle {
  if (typeof value !== 'object' || value === null) fail('MALFORMED', 'bundle JSON: not an object');
  const record = value as Record<string, unknown>;
  if (record['v'] !== 1) fail('UNSUPPORTED_VERSION', 'bundle JSON version');
  if (typeof record['bundle'] !== 'string') fail('MALFORMED', 'bundle JSON: missing bundle');
  return decodeBundle(fromBase64Url(record['bundle'], 'bundle'));
}

// --------------------------------------------------------------------------------- private-state encoding

const DEVICE_KEYS_RECORD_VERSION = 1;

export function encodeDeviceKeys(keys: DeviceKeys): Uint8Array {
  const w = new ByteWriter().u8(DEVICE_KEYS_RECORD_VERSION);
  writeDeviceIdentity(w, keys.identity);
  w.bytes(ed25519Seed(keys.signing.secretKey)).bytes(keys.identityKeyPair.secretKey);
  w.u32(keys.nextSignedPrekeyId).u32(keys.nextOneTimePrekeyId).u8(keys.signedPrekeys.length);
  for (const spk of keys.signedPrekeys) w.u32(spk.id).bytes(spk.secretKey).u64(spk.createdAt).bytes(spk.signature);
  return w.finish();
}

export function decodeDeviceKeys(bytes: Uint8Array): DeviceKeys {
  const r = new ByteReader(bytes, 'device keys record');
  if (r.u8() !== DEVICE_KEYS_RECORD_VERSION) fail('UNSUPPORTED_VERSION', 'device keys record version');
  const identity = readDeviceIdentity(r);
  const signing = ed25519KeyPairFromSeed(r.bytes(32));
  const identityKeyPair = x25519KeyPairFromSecret(r.bytes(32));
  const nextSignedPrekeyId = r.u32();
  const nextOneTimePrekeyId = r.u32();
  const count = r.u8();
  const signedPrekeys: SignedPrekeyPrivate[] = [];
  for (let i = 0; i < count; i += 1) {
    const id = r.u32();
    const pair = x25519KeyPairFromSecret(r.bytes(32));
    signedPrekeys.push({
      id,
      secretKey: pair.secretKey,
      publicKey: pair.publicKey,
      createdAt: r.u64(),
      signature: r.bytes(64),
    });
  }
  r.end();
  if (
    !bytesEqual(signing.publicKey, identity.signingKey) ||
    !bytesEqual(identityKeyPair.publicKey, identity.identityKey)
  ) {
    fail('MALFORMED', 'device keys record: keys do not match identity');
  }
  return { identity, signing, identityKeyPair, signedPrekeys, nextSignedPrekeyId, nextOneTimePrekeyId };
}

export function encodeOneTimePrekey(prekey: OneTimePrekeyPrivate): Uint8Array {
  return new ByteWriter().u8(1).u32(prekey.id).bytes(prekey.keyPair.secretKey).finish();
}

export function decodeOneTimePrekey(bytes: Uint8Array): OneTimePrekeyPrivate {
  const r = new ByteReader(bytes, 'one-time prekey record');
  if (r.u8() !== 1) fail('UNSUPPORTED_VERSION', 'one-time prekey record version');
  const id = r.u32();
  const keyPair = x25519KeyPairFromSecret(r.bytes(32));
  r.end();
  return { id, keyPair };
}

export { NO_PREKEY_ID };
