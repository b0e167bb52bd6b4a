import type { Mention, MessageContent } from '@miyu/crypto';
import type { StoredMessage } from '../engine/deviceStore';
import { dayKey } from './time';

/**
 * Turns stored timeline entries into what the timeline shows. Edits, reactions and recalls are E2E events that
 * point at an earlier message (by sender and clientMsgId): they are folded into it, not shown on their own.
 */
export type TimelineRow =
  | { kind: 'day'; key: string; iso: string }
  | { kind: 'system'; key: string; message: StoredMessage }
  | {
      kind: 'message';
      key: string;
      message: StoredMessage;
      /** The body after the latest edit, for text messages, and its mentions. */
      body: string | null;
      mentions: Mention[];
      edited: boolean;
      recalled: boolean;
      reactions: Array<{ emoji: string; userIds: string[] }>;
      /**
       * The compliance copy of the message (or of its latest edit) does not match what was sent, or is missing in
       * a retained conversation: shown as a red warning.
       */
      escrowWarning: EscrowWarning | null;
      /** Continues the previous message's group (same sender, within five minutes): no name or avatar. */
      continued: boolean;
    };

const GROUP_WINDOW_MS = 5 * 60_000;

export type EscrowWarning = 'mismatch' | 'missing';

function escrowWarningOf(m: StoredMessage | undefined): EscrowWarning | null {
  return m?.escrow === 'mismatch' || m?.escrow === 'missing' ? m.escrow : null;
}

type Ref = { clientMsgId: string; senderUserId: string };
const refKey = (r: Ref) => `${r.senderUserId}/${r.clientMsgId}`;

function isFolded(c: MessageContent | { type: string }): boolean {
  return c.type === 'edit' || c.type === 'reaction' || c.type === 'recall';
}

export function buildRows(items: readonly StoredMessage[]): TimelineRow[] {
  const edits = new Map<string, { body: string; mentions: Mention[]; message: StoredMessage }>();
  const recalls = new Set<string>();
  const reactions = new Map<string, Map<string, Set<string>>>();
  for (const m of items) {
    const c = m.content;
    if (!c || !m.senderUserId) continue;
    if (c.type === 'edit' && c.target.senderUserId === m.senderUserId)
      edits.set(refKey(c.target), { body: c.body, mentions: c.mentions, message: m });
    if (c.type === 'recall' && c.target.senderUserId === m.senderUserId) recalls.add(refKey(c.target));
    if (c.type === 'reaction') {
      const byEmoji = reactions.get(refKey(c.target)) ?? new Map<string, Set<string>>();
      const users = byEmoji.get(c.emoji) ?? new Set<string>();
      if (c.remove) users.delete(m.senderUserId);
      else users.add(m.senderUserId);
      byEmoji.set(c.emoji, users);
      reactions.set(refKey(c.target), byEmoji);
    }
  }

  const rows: TimelineRow[] = [];
  let lastDay: string | null = null;
  let previous: StoredMessage | null = null;
  for (const m of items) {
    if (m.content && isFolded(m.content) && !m.recalledAt) continue;
    const day = dayKey(m.serverTs);
    if (day !== lastDay) {
      rows.push({ kind: 'day', key: `day-${day}`, iso: m.serverTs });
      lastDay = day;
      previous = null;
    }
    if (m.system) {
      rows.push({ kind: 'system', key: `s-${m.seq}`, message: m });
      previous = null;
      continue;
    }
    const key =
      m.clientMsgId && m.senderUserId ? refKey({ clientMsgId: m.clientMsgId, senderUserId: m.senderUserId }) : '';
    const edit = edits.get(key);
    const body = m.content?.type === 'text' ? (edit?.body ?? m.content.body) : null;
    const mentions = m.content?.type === 'text' ? (edit?.mentions ?? m.content.mentions) : [];
    const continued =
      previous !== null &&
      previous.senderUserId === m.senderUserId &&
      Date.parse(m.serverTs) - Date.parse(previous.serverTs) < GROUP_WINDOW_MS;
    rows.push({
      kind: 'message',
      key: `m-${m.seq}`,
      message: m,
      body,
      mentions,
      edited: edit !== undefined,
      recalled: m.recalledAt !== null || recalls.has(key),
      reactions: [...(reactions.get(key) ?? new Map<string, Set<string>>())]
        .filter(([, users]) => users.size > 0)
        .map(([emoji, users]) => ({ emoji, userIds: [...users] })),
      escrowWarning: escrowWarningOf(m) ?? escrowWarningOf(edit?.message),
      continued,
    });
    previous = m;
  }
  return rows;
}

/** The current text of a message: its latest edit's body, else its own. */
export function editedBody(message: StoredMessage, items: readonly StoredMessage[]): string {
  const row = buildRows(items).find((r) => r.kind === 'message' && r.message.seq === message.seq);
  if (row?.kind === 'message' && row.body !== null) return row.body;
  return message.content?.type === 'text' ? message.content.body : '';
}
