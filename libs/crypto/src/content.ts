import { fromBase64Url, isValidId, toBase64Url, utf8Decode, utf8Encode } from './bytes.js';
import { CryptoError, fail } from './errors.js';

/**
 * The plaintext inside a conversation envelope (docs/protocol.md §8.1): a discriminated union keyed by `type`,
 * encoded as UTF-8 JSON with a version `v`. A newer minor addition (an unknown `type`) decodes as
 * `unsupported` so that old clients show "update to see this message"; a different `v` is refused.
 */

export const CONTENT_VERSION = 1;
export const MAX_BODY_LENGTH = 32_000;
export const MAX_MENTIONS = 256;
export const MAX_ATTACHMENTS = 32;

export interface Mention {
  userId: string;
  /** UTF-16 code unit offset into `body`. */
  start: number;
  length: number;
}

/** Points at another message of the same conversation. */
export interface MessageRef {
  clientMsgId: string;
  senderUserId: string;
}

/** Everything needed to fetch, check and decrypt one attachment (see attachments.ts). */
export interface AttachmentRef {
  blobId: string;
  name: string;
  mimeType: string;
  /** Plaintext size in bytes. */
  size: number;
  /** Plaintext bytes per secretstream chunk. */
  chunkSize: number;
  key: Uint8Array;
  /** BLAKE2b-256 of the whole ciphertext blob. */
  digest: Uint8Array;
}

export type MessageContent =
  | { type: 'text'; body: string; mentions: Mention[]; replyTo: MessageRef | null }
  | { type: 'reaction'; target: MessageRef; emoji: string; remove: boolean }
  | { type: 'edit'; target: MessageRef; body: string; mentions: Mention[] }
  | { type: 'recall'; target: MessageRef }
  | { type: 'attachment'; attachments: AttachmentRef[]; caption: string | null; replyTo: MessageRef | null }
  | { type: 'system'; notice: string; userIds: string[]; text: string | null };

/** What a decoder returns: the known union, or a marker for a type this build does not know yet. */
export type DecodedContent = MessageContent | { type: 'unsupported'; originalType: string };

type Json = Record<string, unknown>;

function obj(value: unknown, what: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    fail('MALFORMED', `${what}: expected an object`);
  return value as Json;
}

function str(o: Json, key: string, max: number, min = 0): string {
  const v = o[key];
  if (typeof v !== 'string' || v.length < min || v.length > max) fail('MALFORMED', `content.${key}: bad string`);
  return v;
}

function nullableStr(o: Json, key: string, max: number): string | null {
  return o[key] === null || o[key] === undefined ? null : str(o, key, max);
}

function int(o: Json, key: string, max: number, min = 0): number {
  const v = o[key];
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max)
    fail('MALFORMED', `content.${key}: bad integer`);
  return v;
}

function id(o: Json, key: string): string {
  const v = o[key];
  if (!isValidId(v)) fail('MALFORMED', `content.${key}: bad identifier`);
  return v;
}

function arr(o: Json, key: string, max: number): unknown[] {
  const v = o[key];
  if (!Array.isArray(v) || v.length > max) fail('MALFORMED', `content.${key}: bad array`);
  return v;
}

function bool(o: Json, key: string): boolean {
  const v = o[key];
  if (typeof v !== 'boolean') fail('MALFORMED', `content.${key}: bad boolean`);
  return v;
}

function mentions(o: Json, body: string): Mention[] {
  return arr(o, 'mentions', MAX_MENTIONS).map((m) => {
    const r = obj(m, 'mention');
    const mention = {
      userId: id(r, 'userId'),
      start: int(r, 'start', body.length),
      length: int(r, 'length', body.length, 1),
    };
    if (mention.start + mention.length > body.length) fail('MALFORMED', 'mention outside the body');
    return mention;
  });
}

function ref(value: unknown): MessageRef {
  const r = obj(value, 'message reference');
  return { clientMsgId: id(r, 'clientMsgId'), senderUserId: id(r, 'senderUserId') };
}

function nullableRef(o: Json, key: string): MessageRef | null {
  return o[key] === null || o[key] === undefined ? null : ref(o[key]);
}

function attachment(value: unknown): AttachmentRef {
  const r = obj(value, 'attachment');
  const key = fromBase64Url(str(r, 'key', 64), 'attachment key');
  const digest = fromBase64Url(str(r, 'digest', 64), 'attachment digest');
  if (key.length !== 32 || digest.length !== 32) fail('MALFORMED', 'attachment key/digest length');
  return {
    blobId: id(r, 'blobId'),
    name: str(r, 'name', 255, 1),
    mimeType: str(r, 'mimeType', 255, 1),
    size: int(r, 'size', Number.MAX_SAFE_INTEGER),
    chunkSize: int(r, 'chunkSize', 4 * 1024 * 1024, 1024),
    key,
    digest,
  };
}

/** Validates a content object (from the caller or from the wire) and returns a normalised copy. */
function validate(o: Json): DecodedContent {
  const type = o['type'];
  if (typeof type !== 'string' || type.length === 0 || type.length > 64) fail('MALFORMED', 'content.type');
  switch (type) {
    case 'text': {
      const body = str(o, 'body', MAX_BODY_LENGTH);
      return { type, body, mentions: mentions(o, body), replyTo: nullableRef(o, 'replyTo') };
    }
    case 'reaction':
      return { type, target: ref(o['target']), emoji: str(o, 'emoji', 64, 1), remove: bool(o, 'remove') };
    case 'edit': {
      const body = str(o, 'body', MAX_BODY_LENGTH);
      return { type, target: ref(o['target']), body, mentions: mentions(o, body) };
    }
    case 'recall':
      return { type, target: ref(o['target']) };
    case 'attachment': {
      const attachments = arr(o, 'attachments', MAX_ATTACHMENTS).map(attachment);
      if (attachments.length === 0) fail('MALFORMED', 'content.attachments: empty');
      return {
        type,
        attachments,
        caption: nullableStr(o, 'caption', MAX_BODY_LENGTH),
        replyTo: nullableRef(o, 'replyTo'),
      };
    }
    case 'system': {
      const notice = str(o, 'notice', 64, 1);
      if (!/^[a-z][a-z0-9-]*$/.test(notice)) fail('MALFORMED', 'content.notice');
      const userIds = arr(o, 'userIds', 1000).map((u) => {
        if (!isValidId(u)) fail('MALFORMED', 'content.userIds');
        return u;
      });
      return { type, notice, userIds, text: nullableStr(o, 'text', MAX_BODY_LENGTH) };
    }
    default:
      return { type: 'unsupported', originalType: type };
  }
}

function toWire(content: MessageContent): Json {
  if (content.type === 'attachment') {
    return {
      ...content,
      attachments: content.attachments.map((a) => ({ ...a, key: toBase64Url(a.key), digest: toBase64Url(a.digest) })),
    };
  }
  return { ...content };
}

export function encodeContent(content: MessageContent): Uint8Array {
  let checked: DecodedContent;
  try {
    checked = validate(toWire(content));
  } catch (error) {
    // The same rules as for decoding, reported as the caller's mistake.
    if (error instanceof CryptoError)
      throw new CryptoError('INVALID_ARGUMENT', error.message.replace(/^MALFORMED: /, ''));
    throw error;
  }
  if (checked.type === 'unsupported') fail('INVALID_ARGUMENT', `unknown content type ${content.type}`);
  return utf8Encode(JSON.stringify({ v: CONTENT_VERSION, ...toWire(checked) }));
}

export function decodeContent(bytes: Uint8Array): DecodedContent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(utf8Decode(bytes));
  } catch {
    fail('MALFORMED', 'content is not JSON');
  }
  const o = obj(parsed, 'content');
  if (o['v'] !== CONTENT_VERSION) fail('UNSUPPORTED_VERSION', 'content version');
  return validate(o);
}
