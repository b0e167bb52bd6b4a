import { ByteReader, ByteWriter, bytesEqual } from './bytes.js';
import { fail } from './errors.js';
import {
  type Envelope,
  EnvelopeProto,
  ENVELOPE_VERSION,
  SESSION_ID_BYTES,
  envelopeAssociatedData,
  envelopeSignedData,
} from './envelope.js';
import { KdfLabel, chainStep } from './kdf.js';
import {
  type Ed25519KeyPair,
  type RandomSource,
  AEAD_NONCE_BYTES,
  aeadDecrypt,
  aeadEncrypt,
  assertEd25519PublicKey,
  ed25519GenerateKeyPair,
  ed25519Sign,
  ed25519Verify,
  randomBytes,
  systemRandom,
} from './primitives.js';

/**
 * Sender keys (docs/protocol.md §7): per (conversation, sending device, epoch) a hash-ratchet chain key and an
 * Ed25519 signing key. Sending is O(1) in group size; the session is shared once per member device over the
 * pairwise channel. Functions are pure and return new state.
 */

export const SENDER_KEY_EXPORT_VERSION = 1;
/** Largest jump ahead of the receiving position accepted by live decryption. */
export const MAX_SENDER_KEY_SKIP = 2000;
/** Unused message keys kept for late messages, oldest evicted first. */
export const MAX_SENDER_KEY_SKIPPED = 2000;
/** History decryption derives from the first known index; this bounds its work. */
export const MAX_SENDER_KEY_HISTORY_DISTANCE = 100_000;

export interface SenderKeyIdentity {
  sessionId: Uint8Array;
  conversationId: string;
  senderUserId: string;
  senderDeviceId: string;
  epoch: number;
}

/** A session at a given index: what a member device, a new member or a backup receives. */
export interface SenderKeyExport extends SenderKeyIdentity {
  chainIndex: number;
  chainKey: Uint8Array;
  signingKey: Uint8Array;
}

export interface OutboundSenderKey extends SenderKeyIdentity {
  chainIndex: number;
  chainKey: Uint8Array;
  signing: Ed25519KeyPair;
  createdAt: number;
  /** Compliance escrow wrap computed at creation (index 0), sent in every envelope of the session. */
  escrow: { compliancePublicKey: Uint8Array; wrap: Uint8Array } | null;
}

export interface InboundSenderKey extends SenderKeyIdentity {
  signingKey: Uint8Array;
  /** Earliest index this device can decrypt (0 for members present at creation). */
  firstIndex: number;
  firstChainKey: Uint8Array;
  /** Live-decryption position: the chain key for `nextIndex`. */
  nextIndex: number;
  chainKey: Uint8Array;
  skipped: { index: number; messageKey: Uint8Array }[];
}

export function senderKeyStep(chainKey: Uint8Array): { messageKey: Uint8Array; nextChainKey: Uint8Array } {
  return chainStep(chainKey, KdfLabel.SK_MESSAGE_KEY, KdfLabel.SK_CHAIN);
}

/** Advances a chain key from `from` to `to` (to ≥ from). */
export function advanceSenderChain(chainKey: Uint8Array, from: number, to: number): Uint8Array {
  let key = chainKey;
  for (let i = from; i < to; i += 1) key = senderKeyStep(key).nextChainKey;
  return key;
}

export function createOutboundSenderKey(
  options: { conversationId: string; senderUserId: string; senderDeviceId: string; epoch: number; now?: number },
  random: RandomSource = systemRandom,
): OutboundSenderKey {
  const session: OutboundSenderKey = {
    sessionId: randomBytes(SESSION_ID_BYTES, random),
    conversationId: options.conversationId,
    senderUserId: options.senderUserId,
    senderDeviceId: options.senderDeviceId,
    epoch: options.epoch,
    chainIndex: 0,
    chainKey: randomBytes(32, random),
    signing: ed25519GenerateKeyPair(random),
    createdAt: options.now ?? Date.now(),
    escrow: null,
  };
  encodeSenderKeyExport(exportOutboundSenderKey(session)); // validates identifiers and ranges
  return session;
}

export function exportOutboundSenderKey(session: OutboundSenderKey): SenderKeyExport {
  return {
    sessionId: session.sessionId,
    conversationId: session.conversationId,
    senderUserId: session.senderUserId,
    senderDeviceId: session.senderDeviceId,
    epoch: session.epoch,
    chainIndex: session.chainIndex,
    chainKey: session.chainKey,
    signingKey: session.signing.publicKey,
  };
}

export function importSenderKey(exported: SenderKeyExport): InboundSenderKey {
  assertEd25519PublicKey(exported.signingKey, 'sender signing key');
  return inboundFromExport(exported);
}

/**
 * Without the signing-key check: for records this device stored itself, whose key was checked when they were first
 * imported (the check costs about half a decrypt, and every decrypt reads the record).
 */
function inboundFromExport(exported: SenderKeyExport): InboundSenderKey {
  return {
    sessionId: exported.sessionId,
    conversationId: exported.conversationId,
    senderUserId: exported.senderUserId,
    senderDeviceId: exported.senderDeviceId,
    epoch: exported.epoch,
    signingKey: exported.signingKey,
    firstIndex: exported.chainIndex,
    firstChainKey: exported.chainKey,
    nextIndex: exported.chainIndex,
    chainKey: exported.chainKey,
    skipped: [],
  };
}

/** Exports an inbound session at `index` (default: its first index, i.e. everything it can read). */
export function exportInboundSenderKey(session: InboundSenderKey, index = session.firstIndex): SenderKeyExport {
  if (index < session.firstIndex) fail('INVALID_ARGUMENT', 'cannot export before the first known index');
  if (index - session.firstIndex > MAX_SENDER_KEY_HISTORY_DISTANCE) fail('TOO_FAR_AHEAD', 'export index too far ahead');
  return {
    sessionId: session.sessionId,
    conversationId: session.conversationId,
    senderUserId: session.senderUserId,
    senderDeviceId: session.senderDeviceId,
    epoch: session.epoch,
    chainIndex: index,
    chainKey: advanceSenderChain(session.firstChainKey, session.firstIndex, index),
    signingKey: session.signingKey,
  };
}

function sameSession(
  a: SenderKeyIdentity & { signingKey: Uint8Array },
  b: SenderKeyIdentity & { signingKey: Uint8Array },
): boolean {
  return (
    bytesEqual(a.sessionId, b.sessionId) &&
    a.conversationId === b.conversationId &&
    a.senderUserId === b.senderUserId &&
    a.senderDeviceId === b.senderDeviceId &&
    a.epoch === b.epoch &&
    bytesEqual(a.signingKey, b.signingKey)
  );
}

/**
 * Combines what we hold with a newly received export of the same session (e.g. from a backup): keeps the
 * earlier first index, after checking that both lie on the same chain. Live position and skipped keys stay.
 */
export function mergeInboundSenderKey(existing: InboundSenderKey, incoming: SenderKeyExport): InboundSenderKey {
  if (!sameSession(existing, incoming)) fail('SESSION_MISMATCH', 'export belongs to another session');
  if (incoming.chainIndex >= existing.firstIndex) {
    const expected = exportInboundSenderKey(existing, incoming.chainIndex);
    if (!bytesEqual(expected.chainKey, incoming.chainKey)) fail('SESSION_MISMATCH', 'export is not on this chain');
    return existing;
  }
  if (existing.firstIndex - incoming.chainIndex > MAX_SENDER_KEY_HISTORY_DISTANCE)
    fail('TOO_FAR_AHEAD', 'export too old');
  if (
    !bytesEqual(advanceSenderChain(incoming.chainKey, incoming.chainIndex, existing.firstIndex), existing.firstChainKey)
  ) {
    fail('SESSION_MISMATCH', 'export is not on this chain');
  }
  return { ...existing, firstIndex: incoming.chainIndex, firstChainKey: incoming.chainKey };
}

// ------------------------------------------------------------------------------------ encrypt / decrypt

/**
 * Encrypts an already padded plaintext into a signed envelope and advances the chain. `nonce` is injectable
 * for known-answer tests only; it is otherwise 24 random bytes.
 */
export function senderKeyEncrypt(
  session: OutboundSenderKey,
  message: { clientMsgId: string; policyVersion: number; plaintext: Uint8Array; nonce?: Uint8Array },
  random: RandomSource = systemRandom,
): { session: OutboundSenderKey; envelope: Envelope } {
  if (session.chainIndex >= 0xffffffff) fail('INVALID_STATE', 'sender key chain exhausted');
  const { messageKey, nextChainKey } = senderKeyStep(session.chainKey);
  const header = {
    v: ENVELOPE_VERSION,
    proto: EnvelopeProto.SENDER_KEY_V1,
    conversationId: session.conversationId,
    clientMsgId: message.clientMsgId,
    senderUserId: session.senderUserId,
    senderDeviceId: session.senderDeviceId,
    sessionId: session.sessionId,
    chainIndex: session.chainIndex,
    policyVersion: message.policyVersion,
    escrow: session.escrow ? session.escrow.wrap : null,
    nonce: message.nonce ?? randomBytes(AEAD_NONCE_BYTES, random),
  } as const;
  const ciphertext = aeadEncrypt(messageKey, header.nonce, message.plaintext, envelopeAssociatedData(header));
  const unsigned = { ...header, ciphertext };
  const signature = ed25519Sign(session.signing.secretKey, envelopeSignedData(unsigned));
  return {
    session: { ...session, chainIndex: session.chainIndex + 1, chainKey: nextChainKey },
    envelope: { ...unsigned, signature },
  };
}

function checkEnvelopeSession(session: InboundSenderKey, envelope: Envelope): void {
  if (!bytesEqual(session.sessionId, envelope.sessionId)) fail('UNKNOWN_SESSION', 'envelope names another session');
  if (
    session.conversationId !== envelope.conversationId ||
    session.senderUserId !== envelope.senderUserId ||
    session.senderDeviceId !== envelope.senderDeviceId
  ) {
    fail('SESSION_MISMATCH', 'envelope sender or conversation does not match its session');
  }
  if (!ed25519Verify(session.signingKey, envelopeSignedData(envelope), envelope.signature)) {
    fail('BAD_SIGNATURE', 'envelope signature does not verify');
  }
}

function open(messageKey: Uint8Array, envelope: Envelope): Uint8Array {
  return aeadDecrypt(messageKey, envelope.nonce, envelope.ciphertext, envelopeAssociatedData(envelope));
}

/**
 * Live decryption: each index opens once (REPLAY afterwards), later indices up to MAX_SENDER_KEY_SKIP ahead,
 * earlier ones from the bounded skipped-key cache. The returned session replaces the input only on success.
 */
export function senderKeyDecrypt(
  session: InboundSenderKey,
  envelope: Envelope,
): { session: InboundSenderKey; plaintext: Uint8Array } {
  checkEnvelopeSession(session, envelope);
  const index = envelope.chainIndex;
  if (index < session.firstIndex) fail('UNKNOWN_SESSION', 'this device never held the key for that index');
  if (index < session.nextIndex) {
    const at = session.skipped.findIndex((k) => k.index === index);
    if (at < 0) fail('REPLAY', 'message key already used');
    const plaintext = open((session.skipped[at] as { messageKey: Uint8Array }).messageKey, envelope);
    return { session: { ...session, skipped: session.skipped.filter((_, i) => i !== at) }, plaintext };
  }
  if (index - session.nextIndex > MAX_SENDER_KEY_SKIP) fail('TOO_FAR_AHEAD', 'sender key index too far ahead');
  const skipped = [...session.skipped];
  let chainKey = session.chainKey;
  for (let i = session.nextIndex; i < index; i += 1) {
    const step = senderKeyStep(chainKey);
    skipped.push({ index: i, messageKey: step.messageKey });
    chainKey = step.nextChainKey;
  }
  const step = senderKeyStep(chainKey);
  const plaintext = open(step.messageKey, envelope);
  if (skipped.length > MAX_SENDER_KEY_SKIPPED) skipped.splice(0, skipped.length - MAX_SENDER_KEY_SKIPPED);
  return { session: { ...session, nextIndex: index + 1, chainKey: step.nextChainKey, skipped }, plaintext };
}

/**
 * History decryption (roaming, re-reading stored ciphertext): derives the key from the first known index and
 * changes no state, so any stored message can be opened again. Replay protection is the live path's job.
 */
export function senderKeyDecryptHistory(session: InboundSenderKey, envelope: Envelope): Uint8Array {
  checkEnvelopeSession(session, envelope);
  const index = envelope.chainIndex;
  if (index < session.firstIndex) fail('UNKNOWN_SESSION', 'this device never held the key for that index');
  if (index - session.firstIndex > MAX_SENDER_KEY_HISTORY_DISTANCE) fail('TOO_FAR_AHEAD', 'index too far ahead');
  const chainKey = advanceSenderChain(session.firstChainKey, session.firstIndex, index);
  return open(senderKeyStep(chainKey).messageKey, envelope);
}

// -------------------------------------------------------------------------------------------- encodings

export function writeSenderKeyExport(w: ByteWriter, e: SenderKeyExport): ByteWriter {
  if (e.sessionId.length !== SESSION_ID_BYTES || e.chainKey.length !== 32 || e.signingKey.length !== 32) {
    fail('INVALID_ARGUMENT', 'sender key export lengths');
  }
  return w
    .u8(SENDER_KEY_EXPORT_VERSION)
    .bytes(e.sessionId)
    .id(e.conversationId)
    .id(e.senderUserId)
    .id(e.senderDeviceId)
    .u32(e.epoch)
    .u32(e.chainIndex)
    .bytes(e.chainKey)
    .bytes(e.signingKey);
}

export function readSenderKeyExport(r: ByteReader): SenderKeyExport {
  if (r.u8() !== SENDER_KEY_EXPORT_VERSION) fail('UNSUPPORTED_VERSION', 'sender key export version');
  return {
    sessionId: r.bytes(SESSION_ID_BYTES),
    conversationId: r.id(),
    senderUserId: r.id(),
    senderDeviceId: r.id(),
    epoch: r.u32(),
    chainIndex: r.u32(),
    chainKey: r.bytes(32),
    signingKey: r.bytes(32),
  };
}

export function encodeSenderKeyExport(e: SenderKeyExport): Uint8Array {
  return writeSenderKeyExport(new ByteWriter(), e).finish();
}

export function decodeSenderKeyExport(bytes: Uint8Array): SenderKeyExport {
  const r = new ByteReader(bytes, 'sender key export');
  const e = readSenderKeyExport(r);
  r.end();
  return e;
}

const OUTBOUND_RECORD_VERSION = 1;
const INBOUND_RECORD_VERSION = 1;

export function encodeOutboundSenderKey(s: OutboundSenderKey): Uint8Array {
  const w = new ByteWriter().u8(OUTBOUND_RECORD_VERSION);
  writeSenderKeyExport(w, exportOutboundSenderKey(s));
  // The full 64-byte secret key (seed || public key): decoding then needs no scalar multiplication.
  w.bytes(s.signing.secretKey)
    .u64(s.createdAt)
    .u8(s.escrow ? 1 : 0);
  if (s.escrow) w.bytes(s.escrow.compliancePublicKey).var16(s.escrow.wrap);
  return w.finish();
}

export function decodeOutboundSenderKey(bytes: Uint8Array): OutboundSenderKey {
  const r = new ByteReader(bytes, 'outbound sender key record');
  if (r.u8() !== OUTBOUND_RECORD_VERSION) fail('UNSUPPORTED_VERSION', 'outbound sender key record version');
  const e = readSenderKeyExport(r);
  const secretKey = r.bytes(64);
  const signing = { secretKey, publicKey: secretKey.slice(32) };
  if (!bytesEqual(signing.publicKey, e.signingKey)) fail('MALFORMED', 'outbound sender key record: key mismatch');
  const createdAt = r.u64();
  const escrow = r.flags(1) ? { compliancePublicKey: r.bytes(32), wrap: r.var16() } : null;
  r.end();
  const { signingKey: _signingKey, ...rest } = e;
  return { ...rest, signing, createdAt, escrow };
}

export function encodeInboundSenderKey(s: InboundSenderKey): Uint8Array {
  const w = new ByteWriter().u8(INBOUND_RECORD_VERSION);
  writeSenderKeyExport(w, exportInboundSenderKey(s));
  w.u32(s.nextIndex).bytes(s.chainKey).u16(s.skipped.length);
  for (const k of s.skipped) w.u32(k.index).bytes(k.messageKey);
  return w.finish();
}

export function decodeInboundSenderKey(bytes: Uint8Array): InboundSenderKey {
  const r = new ByteReader(bytes, 'inbound sender key record');
  if (r.u8() !== INBOUND_RECORD_VERSION) fail('UNSUPPORTED_VERSION', 'inbound sender key record version');
  const first = inboundFromExport(readSenderKeyExport(r));
  const nextIndex = r.u32();
  const chainKey = r.bytes(32);
  const count = r.u16();
  if (count > MAX_SENDER_KEY_SKIPPED) fail('MALFORMED', 'inbound sender key record: too many skipped keys');
  const skipped: { index: number; messageKey: Uint8Array }[] = [];
  for (let i = 0; i < count; i += 1) skipped.push({ index: r.u32(), messageKey: r.bytes(32) });
  r.end();
  return { ...first, nextIndex, chainKey, skipped };
}

// -------------------------------------------------------------------------------------------- rotation

export interface DeviceAddress {
  userId: string;
  deviceId: string;
}

export interface RotationPolicy {
  /** New epoch after this many messages (ARCHITECTURE §5: 100). */
  maxMessages: number;
  /** New epoch after this age (7 days). */
  maxAgeMs: number;
}

export const DEFAULT_ROTATION_POLICY: RotationPolicy = { maxMessages: 100, maxAgeMs: 7 * 24 * 60 * 60 * 1000 };

export type RotationReason = 'no-session' | 'device-removed' | 'message-limit' | 'expired' | 'escrow-changed';

export interface RotationDecision {
  rotate: boolean;
  reason: RotationReason | null;
  /** Devices that must receive the current session (all of `current` when rotating). */
  shareWith: DeviceAddress[];
  removed: DeviceAddress[];
}

export function deviceKey(d: DeviceAddress): string {
  return `${d.userId} ${d.deviceId}`;
}

/**
 * Whether the sender must start a new epoch before its next send. Removing any device (or member) forces one —
 * the removed device holds the current chain key; adding devices does not (they get the session at the
 * current index, so they cannot read earlier messages through it).
 */
export function senderKeyRotation(input: {
  previousDevices: readonly DeviceAddress[];
  currentDevices: readonly DeviceAddress[];
  session: { chainIndex: number; createdAt: number } | null;
  now: number;
  policy?: RotationPolicy;
}): RotationDecision {
  const policy = input.policy ?? DEFAULT_ROTATION_POLICY;
  const current = new Map(input.currentDevices.map((d) => [deviceKey(d), d]));
  const previous = new Map(input.previousDevices.map((d) => [deviceKey(d), d]));
  const removed = [...previous].filter(([k]) => !current.has(k)).map(([, d]) => d);
  const added = [...current].filter(([k]) => !previous.has(k)).map(([, d]) => d);
  let reason: RotationReason | null = null;
  if (!input.session) reason = 'no-session';
  else if (removed.length > 0) reason = 'device-removed';
  else if (input.session.chainIndex >= policy.maxMessages) reason = 'message-limit';
  else if (input.now - input.session.createdAt >= policy.maxAgeMs) reason = 'expired';
  return { rotate: reason !== null, reason, shareWith: reason ? [...current.values()] : added, removed };
}
