import { ByteReader, ByteWriter, bytesEqual, toHex } from './bytes.js';
import { fail } from './errors.js';
import { AdLabel, KdfLabel, frame, kdf } from './kdf.js';
import {
  type X25519KeyPair,
  aeadDecrypt,
  aeadEncrypt,
  assertX25519PublicKey,
  x25519,
  x25519PublicKey,
} from './primitives.js';
import type { InboundSenderKey, OutboundSenderKey, SenderKeyExport } from './sender-keys.js';

/**
 * Compliance escrow (docs/protocol.md §10). A sender-key session, at index 0, is wrapped to the Org Compliance
 * X25519 public key C with an ephemeral key DERIVED from the session's own chain key:
 *
 *   e   = KDF(CK_0, "miyu/v1/escrow/ephemeral", [C, sessionId], 32)        E = X25519(e, 9)
 *   S   = X25519(e, C)
 *   key = KDF(S, "miyu/v1/escrow/key", [E, C], 32)    nonce = KDF(S, "miyu/v1/escrow/nonce", [E, C], 24)
 *   wrap = 0x01 || E || XChaCha20-Poly1305(key, nonce, ad = LP("miyu/v1/ad/escrow") LP(0x01) LP(E) LP(C),
 *                                          0x01 || sessionId || CK_0 || signingKey)
 *
 * Every holder of the session at index 0 recomputes the wrap byte for byte and flags a difference. Determinism
 * leaks nothing: e is a PRF output keyed by the secret CK_0, so to anyone without the session the wrap is as
 * unpredictable as a randomised one, and anyone who can recompute it already holds what it protects.
 */

export const ESCROW_VERSION = 1;
export const ESCROW_WRAP_BYTES = 1 + 32 + 81 + 16;

export interface EscrowedSession {
  sessionId: Uint8Array;
  /** Chain key at index 0. */
  chainKey: Uint8Array;
  signingKey: Uint8Array;
}

export type EscrowStatus =
  /** No escrow in the envelope and none expected. */
  | 'none'
  /** The wrap equals our own recomputation. */
  | 'valid'
  /** The wrap differs from our recomputation: the sender's client escrows something else. Warn. */
  | 'mismatch'
  /** Retention is on for this conversation but the envelope carries no wrap. Warn. */
  | 'missing'
  /** We cannot recompute (we hold the session only from a later index, or know no compliance key). */
  | 'unverifiable';

function wrapKeys(shared: Uint8Array, ephemeral: Uint8Array, compliancePublicKey: Uint8Array) {
  return {
    key: kdf(shared, KdfLabel.ESCROW_KEY, [ephemeral, compliancePublicKey], 32),
    nonce: kdf(shared, KdfLabel.ESCROW_NONCE, [ephemeral, compliancePublicKey], 24),
    ad: frame(AdLabel.ESCROW, [Uint8Array.of(ESCROW_VERSION), ephemeral, compliancePublicKey]),
  };
}

export function escrowWrap(session: EscrowedSession, compliancePublicKey: Uint8Array): Uint8Array {
  assertX25519PublicKey(compliancePublicKey, 'compliance public key');
  const secret = kdf(session.chainKey, KdfLabel.ESCROW_EPHEMERAL, [compliancePublicKey, session.sessionId], 32);
  const ephemeral = x25519PublicKey(secret);
  const { key, nonce, ad } = wrapKeys(x25519(secret, compliancePublicKey), ephemeral, compliancePublicKey);
  const plaintext = new ByteWriter()
    .u8(ESCROW_VERSION)
    .bytes(session.sessionId)
    .bytes(session.chainKey)
    .bytes(session.signingKey)
    .finish();
  return new ByteWriter()
    .u8(ESCROW_VERSION)
    .bytes(ephemeral)
    .bytes(aeadEncrypt(key, nonce, plaintext, ad))
    .finish();
}

/** Offline, with the compliance private key: recovers the session at index 0. */
export function escrowUnwrap(wrap: Uint8Array, compliance: X25519KeyPair): EscrowedSession {
  const r = new ByteReader(wrap, 'escrow wrap');
  if (wrap.length > ESCROW_WRAP_BYTES) fail('MALFORMED', 'escrow wrap too long');
  if (r.u8() !== ESCROW_VERSION) fail('UNSUPPORTED_VERSION', 'escrow wrap version');
  const ephemeral = r.bytes(32);
  const sealed = r.bytes(r.remaining);
  const { key, nonce, ad } = wrapKeys(x25519(compliance.secretKey, ephemeral), ephemeral, compliance.publicKey);
  const p = new ByteReader(aeadDecrypt(key, nonce, sealed, ad), 'escrowed session');
  if (p.u8() !== ESCROW_VERSION) fail('UNSUPPORTED_VERSION', 'escrowed session version');
  const session = { sessionId: p.bytes(16), chainKey: p.bytes(32), signingKey: p.bytes(32) };
  p.end();
  // The wrap must be the deterministic one; anything else was not made by this construction.
  if (!bytesEqual(escrowWrap(session, compliance.publicKey), wrap))
    fail('DECRYPT_FAILED', 'escrow wrap is not canonical');
  return session;
}

/** Attaches the escrow wrap to a freshly created outbound session (index 0). */
export function withEscrow(session: OutboundSenderKey, compliancePublicKey: Uint8Array | null): OutboundSenderKey {
  if (compliancePublicKey === null) return { ...session, escrow: null };
  if (session.chainIndex !== 0) fail('INVALID_STATE', 'escrow is computed at index 0 (start a new epoch)');
  const wrap = escrowWrap(
    { sessionId: session.sessionId, chainKey: session.chainKey, signingKey: session.signing.publicKey },
    compliancePublicKey,
  );
  return { ...session, escrow: { compliancePublicKey, wrap } };
}

/** The index-0 export the compliance tool rebuilds from a wrap and the envelope's (signed) metadata. */
export function escrowedSessionExport(
  escrowed: EscrowedSession,
  meta: { conversationId: string; senderUserId: string; senderDeviceId: string; epoch?: number },
): SenderKeyExport {
  return {
    sessionId: escrowed.sessionId,
    conversationId: meta.conversationId,
    senderUserId: meta.senderUserId,
    senderDeviceId: meta.senderDeviceId,
    epoch: meta.epoch ?? 0,
    chainIndex: 0,
    chainKey: escrowed.chainKey,
    signingKey: escrowed.signingKey,
  };
}

// Recomputing a wrap costs three scalar multiplications; recipients check every envelope, so memoise per session.
const expectedWraps = new Map<string, Uint8Array>();
const MAX_MEMO = 512;

function expectedWrap(session: InboundSenderKey, compliancePublicKey: Uint8Array): Uint8Array {
  const key =
    toHex(session.sessionId) + toHex(session.firstChainKey) + toHex(session.signingKey) + toHex(compliancePublicKey);
  let wrap = expectedWraps.get(key);
  if (!wrap) {
    wrap = escrowWrap(
      { sessionId: session.sessionId, chainKey: session.firstChainKey, signingKey: session.signingKey },
      compliancePublicKey,
    );
    if (expectedWraps.size >= MAX_MEMO) expectedWraps.delete(expectedWraps.keys().next().value as string);
    expectedWraps.set(key, wrap);
  }
  return wrap;
}

/**
 * Recipient check against every key the org lists (retired keys included: a session wrapped before a rotation
 * still verifies). `expected` says whether the conversation was under retention when the message was sent.
 */
export function checkEscrowAgainst(
  session: InboundSenderKey,
  envelopeEscrow: Uint8Array | null,
  keys: readonly Uint8Array[],
  expected: boolean,
): EscrowStatus {
  if (envelopeEscrow === null) return expected ? 'missing' : 'none';
  if (keys.length === 0 || session.firstIndex !== 0) return 'unverifiable';
  return keys.some((k) => bytesEqual(expectedWrap(session, k), envelopeEscrow)) ? 'valid' : 'mismatch';
}

/** Recipient check of an envelope's escrow field against our own recomputation. */
export function checkEscrow(
  session: InboundSenderKey,
  envelopeEscrow: Uint8Array | null,
  compliancePublicKey: Uint8Array | null,
): EscrowStatus {
  if (compliancePublicKey === null) return envelopeEscrow === null ? 'none' : 'unverifiable';
  if (envelopeEscrow === null) return 'missing';
  if (session.firstIndex !== 0) return 'unverifiable';
  return bytesEqual(expectedWrap(session, compliancePublicKey), envelopeEscrow) ? 'valid' : 'mismatch';
}
