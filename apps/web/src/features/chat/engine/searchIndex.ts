import type { StoredMessage } from './deviceStore';

/**
 * The local full-text index over decrypted history (it never leaves the device). CJK text has no spaces, so it
 * is indexed by character bigrams (and single characters), which makes any substring of two or more characters
 * findable — 敏感 finds 敏感词 — while Latin words and numbers are indexed whole and by prefix. A query's terms
 * narrow the candidates through the postings; candidates are then confirmed by a substring match on the
 * normalised text, so results are exact.
 */

const CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]/u;
const MAX_PREFIX = 12;

/** NFKC (full-width → half-width), lower case, invisible characters removed. */
export function normalise(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u200b-\u200f\u2060\ufeff]/g, '');
}

/** Splits normalised text into runs of CJK characters and of letters/digits (everything else separates). */
function runs(text: string): Array<{ cjk: boolean; chars: string[] }> {
  const out: Array<{ cjk: boolean; chars: string[] }> = [];
  let current: { cjk: boolean; chars: string[] } | null = null;
  for (const ch of text) {
    const cjk = CJK.test(ch);
    if (!cjk && !/[\p{L}\p{N}]/u.test(ch)) {
      current = null;
      continue;
    }
    if (!current || current.cjk !== cjk) out.push((current = { cjk, chars: [] }));
    current.chars.push(ch);
  }
  return out;
}

/** Index terms of a normalised text: every CJK character and bigram; every prefix of a word (up to 12). */
export function terms(text: string): Set<string> {
  const out = new Set<string>();
  for (const { cjk, chars } of runs(text)) {
    if (cjk) {
      chars.forEach((ch, i) => {
        out.add(ch);
        if (i + 1 < chars.length) out.add(ch + chars[i + 1]!);
      });
    } else {
      const word = chars.join('');
      for (let n = 1; n <= Math.min(word.length, MAX_PREFIX); n += 1) out.add(word.slice(0, n));
      if (word.length > MAX_PREFIX) out.add(word);
    }
  }
  return out;
}

/** The terms a query must all have: bigrams of CJK runs (or the lone character), whole words (as prefixes). */
function queryTerms(query: string): string[] {
  const out: string[] = [];
  for (const { cjk, chars } of runs(query)) {
    if (cjk && chars.length === 1) out.push(chars[0]!);
    else if (cjk) for (let i = 0; i + 1 < chars.length; i += 1) out.push(chars[i]! + chars[i + 1]!);
    else out.push(chars.slice(0, MAX_PREFIX).join(''));
  }
  return out;
}

export interface SearchFilter {
  conversationId?: string;
  senderUserId?: string;
  /** ISO times, inclusive. */
  from?: string;
  to?: string;
}

export interface SearchHit {
  message: StoredMessage;
  text: string;
}

const keyOf = (m: StoredMessage) => `${m.conversationId}/${m.seq}`;

/** Searchable text of a message: its body (after edits are applied by the caller), caption or file names. */
export function searchableText(m: StoredMessage): string | null {
  if (m.recalledAt || !m.content) return null;
  const c = m.content;
  if (c.type === 'text') return c.body;
  if (c.type === 'attachment') return [c.caption ?? '', ...c.attachments.map((a) => a.name)].join(' ');
  return null;
}

export class SearchIndex {
  private readonly postings = new Map<string, Set<string>>();
  private readonly docs = new Map<string, { message: StoredMessage; text: string; normal: string }>();
  /** sender/clientMsgId → doc key, so an edit replaces the text of the message it edits. */
  private readonly byRef = new Map<string, string>();
  /** Edits that arrived before their target (history loads newest first). */
  private readonly pendingEdits = new Map<string, string>();

  get size(): number {
    return this.docs.size;
  }

  /** Adds or replaces messages (a recalled or unreadable message is removed); edits replace their target's text. */
  add(messages: readonly StoredMessage[]): void {
    for (const m of messages) {
      const c = m.content;
      if (c?.type === 'edit' && m.senderUserId === c.target.senderUserId) {
        const ref = `${c.target.senderUserId}/${c.target.clientMsgId}`;
        const target = this.docs.get(this.byRef.get(ref) ?? '');
        if (target) this.put(target.message, c.body);
        else this.pendingEdits.set(ref, c.body);
        continue;
      }
      const ref = m.senderUserId && m.clientMsgId ? `${m.senderUserId}/${m.clientMsgId}` : null;
      const text = searchableText(m);
      if (ref && text !== null) this.byRef.set(ref, keyOf(m));
      this.put(m, ref && text !== null ? (this.pendingEdits.get(ref) ?? text) : text);
    }
  }

  private put(m: StoredMessage, text: string | null): void {
    const key = keyOf(m);
    this.remove(key);
    if (!text) return;
    const normal = normalise(text);
    this.docs.set(key, { message: m, text, normal });
    for (const term of terms(normal)) {
      let set = this.postings.get(term);
      if (!set) this.postings.set(term, (set = new Set()));
      set.add(key);
    }
  }

  private remove(key: string): void {
    const doc = this.docs.get(key);
    if (!doc) return;
    for (const term of terms(doc.normal)) this.postings.get(term)?.delete(key);
    this.docs.delete(key);
  }

  /** Newest first, at most `limit` hits that contain the whole query and pass the filter. */
  search(query: string, filter: SearchFilter = {}, limit = 50): SearchHit[] {
    const q = normalise(query).trim();
    if (!q) return [];
    const wanted = queryTerms(q);
    if (wanted.length === 0) return [];
    const lists = wanted.map((t) => this.postings.get(t) ?? new Set<string>()).sort((a, b) => a.size - b.size);
    const [smallest, ...rest] = lists;
    const hits: SearchHit[] = [];
    for (const key of smallest ?? []) {
      if (!rest.every((list) => list.has(key))) continue;
      const doc = this.docs.get(key)!;
      const m = doc.message;
      if (filter.conversationId && m.conversationId !== filter.conversationId) continue;
      if (filter.senderUserId && m.senderUserId !== filter.senderUserId) continue;
      if (filter.from && m.serverTs < filter.from) continue;
      if (filter.to && m.serverTs > filter.to) continue;
      // Terms narrowed the candidates; the phrase itself must occur (terms can match out of order).
      if (!doc.normal.includes(q)) continue;
      hits.push({ message: m, text: doc.text });
    }
    hits.sort((a, b) => (a.message.serverTs < b.message.serverTs ? 1 : -1));
    return hits.slice(0, limit);
  }
}
