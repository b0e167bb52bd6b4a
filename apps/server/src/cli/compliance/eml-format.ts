import type { ExportConversation, ExportPerson } from '@miyu/protocol';
import type { ExportRecord } from './message-record.js';

/**
 * eml/<conversationId>.eml: one RFC 5322 message per conversation, of type multipart/digest (RFC 2046 §5.1.5),
 * with one message/rfc822 part per exported row, in seq order. Each part has the sender as From, the server time
 * as Date, `<clientMsgId@conversationId.miyu.invalid>` as Message-ID, the reply / edit / recall / reaction target
 * as In-Reply-To, X-Miyu-* headers with the row's fields, and a text/plain UTF-8 body (base64) holding the text
 * followed by a readable summary of the same fields. Headers with non-ASCII text use RFC 2047 encoded words.
 * Attachments are not embedded: the body names their files under attachments/.
 */

const CRLF = '\r\n';
const DOMAIN = 'miyu.invalid';
const SAFE_ATOM = /^[A-Za-z0-9._-]{1,128}$/;

/** RFC 2047 B-encoded words of at most 75 characters, splitting only between whole characters. */
export function encodeWords(text: string): string {
  const clean = text.replace(/[\r\n]+/g, ' ');
  if (/^[\x20-\x7e]*$/.test(clean) && clean.length <= 60 && !clean.includes('=?')) return clean;
  const words: string[] = [];
  let chunk = '';
  let bytes = 0;
  for (const ch of clean) {
    const n = Buffer.byteLength(ch, 'utf8');
    if (bytes + n > 45) {
      words.push(chunk);
      chunk = '';
      bytes = 0;
    }
    chunk += ch;
    bytes += n;
  }
  if (chunk !== '' || words.length === 0) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join(`${CRLF} `);
}

const pad2 = (n: number) => String(n).padStart(2, '0');
const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** RFC 5322 date-time in UTC, e.g. `Thu, 01 Jan 2026 08:00:00 +0000`. */
export function rfc5322Date(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return 'Thu, 01 Jan 1970 00:00:00 +0000';
  return (
    `${DAYS[d.getUTCDay()]}, ${pad2(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ` +
    `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} +0000`
  );
}

/** An id usable inside a msg-id or address; anything else is hex-encoded. */
function atom(id: string): string {
  return SAFE_ATOM.test(id) ? id : `x${Buffer.from(id, 'utf8').toString('hex').slice(0, 120)}`;
}

function messageId(clientMsgId: string, conversationId: string): string {
  return `<${atom(clientMsgId)}@${atom(conversationId)}.${DOMAIN}>`;
}

function address(name: string | null, userId: string | null): string {
  if (userId === null) return `${encodeWords(name ?? 'Miyu')} <system@${DOMAIN}>`;
  return `${encodeWords(name ?? userId)} <user-${atom(userId)}@${DOMAIN}>`;
}

function base64Body(text: string): string {
  const b64 = Buffer.from(text, 'utf8').toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 76) lines.push(b64.slice(i, i + 76));
  return lines.join(CRLF);
}

/** A boundary that cannot occur in base64 bodies or encoded headers (it holds `=_`, which neither produces). */
export function digestBoundary(conversationId: string): string {
  return `=_miyu-digest-${atom(conversationId).slice(0, 40)}`;
}

export function emlHeader(
  conversation: Pick<ExportConversation, 'id' | 'name' | 'kind' | 'members'>,
  people: ReadonlyMap<string, ExportPerson>,
  exportedAt: string,
): string {
  const boundary = digestBoundary(conversation.id);
  const title = conversation.name ?? `${conversation.kind} conversation`;
  const members = conversation.members
    .slice(0, 500)
    .map((id) => address(people.get(id)?.displayName ?? null, id))
    .join(`,${CRLF} `);
  const lines = [
    `From: ${encodeWords('Miyu compliance export')} <compliance-export@${DOMAIN}>`,
    ...(members ? [`To: ${members}`] : []),
    `Subject: ${encodeWords(`${title} (${conversation.id})`)}`,
    `Date: ${rfc5322Date(exportedAt)}`,
    `Message-ID: <export.${atom(conversation.id)}@${DOMAIN}>`,
    `X-Miyu-Conversation-Id: ${atom(conversation.id)}`,
    `X-Miyu-Conversation-Kind: ${atom(conversation.kind)}`,
    'MIME-Version: 1.0',
    `Content-Type: multipart/digest; boundary="${boundary}"`,
    '',
    'Miyu compliance export: one message/rfc822 part per message, in order.',
  ];
  return lines.join(CRLF) + CRLF;
}

function preview(r: ExportRecord): string {
  const text = (r.text ?? '').replace(/\s+/g, ' ').trim();
  const short = [...text].length > 60 ? `${[...text].slice(0, 60).join('')}…` : text;
  return `#${r.seq} ${r.type}${r.recalled ? ' (recalled)' : ''}${short ? `: ${short}` : ''}`;
}

function summary(r: ExportRecord): string {
  const refText = (x: { clientMsgId: string; senderUserId: string }) => `message ${x.clientMsgId} of ${x.senderUserId}`;
  const lines = [
    `Conversation: ${r.conversationName ?? ''} (${r.conversationId})`,
    `Seq: ${r.seq}`,
    `Time: ${r.time}`,
    `Sender: ${r.senderName ?? ''}${r.senderLogin ? ` [${r.senderLogin}]` : ''}${
      r.senderEmployeeNo ? ` #${r.senderEmployeeNo}` : ''
    } (user ${r.senderUserId ?? '-'}, device ${r.senderDeviceId ?? '-'})`,
    `Type: ${r.type}`,
    ...(r.clientMsgId ? [`Message id: ${r.clientMsgId}`] : []),
    ...(r.replyTo ? [`Reply to: ${refText(r.replyTo)}`] : []),
    ...(r.target ? [`Target: ${refText(r.target)}`] : []),
    ...(r.reactionRemoved ? ['Reaction removed'] : []),
    ...(r.mentions.length > 0
      ? [`Mentions: ${r.mentions.map((m) => `@${m.name ?? m.userId} (${m.userId})`).join(', ')}`]
      : []),
    ...r.attachments.map(
      (a) =>
        `Attachment ${a.n}: ${a.name} (${a.mimeType}, ${a.size} bytes) ${
          a.file ? `→ ${a.file}` : `not saved: ${a.error?.code ?? 'unknown'}`
        }`,
    ),
    ...(r.recalled ? [`RECALLED at ${r.recalledAt} by ${r.recalledByName ?? ''} (${r.recalledBy ?? '-'})`] : []),
    ...(r.escrow ? [`Escrow: ${r.escrow}`] : []),
    ...(r.error ? [`NOT OPENED: ${r.error.code}: ${r.error.message}`] : []),
  ];
  return lines.join('\n');
}

/** One digest part for one row. */
export function emlPart(r: ExportRecord): string {
  const boundary = digestBoundary(r.conversationId);
  const id = r.clientMsgId ?? `seq-${r.seq}`;
  const target = r.target ?? r.replyTo;
  const body = `${r.text ?? (r.error ? '(this message could not be opened)' : '')}\n\n-- \n${summary(r)}\n`;
  const headers = [
    `From: ${address(r.senderName, r.senderUserId)}`,
    `Date: ${rfc5322Date(r.time)}`,
    `Subject: ${encodeWords(preview(r))}`,
    `Message-ID: ${messageId(id, r.conversationId)}`,
    ...(target ? [`In-Reply-To: ${messageId(target.clientMsgId, r.conversationId)}`] : []),
    `X-Miyu-Seq: ${r.seq}`,
    `X-Miyu-Type: ${r.type}`,
    ...(r.recalled ? [`X-Miyu-Recalled: ${r.recalledAt ?? 'yes'}`] : []),
    ...(r.error ? [`X-Miyu-Error: ${atom(r.error.code)}`] : []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: base64',
  ];
  return [`--${boundary}`, 'Content-Type: message/rfc822', '', ...headers, '', base64Body(body), ''].join(CRLF);
}

/** The only part of a conversation with no message in the selected range (a multipart needs one part). */
export function emlEmptyPart(conversationId: string): string {
  return [
    `--${digestBoundary(conversationId)}`,
    'Content-Type: text/plain; charset=utf-8',
    '',
    'No messages in the selected range.',
    '',
  ].join(CRLF);
}

export function emlFooter(conversationId: string): string {
  return `--${digestBoundary(conversationId)}--${CRLF}`;
}
