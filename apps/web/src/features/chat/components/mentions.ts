import type { Mention } from '@miyu/crypto';

/** A member who can be mentioned. */
export interface Mentionable {
  userId: string;
  name: string;
}

/** The label that mentions everyone (in the text as "@所有人" / "@all"). */
export const ALL = '*';

/** The "@query" being typed just before the caret, if any (no spaces inside; `@` at the start or after space). */
export function mentionQuery(text: string, caret: number): { start: number; query: string } | null {
  const before = text.slice(0, caret);
  const at = before.lastIndexOf('@');
  if (at < 0) return null;
  if (at > 0 && !/\s/.test(before[at - 1]!)) return null;
  const query = before.slice(at + 1);
  if (/\s/.test(query) || query.length > 32) return null;
  return { start: at, query };
}

/** Replaces "@query" (from `start` to the caret) with "@label ", returning the new text and caret. */
export function insertMention(
  text: string,
  start: number,
  caret: number,
  label: string,
): { text: string; caret: number } {
  const inserted = `@${label} `;
  return { text: text.slice(0, start) + inserted + text.slice(caret), caret: start + inserted.length };
}

/**
 * The mentions actually in the text when it is sent: every "@name" of a person picked from the list (the user
 * may have deleted some since), as UTF-16 offsets, and whether "@all" stayed in.
 */
export function collectMentions(
  text: string,
  picked: readonly Mentionable[],
  allLabel: string,
): { mentions: Mention[]; mentionsAll: boolean } {
  const mentions: Mention[] = [];
  for (const person of picked) {
    const token = `@${person.name}`;
    let from = 0;
    for (;;) {
      const at = text.indexOf(token, from);
      if (at < 0) break;
      if (!mentions.some((m) => m.start === at))
        mentions.push({ userId: person.userId, start: at, length: token.length });
      from = at + token.length;
    }
  }
  mentions.sort((a, b) => a.start - b.start);
  return { mentions, mentionsAll: picked.some((p) => p.userId === ALL) && text.includes(`@${allLabel}`) };
}

/** Splits a body into plain text and mention segments, for highlighting. */
export function segments(body: string, mentions: readonly Mention[]): Array<{ text: string; userId: string | null }> {
  const out: Array<{ text: string; userId: string | null }> = [];
  let at = 0;
  for (const m of [...mentions].sort((a, b) => a.start - b.start)) {
    if (m.start < at || m.start + m.length > body.length) continue;
    if (m.start > at) out.push({ text: body.slice(at, m.start), userId: null });
    out.push({ text: body.slice(m.start, m.start + m.length), userId: m.userId });
    at = m.start + m.length;
  }
  if (at < body.length) out.push({ text: body.slice(at), userId: null });
  return out;
}
