import { csvCell } from '../../common/csv/csv-cells.js';
import type { ExportRecord } from './message-record.js';

/**
 * messages.csv: one row per message (RFC 4180, CRLF, UTF-8 with a BOM so that Excel reads Chinese), every cell
 * guarded against formula injection. References to other messages are their clientMsgId (each row carries its
 * own), so that no lookup table has to be held while streaming.
 */

export const EXPORT_CSV_COLUMNS = [
  'conversation_id',
  'conversation_name',
  'seq',
  'time',
  'sender_id',
  'sender_name',
  'sender_login',
  'sender_employee_no',
  'sender_device_id',
  'client_msg_id',
  'type',
  'text',
  'mentions',
  'reply_to',
  'target',
  'attachments',
  'recalled',
  'recalled_at',
  'recalled_by',
  'escrow',
  'error',
] as const;

export function csvHeader(): string {
  return `\ufeff${EXPORT_CSV_COLUMNS.join(',')}\r\n`;
}

const ref = (r: { clientMsgId: string; senderUserId: string } | null) =>
  r ? `${r.clientMsgId} (sender ${r.senderUserId})` : '';

export function csvRow(r: ExportRecord): string {
  const text = r.type === 'reaction' && r.reactionRemoved ? `${r.text ?? ''} (removed)` : (r.text ?? '');
  const cells: Record<(typeof EXPORT_CSV_COLUMNS)[number], string> = {
    conversation_id: r.conversationId,
    conversation_name: r.conversationName ?? '',
    seq: String(r.seq),
    time: r.time,
    sender_id: r.senderUserId ?? '',
    sender_name: r.senderName ?? '',
    sender_login: r.senderLogin ?? '',
    sender_employee_no: r.senderEmployeeNo ?? '',
    sender_device_id: r.senderDeviceId ?? '',
    client_msg_id: r.clientMsgId ?? '',
    type: r.type,
    text,
    mentions: r.mentions.map((m) => `@${m.name ?? m.userId} (${m.userId})`).join('; '),
    reply_to: ref(r.replyTo),
    target: ref(r.target),
    attachments: r.attachments.map((a) => (a.file ? a.file : `${a.name} (${a.error?.code ?? 'not saved'})`)).join('; '),
    recalled: r.recalled ? 'true' : 'false',
    recalled_at: r.recalledAt ?? '',
    recalled_by: r.recalledBy ? `${r.recalledByName ?? ''} (${r.recalledBy})`.trim() : '',
    escrow: r.escrow ?? '',
    error: r.error ? `${r.error.code}: ${r.error.message}` : '',
  };
  return `${EXPORT_CSV_COLUMNS.map((c) => csvCell(cells[c])).join(',')}\r\n`;
}
