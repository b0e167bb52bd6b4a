import { ByteReader, ByteWriter, bytesEqual } from './bytes.js';
import { CryptoError, fail } from './errors.js';
import { KdfLabel, chainStep, kdf } from './kdf.js';
import { type DeviceIdentity, NO_PREKEY_ID, readDeviceIdentity, writeDeviceIdentity } from './keys.js';
import {
  type RandomSource,
  type X25519KeyPair,
  aeadDecrypt,
  aeadEncrypt,
  systemRandom,
  x25519,
  x25519GenerateKeyPair,
} from './primitives.js';
import type { X3dhInitiation, X3dhResult } from './x3dh.js';

/**
 * The Double Ratchet of the pairwise device channel (docs/protocol.md §6). All functions are pure: they take
 * a session and return a new one, so a failed decrypt leaves the caller's session exactly as it was.
 */

export const PAIRWISE_VERSION = 1;
export const PairwiseMessageType = { PREKEY: 1, MESSAGE: 2 } as const;
/** Largest gap accepted within one receiving chain. */
export const MAX_SKIP = 1000;
/** Skipped message keys kept per session (all chains together), oldest evicted first. */
export const MAX_SKIPPED_KEYS = 2000;
/** Receiving ratchet keys remembered after they were replaced, to classify late duplicates as replays. */
export const MAX_PREVIOUS_RECEIVING_KEYS = 16;
/** The pairwise channel carries key material only. */
export const MAX_PAIRWISE_PLAINTEXT = 64 * 1024;

export interface PrekeyPreamble {
  initiator: DeviceIdentity;
  ephemeralKey: Uint8Array;
  signedPrekeyId: number;
  oneTimePrekeyId: number | null;
}

export interface PairwiseMessage {
  sessionId: Uint8Array;
  preamble: PrekeyPreamble | null;
  ratchetKey: Uint8Array;
  previousChainLength: number;
  index: number;
  ciphertext: Uint8Array;
}

interface SkippedKey {
  ratchetKey: Uint8Array;
  index: number;
  messageKey: Uint8Array;
}

export interface RatchetSession {
  sessionId: Uint8Array;
  peer: DeviceIdentity;
  rootKey: Uint8Array;
  sendingRatchet: X25519KeyPair;
  receivingRatchetKey: Uint8Array | null;
  sendingChainKey: Uint8Array | null;
  receivingChainKey: Uint8Array | null;
  sendIndex: number;
  receiveIndex: number;
  previousSendingChainLength: number;
  skipped: SkippedKey[];
  previousReceivingKeys: Uint8Array[];
  /** Initiator only: sent with every message until the first reply proves the responder has the session. */
  preamble: PrekeyPreamble | null;
}

// ---------------------------------------------------------------------------------------- message codec

function writeHeader(message: Omit<PairwiseMessage, 'ciphertext'>): Uint8Array {
  const w = new ByteWriter()
    .u8(PAIRWISE_VERSION)
    .u8(message.preamble ? PairwiseMessageType.PREKEY : PairwiseMessageType.MESSAGE)
    .bytes(message.sessionId);
  if (message.preamble) {
    writeDeviceIdentity(w, message.preamble.initiator)
      .bytes(message.preamble.ephemeralKey)
      .u32(message.preamble.signedPrekeyId)
      .u32(message.preamble.oneTimePrekeyId ?? NO_PREKEY_ID);
  }
  return w.bytes(message.ratchetKey).u32(message.previousChainLength).u32(message.index).finish();
}

export function encodePairwiseMessage(message: PairwiseMessage): Uint8Array {
  return new ByteWriter().bytes(writeHeader(message)).bytes(message.ciphertext).finish();
}

/** Parses a pairwise message; the header (associated data) is every byte before the ciphertext. */
export function decodePairwiseMessage(bytes: Uint8Array): PairwiseMessage & { header: Uint8Array } {
  const r = new ByteReader(bytes, 'pairwise message');
  if (bytes.length > MAX_PAIRWISE_PLAINTEXT + 1024) fail('MALFORMED', 'pairwise message too large');
  if (r.u8() !== PAIRWISE_VERSION) fail('UNSUPPORTED_VERSION', 'pairwise message version');
  const type = r.u8();
  if (type !== PairwiseMessageType.PREKEY && type !== PairwiseMessageType.MESSAGE)
    fail('MALFORMED', 'pairwise message type');
  const sessionId = r.bytes(16);
  let preamble: PrekeyPreamble | null = null;
  if (type === PairwiseMessageType.PREKEY) {
    const initiator = readDeviceIdentity(r);
    const ephemeralKey = r.bytes(32);
    const signedPrekeyId = r.u32();
    const otp = r.u32();
    preamble = { initiator, ephemeralKey, signedPrekeyId, oneTimePrekeyId: otp === NO_PREKEY_ID ? null : otp };
  }
  const ratchetKey = r.bytes(32);
  const previousChainLength = r.u32();
  const index = r.u32();
  const header = bytes.slice(0, r.position);
  const ciphertext = r.bytes(r.remaining);
  if (ciphertext.length < 16) fail('MALFORMED', 'pairwise message: ciphertext truncated');
  return { sessionId, preamble, ratchetKey, previousChainLength, index, ciphertext, header };
}

// --------------------------------------------------------------------------------------------- KDF steps

/** KDF_RK: (root key, DH output) → (new root key, chain key). */
export function kdfRoot(rootKey: Uint8Array, dhOutput: Uint8Array): { rootKey: Uint8Array; chainKey: Uint8Array } {
  const out = kdf(rootKey, KdfLabel.DR_ROOT, [dhOutput], 64);
  return { rootKey: out.slice(0, 32), chainKey: out.slice(32, 64) };
}

/** KDF_CK: chain key → (message key, next chain key). */
export function kdfChain(chainKey: Uint8Array): { messageKey: Uint8Array; nextChainKey: Uint8Array } {
  return chainStep(chainKey, KdfLabel.DR_MESSAGE_KEY, KdfLabel.DR_CHAIN);
}

/** The AEAD nonce of a message key (each message key encrypts exactly one message). */
export function messageNonce(messageKey: Uint8Array): Uint8Array {
  return kdf(messageKey, KdfLabel.DR_NONCE, [], 24);
}

// ------------------------------------------------------------------------------------------ session setup

export function initiatorSession(
  x3dh: X3dhInitiation,
  own: DeviceIdentity,
  peer: DeviceIdentity,
  random: RandomSource = systemRandom,
): RatchetSession {
  const sendingRatchet = x25519GenerateKeyPair(random);
  const { rootKey, chainKey } = kdfRoot(x3dh.sharedSecret, x25519(sendingRatchet.secretKey, x3dh.signedPrekey));
  return {
    sessionId: x3dh.sessionId,
    peer,
    rootKey,
    sendingRatchet,
    receivingRatchetKey: x3dh.signedPrekey,
    sendingChainKey: chainKey,
    receivingChainKey: null,
    sendIndex: 0,
    receiveIndex: 0,
    previousSendingChainLength: 0,
    skipped: [],
    previousReceivingKeys: [],
    preamble: {
      initiator: own,
      ephemeralKey: x3dh.ephemeralKey.publicKey,
      signedPrekeyId: x3dh.signedPrekeyId,
      oneTimePrekeyId: x3dh.oneTimePrekeyId,
    },
  };
}

export function responderSession(x3dh: X3dhResult, signedPrekey: X25519KeyPair, peer: DeviceIdentity): RatchetSession {
  return {
    sessionId: x3dh.sessionId,
    peer,
    rootKey: x3dh.sharedSecret,
    sendingRatchet: signedPrekey,
    receivingRatchetKey: null,
    sendingChainKey: null,
    receivingChainKey: null,
    sendIndex: 0,
    receiveIndex: 0,
    previousSendingChainLength: 0,
    skipped: [],
    previousReceivingKeys: [],
    preamble: null,
  };
}

function cloneSession(s: RatchetSession): RatchetSession {
  return { ...s, skipped: [...s.skipped], previousReceivingKeys: [...s.previousReceivingKeys] };
}

// ------------------------------------------------------------------------------------- encrypt / decrypt

export function ratchetEncrypt(
  session: RatchetSession,
  plaintext: Uint8Array,
): { session: RatchetSession; message: Uint8Array } {
  if (plaintext.length > MAX_PAIRWISE_PLAINTEXT) fail('INVALID_ARGUMENT', 'pairwise plaintext too large');
  if (!session.sendingChainKey) fail('INVALID_STATE', 'responder cannot send before receiving');
  const next = cloneSession(session);
  const { messageKey, nextChainKey } = kdfChain(session.sendingChainKey);
  const headerFields = {
    sessionId: session.sessionId,
    preamble: session.preamble,
    ratchetKey: session.sendingRatchet.publicKey,
    previousChainLength: session.previousSendingChainLength,
    index: session.sendIndex,
  };
  const header = writeHeader(headerFields);
  const ciphertext = aeadEncrypt(messageKey, messageNonce(messageKey), plaintext, header);
  next.sendingChainKey = nextChainKey;
  next.sendIndex = session.sendIndex + 1;
  return { session: next, message: new ByteWriter().bytes(header).bytes(ciphertext).finish() };
}

function skipTo(s: RatchetSession, until: number): void {
  if (!s.receivingChainKey || !s.receivingRatchetKey) return;
  if (until - s.receiveIndex > MAX_SKIP) fail('TOO_FAR_AHEAD', `message ${until - s.receiveIndex} ahead of its chain`);
  let chainKey = s.receivingChainKey;
  while (s.receiveIndex < until) {
    const step = kdfChain(chainKey);
    s.skipped.push({ ratchetKey: s.receivingRatchetKey, index: s.receiveIndex, messageKey: step.messageKey });
    chainKey = step.nextChainKey;
    s.receiveIndex += 1;
  }
  s.receivingChainKey = chainKey;
  if (s.skipped.length > MAX_SKIPPED_KEYS) s.skipped.splice(0, s.skipped.length - MAX_SKIPPED_KEYS);
}

function dhRatchet(s: RatchetSession, ratchetKey: Uint8Array, random: RandomSource): void {
  if (s.receivingRatchetKey) {
    s.previousReceivingKeys.push(s.receivingRatchetKey);
    if (s.previousReceivingKeys.length > MAX_PREVIOUS_RECEIVING_KEYS) s.previousReceivingKeys.shift();
  }
  s.previousSendingChainLength = s.sendIndex;
  s.sendIndex = 0;
  s.receiveIndex = 0;
  s.receivingRatchetKey = ratchetKey;
  const receiving = kdfRoot(s.rootKey, x25519(s.sendingRatchet.secretKey, ratchetKey));
  s.receivingChainKey = receiving.chainKey;
  s.sendingRatchet = x25519GenerateKeyPair(random);
  const sending = kdfRoot(receiving.rootKey, x25519(s.sendingRatchet.secretKey, ratchetKey));
  s.rootKey = sending.rootKey;
  s.sendingChainKey = sending.chainKey;
}

/**
 * Decrypts a parsed message. Errors: REPLAY (key already used or evicted), TOO_FAR_AHEAD, INVALID_KEY,
 * DECRYPT_FAILED. On any error the input session is untouched (the caller simply keeps it).
 */
export function ratchetDecrypt(
  session: RatchetSession,
  message: PairwiseMessage & { header: Uint8Array },
  random: RandomSource = systemRandom,
): { session: RatchetSession; plaintext: Uint8Array } {
  if (!bytesEqual(message.sessionId, session.sessionId)) fail('UNKNOWN_SESSION', 'message belongs to another session');
  const s = cloneSession(session);
  let messageKey: Uint8Array;
  const skippedAt = s.skipped.findIndex(
    (k) => k.index === message.index && bytesEqual(k.ratchetKey, message.ratchetKey),
  );
  if (skippedAt >= 0) {
    messageKey = (s.skipped[skippedAt] as SkippedKey).messageKey;
    s.skipped.splice(skippedAt, 1);
  } else {
    if (s.receivingRatchetKey && bytesEqual(message.ratchetKey, s.receivingRatchetKey) && s.receivingChainKey) {
      if (message.index < s.receiveIndex) fail('REPLAY', 'message key already used');
    } else if (s.previousReceivingKeys.some((k) => bytesEqual(k, message.ratchetKey))) {
      fail('REPLAY', 'message from a finished chain whose key was already used');
    } else {
      skipTo(s, message.previousChainLength);
      dhRatchet(s, message.ratchetKey, random);
    }
    skipTo(s, message.index);
    const step = kdfChain(s.receivingChainKey as Uint8Array);
    messageKey = step.messageKey;
    s.receivingChainKey = step.nextChainKey;
    s.receiveIndex += 1;
  }
  let plaintext: Uint8Array;
  try {
    plaintext = aeadDecrypt(messageKey, messageNonce(messageKey), message.ciphertext, message.header);
  } catch (error) {
    if (error instanceof CryptoError) throw error;
    throw new CryptoError('DECRYPT_FAILED', 'pairwise message');
  }
  // Any authentic message from the peer proves it holds the session: stop sending the X3DH preamble.
  s.preamble = null;
  return { session: s, plaintext };
}

// --------------------------------------------------------------------------------------- state encoding

const SESSION_RECORD_VERSION = 1;

export function encodeRatchetSession(s: RatchetSession): Uint8Array {
  const w = new ByteWriter().u8(SESSION_RECORD_VERSION).bytes(s.sessionId);
  writeDeviceIdentity(w, s.peer).bytes(s.rootKey).bytes(s.sendingRatchet.secretKey).bytes(s.sendingRatchet.publicKey);
  const flags =
    (s.receivingRatchetKey ? 1 : 0) |
    (s.sendingChainKey ? 2 : 0) |
    (s.receivingChainKey ? 4 : 0) |
    (s.preamble ? 8 : 0);
  w.u8(flags);
  if (s.receivingRatchetKey) w.bytes(s.receivingRatchetKey);
  if (s.sendingChainKey) w.bytes(s.sendingChainKey);
  if (s.receivingChainKey) w.bytes(s.receivingChainKey);
  w.u32(s.sendIndex).u32(s.receiveIndex).u32(s.previousSendingChainLength);
  if (s.preamble) {
    writeDeviceIdentity(w, s.preamble.initiator)
      .bytes(s.preamble.ephemeralKey)
      .u32(s.preamble.signedPrekeyId)
      .u32(s.preamble.oneTimePrekeyId ?? NO_PREKEY_ID);
  }
  w.u16(s.skipped.length);
  for (const k of s.skipped) w.bytes(k.ratchetKey).u32(k.index).bytes(k.messageKey);
  w.u8(s.previousReceivingKeys.length);
  for (const k of s.previousReceivingKeys) w.bytes(k);
  return w.finish();
}

export function decodeRatchetSession(bytes: Uint8Array): RatchetSession {
  const r = new ByteReader(bytes, 'ratchet session record');
  if (r.u8() !== SESSION_RECORD_VERSION) fail('UNSUPPORTED_VERSION', 'ratchet session record version');
  const sessionId = r.bytes(16);
  const peer = readDeviceIdentity(r);
  const rootKey = r.bytes(32);
  // Stored with its public half: decoding a session costs no scalar multiplication.
  const sendingRatchet = { secretKey: r.bytes(32), publicKey: r.bytes(32) };
  const flags = r.flags(15);
  const receivingRatchetKey = flags & 1 ? r.bytes(32) : null;
  const sendingChainKey = flags & 2 ? r.bytes(32) : null;
  const receivingChainKey = flags & 4 ? r.bytes(32) : null;
  const sendIndex = r.u32();
  const receiveIndex = r.u32();
  const previousSendingChainLength = r.u32();
  let preamble: PrekeyPreamble | null = null;
  if (flags & 8) {
    const initiator = readDeviceIdentity(r);
    const ephemeralKey = r.bytes(32);
    const signedPrekeyId = r.u32();
    const otp = r.u32();
    preamble = { initiator, ephemeralKey, signedPrekeyId, oneTimePrekeyId: otp === NO_PREKEY_ID ? null : otp };
  }
  const skippedCount = r.u16();
  if (skippedCount > MAX_SKIPPED_KEYS) fail('MALFORMED', 'ratchet session record: too many skipped keys');
  const skipped: SkippedKey[] = [];
  for (let i = 0; i < skippedCount; i += 1)
    skipped.push({ ratchetKey: r.bytes(32), index: r.u32(), messageKey: r.bytes(32) });
  const previousCount = r.u8();
  const previousReceivingKeys: Uint8Array[] = [];
  for (let i = 0; i < previousCount; i += 1) previousReceivingKeys.push(r.bytes(32));
  r.end();
  return {
    sessionId,
    peer,
    rootKey,
    sendingRatchet,
    receivingRatchetKey,
    sendingChainKey,
    receivingChainKey,
    sendIndex,
    receiveIndex,
    previousSendingChainLength,
    skipped,
    previousReceivingKeys,
    preamble,
  };
}
