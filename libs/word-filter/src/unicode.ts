/**
 * Per-code-point normalisation with cached results. Matching never normalises a whole text (that would lose the
 * offsets of hits): every code point, or a base character with the combining marks that follow it, is normalised
 * on its own into zero or more units, and each unit remembers which original code units it came from.
 *
 * A unit is a code point in the low 21 bits plus class flags; see {@link UNIT_SEPARATOR} and {@link UNIT_LETTER}.
 */
import { toSimplified } from './traditional.js';

/** Mask of the code point in a unit. */
export const UNIT_CODE_POINT = 0x1fffff;
/** Whitespace, punctuation, symbols, control characters, and combining marks left over after composition. */
export const UNIT_SEPARATOR = 1 << 21;
/** A letter of a script written with spaces between words (Latin, Cyrillic, Greek, …): the whole-word rule's glue. */
export const UNIT_LETTER = 1 << 22;
export const UNIT_FLAGS = UNIT_SEPARATOR | UNIT_LETTER;

/** How a code point is normalised. */
export type FormMode = typeof MODE_MATCH | typeof MODE_MATCH_FOLD | typeof MODE_PATTERN;
/** Words: NFKC, case folding, invisible characters removed. */
export const MODE_MATCH = 0;
/** Words with traditional → simplified folding. */
export const MODE_MATCH_FOLD = 1;
/** Pattern rules: NFKC and invisible characters removed only (case is kept; no class flags). */
export const MODE_PATTERN = 2;

const IGNORABLE = /\p{Default_Ignorable_Code_Point}/u;
const IGNORABLES = /\p{Default_Ignorable_Code_Point}/gu;
const SEPARATOR = /^[\p{White_Space}\p{P}\p{S}\p{Cc}\p{M}]$/u;
const LETTER = /^\p{L}$/u;
// Scripts written without spaces between words: a Latin word glued to these is still a word of its own.
const UNSPACED =
  /^[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Hangul}\p{scx=Bopomofo}\p{scx=Yi}\p{scx=Thai}\p{scx=Lao}\p{scx=Khmer}\p{scx=Myanmar}]$/u;

function classFlags(cp: number): number {
  if (cp < 0x80) {
    const lower = cp | 0x20;
    if (lower >= 0x61 && lower <= 0x7a) return UNIT_LETTER;
    if (cp >= 0x30 && cp <= 0x39) return 0;
    return UNIT_SEPARATOR; // controls, space, punctuation (including _) and symbols
  }
  const ch = String.fromCodePoint(cp);
  if (SEPARATOR.test(ch)) return UNIT_SEPARATOR;
  if (LETTER.test(ch) && !UNSPACED.test(ch)) return UNIT_LETTER;
  return 0;
}

const EMPTY = new Int32Array(0);

/** Normalises a code point or a cluster (base + combining marks); the result is a fresh array of units. */
function computeForm(s: string, mode: FormMode): Int32Array {
  let t = s.replace(IGNORABLES, '').normalize('NFKC');
  // Full case folding, approximated by lower-, upper- then lower-casing (ẞ → ß → SS → ss, ς → σ, ǅ → ǆ), then NFKC.
  if (mode !== MODE_PATTERN) t = t.toLowerCase().toUpperCase().toLowerCase().normalize('NFKC');
  if (t.length === 0) return EMPTY;
  const out: number[] = [];
  for (const ch of t) {
    if (IGNORABLE.test(ch)) continue;
    let cp = ch.codePointAt(0)!;
    if (mode === MODE_PATTERN) {
      out.push(cp);
      continue;
    }
    if (mode === MODE_MATCH_FOLD) cp = toSimplified(cp);
    out.push(cp | classFlags(cp));
  }
  return out.length === 0 ? EMPTY : Int32Array.from(out);
}

const formCaches: Map<number, Int32Array>[] = [new Map(), new Map(), new Map()];

/** The normalised units of one code point (cached; do not mutate the result). */
export function formOf(cp: number, mode: FormMode): Int32Array {
  const cache = formCaches[mode]!;
  let form = cache.get(cp);
  if (form === undefined) {
    form = computeForm(String.fromCodePoint(cp), mode);
    cache.set(cp, form);
  }
  return form;
}

const clusterCaches: Map<string, Int32Array>[] = [new Map(), new Map(), new Map()];
const CLUSTER_CACHE_SIZE = 4096;

/** The normalised units of `text.slice(start, end)`, a base character followed by combining marks. */
export function clusterForm(text: string, start: number, end: number, mode: FormMode): Int32Array {
  const key = text.slice(start, end);
  const cache = clusterCaches[mode]!;
  let form = cache.get(key);
  if (form === undefined) {
    form = computeForm(key, mode);
    if (cache.size >= CLUSTER_CACHE_SIZE) cache.clear();
    cache.set(key, form);
  }
  return form;
}

let markOrIgnorable: Uint8Array | null = null;

/**
 * For every UTF-16 code unit: 1 when it is a combining mark, a default-ignorable character or a high surrogate (the
 * code point it starts may be one), else 0. A scanner checks the unit after each code point against this table
 * and only then looks for a cluster.
 */
export function markOrIgnorableTable(): Uint8Array {
  if (markOrIgnorable !== null) return markOrIgnorable;
  const t = new Uint8Array(0x10000);
  const re = /^[\p{M}\p{Default_Ignorable_Code_Point}]$/u;
  for (let c = 0x80; c < 0x10000; c += 1) {
    if (c >= 0xd800 && c < 0xe000) continue;
    if (re.test(String.fromCharCode(c))) t[c] = 1;
  }
  t.fill(1, 0xd800, 0xdc00);
  markOrIgnorable = t;
  return t;
}

const MARK = /^\p{M}$/u;

/** Reads the code point at `i` (a lone surrogate stands for itself). */
export function codePointAt(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c >= 0xd800 && c < 0xdc00 && i + 1 < text.length) {
    const d = text.charCodeAt(i + 1);
    if (d >= 0xdc00 && d < 0xe000) return ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
  }
  return c;
}

/**
 * Where the cluster that starts with a base character ending at `i` ends: after the last combining mark that
 * follows (invisible characters between the marks are skipped), or `i` itself when no mark follows.
 */
export function clusterEnd(text: string, i: number): number {
  let end = i;
  let p = i;
  const n = text.length;
  while (p < n) {
    const cp = codePointAt(text, p);
    const ch = String.fromCodePoint(cp);
    const size = cp > 0xffff ? 2 : 1;
    if (MARK.test(ch)) end = p + size;
    else if (!IGNORABLE.test(ch)) break;
    p += size;
  }
  return end;
}

/**
 * Visits the normalised units of `text` in order with the original UTF-16 range each came from. Units of one code
 * point (or one cluster) share its range. This is the reference implementation; the filter's scan loop inlines the
 * same steps.
 */
export function forEachUnit(
  text: string,
  mode: FormMode,
  visit: (unit: number, start: number, end: number) => void,
): void {
  const slow = markOrIgnorableTable();
  const n = text.length;
  let i = 0;
  while (i < n) {
    const start = i;
    const cp = codePointAt(text, i);
    i += cp > 0xffff ? 2 : 1;
    let form: Int32Array;
    if (i < n && slow[text.charCodeAt(i)] === 1) {
      const end = clusterEnd(text, i);
      if (end > i) {
        form = clusterForm(text, start, end, mode);
        i = end;
      } else {
        form = formOf(cp, mode);
      }
    } else {
      form = formOf(cp, mode);
    }
    for (let k = 0; k < form.length; k += 1) visit(form[k]!, start, i);
  }
}
