import {
  type AttachmentRef,
  type DecodedContent,
  type EscrowStatus,
  type MessageRef,
  decryptGroupMessage,
  isCryptoError,
  safeParseEnvelope,
} from '@miyu/crypto';
import type { ExportConversation, ExportMessage, ExportPerson } from '@miyu/protocol';
import type { SessionBook } from './session-book.js';

/**
 * One row of the export: a message as its recipients saw it, with who sent it, what it refers to, and the server's
 * recall flag. A message that cannot be opened is a row too, with `error` set and no content — never dropped.
 */

export type RecordType =
  | 'text'
  | 'edit'
  | 'recall'
  | 'reaction'
  | 'attachment'
  | 'system'
  | 'unsupported'
  /** A server-authored timeline entry (membership changes, recalls): not encrypted. */
  | 'event'
  /** The message could not be opened: see `error`. */
  | 'unreadable';

export interface RecordAttachment {
  /** 1-based position in the message. */
  n: number;
  name: string;
  mimeType: string;
  size: number;
  /** Path inside the export (attachments/<conversation>/<seq>-<n>-<name>), when saved. */
  file: string | null;
  error: { code: string; message: string } | null;
}

export interface ExportRecord {
  conversationId: string;
  conversationName: string | null;
  seq: number;
  time: string;
  senderUserId: string | null;
  senderName: string | null;
  senderLogin: string | null;
  senderEmployeeNo: string | null;
  senderDeviceId: string | null;
  clientMsgId: string | null;
  type: RecordType;
  /** Body of a text or edit, caption of an attachment, emoji of a reaction, event JSON of a server event. */
  text: string | null;
  mentions: Array<{ userId: string; name: string | null; start: number; length: number }>;
  /** A reply's parent. */
  replyTo: MessageRef | null;
  /** What an edit, recall or reaction applies to. */
  target: MessageRef | null;
  /** Reactions only: the reaction was taken back. */
  reactionRemoved: boolean | null;
  attachments: RecordAttachment[];
  /** Set by the server when the message was recalled; its content is kept and exported. */
  recalled: boolean;
  recalledAt: string | null;
  recalledBy: string | null;
  recalledByName: string | null;
  /** The envelope's escrow wrap against the session's canonical one (null for events and unreadable rows). */
  escrow: EscrowStatus | null;
  error: { code: string; message: string } | null;
}

export interface OpenedMessage {
  record: ExportRecord;
  /** Attachments to fetch and decrypt, in `record.attachments` order. */
  attachmentRefs: AttachmentRef[];
}

export interface RecordContext {
  conversation: Pick<ExportConversation, 'id' | 'name'>;
  people: ReadonlyMap<string, ExportPerson>;
  book: SessionBook;
  /** The public halves of every compliance key given: an envelope's wrap is valid if it is canonical for one. */
  complianceKeys: readonly Uint8Array[];
}

function baseRecord(m: ExportMessage, ctx: RecordContext): ExportRecord {
  const sender = m.senderUserId ? ctx.people.get(m.senderUserId) : undefined;
  const recaller = m.recalledBy ? ctx.people.get(m.recalledBy) : undefined;
  return {
    conversationId: ctx.conversation.id,
    conversationName: ctx.conversation.name,
    seq: m.seq,
    time: m.serverTs,
    senderUserId: m.senderUserId,
    senderName: sender?.displayName ?? null,
    senderLogin: sender?.login ?? null,
    senderEmployeeNo: sender?.employeeNo ?? null,
    senderDeviceId: m.senderDeviceId,
    clientMsgId: null,
    type: 'unreadable',
    text: null,
    mentions: [],
    replyTo: null,
    target: null,
    reactionRemoved: null,
    attachments: [],
    recalled: m.recalledAt !== null,
    recalledAt: m.recalledAt,
    recalledBy: m.recalledBy,
    recalledByName: recaller?.displayName ?? null,
    escrow: null,
    error: null,
  };
}

function fillContent(record: ExportRecord, content: DecodedContent, people: RecordContext['people']): AttachmentRef[] {
  const mention = (m: { userId: string; start: number; length: number }) => ({
    userId: m.userId,
    name: people.get(m.userId)?.displayName ?? null,
    start: m.start,
    length: m.length,
  });
  record.type = content.type;
  switch (content.type) {
    case 'text':
      record.text = content.body;
      record.mentions = content.mentions.map(mention);
      record.replyTo = content.replyTo;
      return [];
    case 'edit':
      record.text = content.body;
      record.mentions = content.mentions.map(mention);
      record.target = content.target;
      return [];
    case 'recall':
      record.target = content.target;
      return [];
    case 'reaction':
      record.text = content.emoji;
      record.target = content.target;
      record.reactionRemoved = content.remove;
      return [];
    case 'attachment':
      record.text = content.caption;
      record.replyTo = content.replyTo;
      record.attachments = content.attachments.map((a, i) => ({
        n: i + 1,
        name: a.name,
        mimeType: a.mimeType,
        size: a.size,
        file: null,
        error: null,
      }));
      return content.attachments;
    case 'system':
      record.text = content.text ?? content.notice;
      return [];
    case 'unsupported':
      record.text = null;
      record.error = { code: 'UNSUPPORTED_CONTENT', message: `content type ${content.originalType} is unknown` };
      return [];
  }
}

/**
 * Opens one exported message with the session book: parses the envelope, finds (or rebuilds) its session,
 * decrypts in history mode (which verifies the sender's signature) and checks the escrow wrap against the keys given.
 */
export function openExportMessage(m: ExportMessage, ctx: RecordContext): OpenedMessage {
  const record = baseRecord(m, ctx);
  if (m.envelope === null) {
    if (m.system !== null) {
      record.type = 'event';
      record.text = JSON.stringify(m.system);
    } else {
      record.error = { code: 'NO_CONTENT', message: 'the server holds no envelope for this message' };
    }
    return { record, attachmentRefs: [] };
  }
  const parsed = safeParseEnvelope(m.envelope);
  if (!parsed.ok) {
    record.error = { code: 'MALFORMED_ENVELOPE', message: parsed.error.message };
    return { record, attachmentRefs: [] };
  }
  const envelope = parsed.envelope;
  record.clientMsgId = envelope.clientMsgId;
  if (envelope.conversationId !== ctx.conversation.id || (m.senderUserId && envelope.senderUserId !== m.senderUserId)) {
    record.error = { code: 'ENVELOPE_MISMATCH', message: 'the envelope names another conversation or sender' };
    return { record, attachmentRefs: [] };
  }
  const found = ctx.book.lookup(envelope);
  if (!found.ok) {
    record.error = { code: found.code, message: found.message };
    return { record, attachmentRefs: [] };
  }
  try {
    const { message } = decryptGroupMessage(found.session, envelope, {
      compliancePublicKey: null,
      mode: 'history',
      compliance: { keys: ctx.complianceKeys, expected: true },
    });
    record.escrow = message.escrow;
    const refs = fillContent(record, message.content, ctx.people);
    return { record, attachmentRefs: refs };
  } catch (error) {
    if (!isCryptoError(error)) throw error;
    record.type = 'unreadable';
    record.error = { code: error.code, message: error.message };
    return { record, attachmentRefs: [] };
  }
}
