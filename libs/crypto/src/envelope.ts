import { ByteReader, ByteWriter, fromBase64Url, isValidId, toBase64Url } from './bytes.js';
import { CryptoError, fail } from './errors.js';
import { SignatureLabel, frame } from './kdf.js';
import { MAX_PADDED_LENGTH, isBucketLength } from './padding.js';

/**
 * The conversation message envelope of ARCHITECTURE §5 (docs/protocol.md §8). The server stores and relays it
 * and may validate its shape with `parseEnvelope` — no WebAssembly needed — but can never open it. Every header
 * field is authenticated twice: as AEAD associated data and under the sender's Ed25519 signature.
 */

export const ENVELOPE_VERSION = 1;
/** Protocol identifiers: the JSON string and its byte in the binary form. */
export const EnvelopeProto = { SENDER_KEY_V1: 'sk1' } as const;
export type EnvelopeProto = (typeof EnvelopeProto)[keyof typeof EnvelopeProto];
const PROTO_CODES: Record<EnvelopeProto, number> = { sk1: 1 };

export const SESSION_ID_BYTES = 16;
export const NONCE_BYTES = 24;
export const SIGNATURE_BYTES = 64;
export const MAX_ESCROW_BYTES = 1024;
export const MAX_CIPHERTEXT_BYTES = MAX_PADDED_LENGTH + 16;
const FLAG_ESCROW = 1;

export interface Envelope {
  v: 1;
  proto: EnvelopeProto;
  conversationId: string;
  clientMsgId: string;
  senderUserId: string;
  senderDeviceId: string;
  sessionId: Uint8Array;
  chainIndex: number;
  policyVersion: number;
  /** Compliance escrow wrap of the session (escrow.ts), present while the org retains this conversation. */
  escrow: Uint8Array | null;
  nonce: Uint8Array;
  ciphertext: Uint8Array;
  signature: Uint8Array;
}

/** JSON-safe form used over socket.io and in PostgreSQL: binary fields as unpadded base64url. */
export interface EnvelopeJson {
  v: 1;
  proto: EnvelopeProto;
  conversationId: string;
  clientMsgId: string;
  senderUserId: string;
  senderDeviceId: string;
  sessionId: string;
  chainIndex: number;
  policyVersion: number;
  escrow?: string;
  nonce: string;
  ciphertext: string;
  signature: string;
}

function checkFields(e: Envelope, code: 'MALFORMED' | 'INVALID_ARGUMENT'): void {
  if (e.v !== ENVELOPE_VERSION) fail('UNSUPPORTED_VERSION', 'envelope version');
  if (!(e.proto in PROTO_CODES)) fail('UNSUPPORTED_VERSION', 'envelope proto');
  for (const key of ['conversationId', 'clientMsgId', 'senderUserId', 'senderDeviceId'] as const) {
    if (!isValidId(e[key])) fail(code, `envelope.${key}`);
  }
  const u32 = (n: unknown): boolean => typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= 0xffffffff;
  if (!u32(e.chainIndex)) fail(code, 'envelope.chainIndex');
  if (!u32(e.policyVersion)) fail(code, 'envelope.policyVersion');
  if (!(e.sessionId instanceof Uint8Array) || e.sessionId.length !== SESSION_ID_BYTES) fail(code, 'envelope.sessionId');
  if (!(e.nonce instanceof Uint8Array) || e.nonce.length !== NONCE_BYTES) fail(code, 'envelope.nonce');
  if (!(e.signature instanceof Uint8Array) || e.signature.length !== SIGNATURE_BYTES) fail(code, 'envelope.signature');
  if (
    e.escrow !== null &&
    (!(e.escrow instanceof Uint8Array) || e.escrow.length === 0 || e.escrow.length > MAX_ESCROW_BYTES)
  ) {
    fail(code, 'envelope.escrow');
  }
  if (!(e.ciphertext instanceof Uint8Array) || !isBucketLength(e.ciphertext.length - 16))
    fail(code, 'envelope.ciphertext length');
}

function writeHeader(w: ByteWriter, e: Omit<Envelope, 'ciphertext' | 'signature'>): ByteWriter {
  w.u8(e.v)
    .u8(PROTO_CODES[e.proto])
    .u8(e.escrow ? FLAG_ESCROW : 0);
  w.id(e.conversationId).id(e.clientMsgId).id(e.senderUserId).id(e.senderDeviceId);
  w.bytes(e.sessionId).u32(e.chainIndex).u32(e.policyVersion);
  if (e.escrow) w.var16(e.escrow);
  return w.bytes(e.nonce);
}

/** The AEAD associated data: every header field, in wire order, up to and including the nonce. */
export function envelopeAssociatedData(e: Omit<Envelope, 'ciphertext' | 'signature'>): Uint8Array {
  return writeHeader(new ByteWriter(), e).finish();
}

/** The bytes the sender signs: LP-framed label, header and ciphertext. */
export function envelopeSignedData(e: Omit<Envelope, 'signature'>): Uint8Array {
  return frame(SignatureLabel.SENDER_KEY_MESSAGE, [envelopeAssociatedData(e), e.ciphertext]);
}

export function encodeEnvelope(e: Envelope): Uint8Array {
  checkFields(e, 'INVALID_ARGUMENT');
  return writeHeader(new ByteWriter(), e).var32(e.ciphertext).bytes(e.signature).finish();
}

export function decodeEnvelope(bytes: Uint8Array): Envelope {
  const r = new ByteReader(bytes, 'envelope');
  const v = r.u8();
  if (v !== ENVELOPE_VERSION) fail('UNSUPPORTED_VERSION', 'envelope version');
  const protoCode = r.u8();
  const proto = (Object.keys(PROTO_CODES) as EnvelopeProto[]).find((p) => PROTO_CODES[p] === protoCode);
  if (!proto) fail('UNSUPPORTED_VERSION', 'envelope proto');
  const flags = r.flags(FLAG_ESCROW);
  const envelope: Envelope = {
    v: ENVELOPE_VERSION,
    proto,
    conversationId: r.id(),
    clientMsgId: r.id(),
    senderUserId: r.id(),
    senderDeviceId: r.id(),
    sessionId: r.bytes(SESSION_ID_BYTES),
    chainIndex: r.u32(),
    policyVersion: r.u32(),
    escrow: flags & FLAG_ESCROW ? r.var16(MAX_ESCROW_BYTES) : null,
    nonce: r.bytes(NONCE_BYTES),
    ciphertext: r.var32(MAX_CIPHERTEXT_BYTES),
    signature: r.bytes(SIGNATURE_BYTES),
  };
  r.end();
  checkFields(envelope, 'MALFORMED');
  return envelope;
}

export function envelopeToJson(e: Envelope): EnvelopeJson {
  checkFields(e, 'INVALID_ARGUMENT');
  const json: EnvelopeJson = {
    v: e.v,
    proto: e.proto,
    conversationId: e.conversationId,
    clientMsgId: e.clientMsgId,
    senderUserId: e.senderUserId,
    senderDeviceId: e.senderDeviceId,
    sessionId: toBase64Url(e.sessionId),
    chainIndex: e.chainIndex,
    policyVersion: e.policyVersion,
    nonce: toBase64Url(e.nonce),
    ciphertext: toBase64Url(e.ciphertext),
    signature: toBase64Url(e.signature),
  };
  if (e.escrow) json.escrow = toBase64Url(e.escrow);
  return json;
}

const JSON_KEYS = new Set([
  'v',
  'proto',
  'conversationId',
  'clientMsgId',
  'senderUserId',
  'senderDeviceId',
  'sessionId',
  'chainIndex',
  'policyVersion',
  'escrow',
  'nonce',
  'ciphertext',
  'signature',
]);

/**
 * Structural validation of the JSON form (what the server does before storing): exact key set, identifier
 * syntax, integer ranges, canonical base64url and exact binary lengths. Throws `CryptoError` (`MALFORMED` /
 * `UNSUPPORTED_VERSION`); never decrypts and needs no `ready()`.
 */
export function parseEnvelope(value: unknown): Envelope {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail('MALFORMED', 'envelope: not an object');
  const o = value as Record<string, unknown>;
  for (const key of Object.keys(o)) if (!JSON_KEYS.has(key)) fail('MALFORMED', `envelope: unknown field ${key}`);
  if (o['v'] !== ENVELOPE_VERSION) fail('UNSUPPORTED_VERSION', 'envelope version');
  if (typeof o['proto'] !== 'string' || !(o['proto'] in PROTO_CODES)) fail('UNSUPPORTED_VERSION', 'envelope proto');
  const b64 = (key: string): Uint8Array => {
    if (typeof o[key] !== 'string') fail('MALFORMED', `envelope.${key}`);
    return fromBase64Url(o[key], `envelope.${key}`);
  };
  if (o['escrow'] !== undefined && typeof o['escrow'] !== 'string') fail('MALFORMED', 'envelope.escrow');
  const envelope = {
    v: ENVELOPE_VERSION,
    proto: o['proto'] as EnvelopeProto,
    conversationId: o['conversationId'],
    clientMsgId: o['clientMsgId'],
    senderUserId: o['senderUserId'],
    senderDeviceId: o['senderDeviceId'],
    sessionId: b64('sessionId'),
    chainIndex: o['chainIndex'],
    policyVersion: o['policyVersion'],
    escrow: o['escrow'] === undefined ? null : b64('escrow'),
    nonce: b64('nonce'),
    ciphertext: b64('ciphertext'),
    signature: b64('signature'),
  } as Envelope;
  checkFields(envelope, 'MALFORMED');
  return envelope;
}

export type EnvelopeParseResult = { ok: true; envelope: Envelope } | { ok: false; error: CryptoError };

/** Non-throwing variant of `parseEnvelope` for validators. */
export function safeParseEnvelope(value: unknown): EnvelopeParseResult {
  try {
    return { ok: true, envelope: parseEnvelope(value) };
  } catch (error) {
    if (error instanceof CryptoError) return { ok: false, error };
    return { ok: false, error: new CryptoError('MALFORMED', 'envelope') };
  }
}
