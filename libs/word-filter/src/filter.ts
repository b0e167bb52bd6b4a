/**
 * Compiles a policy into a {@link CompiledFilter}: word rules and whitelist phrases into one Aho–Corasick automaton
 * over normalised units, pattern rules into linear-time regex programs. See docs/word-filter.md for the semantics.
 */
import { type Automaton, buildAutomaton } from './automaton.js';
import { FilterRuleError } from './errors.js';
import { matchMode, matchUnits } from './normalize.js';
import { type CompiledRegex, PatternSyntaxError, RegexMatcher, compileRegex } from './regex.js';
import {
  type CompiledFilter,
  type FilterAction,
  FILTER_ACTIONS,
  FILTER_LIMITS,
  type FilterHit,
  type FilterOptions,
  type FilterPolicyInput,
  type FilterRule,
  type PatternValidator,
  type ScanResult,
} from './types.js';
import {
  type FormMode,
  MODE_PATTERN,
  UNIT_CODE_POINT,
  UNIT_FLAGS,
  UNIT_LETTER,
  UNIT_SEPARATOR,
  clusterEnd,
  clusterForm,
  codePointAt,
  formOf,
  markOrIgnorableTable,
} from './unicode.js';
import { PATTERN_VALIDATORS, validateMatch } from './validators.js';

// Per-code-point entries of a compiled filter's lookup table: a symbol of the automaton in the low 21 bits plus the
// unit's class flags, or one of these negative markers.
const ENTRY_UNCOMPUTED = -1;
const ENTRY_REMOVED = -2;
// Entries ≤ ENTRY_EXPANSION index a list of several units: expansions[ENTRY_EXPANSION - entry].
const ENTRY_EXPANSION = -3;
const ENTRY_SYMBOL = UNIT_CODE_POINT;

// Whole-word flags of a key: its first / last unit is a letter of a space-delimited script.
const KEY_START_LETTER = 1;
const KEY_END_LETTER = 2;

// Keys are at most 64 units long, so the last 64 fed units are enough to find where a key started.
const RING = 64;
const RING_MASK = RING - 1;

const ACTION_RANK: Record<FilterAction, number> = { block: 0, warn: 1, mask: 2, flag: 3 };

interface PatternEntry {
  readonly ruleIndex: number;
  readonly matcher: RegexMatcher;
  readonly validator: PatternValidator;
}

function fail(ruleId: string, reason: string): never {
  throw new FilterRuleError(ruleId, reason);
}

function codePointLength(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i += 1) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) i += 1; // a surrogate pair is one code point
    }
    n += 1;
  }
  return n;
}

/** Growable Int32Array used as scratch space across scans; `keep` copies the old contents. */
function grow(buf: Int32Array<ArrayBuffer>, size: number, keep = false): Int32Array<ArrayBuffer> {
  if (buf.length >= size) return buf;
  let cap = Math.max(buf.length, 256);
  while (cap < size) cap *= 2;
  const next = new Int32Array(cap);
  if (keep) next.set(buf);
  return next;
}

class CompiledFilterImpl implements CompiledFilter {
  readonly ruleCount: number;
  private readonly rules: readonly FilterRule[];
  private readonly skipSeparators: boolean;
  private readonly mode: FormMode;
  private readonly symbols: Map<number, number>;
  private readonly ac: Automaton;
  private readonly keyRule: Int32Array; // rule index, or -1 for a whitelist phrase
  private readonly keyLength: Uint8Array;
  private readonly keyFlags: Uint8Array;
  private readonly patterns: readonly PatternEntry[];

  // Lazily filled lookup from code point to entry (BMP in a flat table, the rest in a map).
  private readonly bmp = new Int32Array(0x10000).fill(ENTRY_UNCOMPUTED);
  private readonly astral = new Map<number, number>();
  private readonly expansions: Int32Array[] = [];
  private readonly markOrIgnorable = markOrIgnorableTable();

  // Scratch state of a scan, reused across scans.
  private readonly ringStart = new Int32Array(RING);
  private readonly ringAfterLetter = new Uint8Array(RING);
  private readonly hitRule: number[] = [];
  private readonly hitStart: number[] = [];
  private readonly hitEnd: number[] = [];
  private readonly allowStart: number[] = [];
  private readonly allowEnd: number[] = [];
  private patternInput = new Int32Array(0);
  private patternStart = new Int32Array(0);
  private patternEnd = new Int32Array(0);

  // The same lookup for the NFKC stream that pattern rules read (allocated only when there are pattern rules).
  private readonly patternBmp: Int32Array;
  private readonly patternAstral = new Map<number, number>();
  private readonly patternExpansions: Int32Array[] = [];

  constructor(
    rules: readonly FilterRule[],
    options: FilterOptions,
    symbols: Map<number, number>,
    keys: readonly Int32Array[],
    keyRule: Int32Array,
    keyFlags: Uint8Array,
    patterns: readonly PatternEntry[],
  ) {
    this.rules = rules;
    this.ruleCount = rules.length;
    this.skipSeparators = options.skipSeparators;
    this.mode = matchMode(options);
    this.symbols = symbols;
    this.ac = buildAutomaton(keys, symbols.size);
    this.keyRule = keyRule;
    this.keyLength = Uint8Array.from(keys, (k) => k.length);
    this.keyFlags = keyFlags;
    this.patterns = patterns;
    this.patternBmp = new Int32Array(patterns.length > 0 ? 0x10000 : 0).fill(ENTRY_UNCOMPUTED);
  }

  scan(text: string): ScanResult {
    if (typeof text !== 'string') throw new TypeError('scan(text): text must be a string');
    this.hitRule.length = 0;
    this.hitStart.length = 0;
    this.hitEnd.length = 0;
    this.allowStart.length = 0;
    this.allowEnd.length = 0;
    this.allowedOrder = null;
    if (this.ac.stateCount > 1) this.scanWords(text);
    if (this.patterns.length > 0) this.scanPatterns(text);
    return this.collect(text);
  }

  mask(text: string, hits?: readonly FilterHit[]): string {
    const list = hits ?? this.scan(text).hits;
    const ranges: [number, number][] = [];
    for (const hit of list) {
      if (hit.action !== 'mask') continue;
      const start = Math.max(0, Math.min(hit.start, text.length));
      const end = Math.max(start, Math.min(hit.end, text.length));
      if (end > start) ranges.push([start, end]);
    }
    if (ranges.length === 0) return text;
    ranges.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
    let out = '';
    let copied = 0; // text before this offset is already in `out`
    for (let r = 0; r < ranges.length; r += 1) {
      let [start, end] = ranges[r]!;
      // Merge overlapping or touching ranges.
      while (r + 1 < ranges.length && ranges[r + 1]![0] <= end) {
        end = Math.max(end, ranges[r + 1]![1]);
        r += 1;
      }
      if (end <= copied) continue;
      start = Math.max(start, copied);
      // Never split a surrogate pair: a range that starts on a low surrogate includes its high surrogate.
      if (start > copied && isLowSurrogateAt(text, start) && isHighSurrogateAt(text, start - 1)) start -= 1;
      out += text.slice(copied, start);
      let i = start;
      let stars = 0;
      while (i < end) {
        i += codePointAt(text, i) > 0xffff ? 2 : 1;
        stars += 1;
      }
      out += '*'.repeat(stars);
      copied = i;
    }
    return out + text.slice(copied);
  }

  /** Entry of code point `cp` (computed on first use). */
  private entryOf(cp: number): number {
    const known = cp < 0x10000 ? this.bmp[cp]! : (this.astral.get(cp) ?? ENTRY_UNCOMPUTED);
    if (known !== ENTRY_UNCOMPUTED) return known;
    const entry = this.entryForUnits(formOf(cp, this.mode));
    if (cp < 0x10000) this.bmp[cp] = entry;
    else this.astral.set(cp, entry);
    return entry;
  }

  private encodeUnit(unit: number): number {
    return (this.symbols.get(unit & UNIT_CODE_POINT) ?? 0) | (unit & UNIT_FLAGS);
  }

  private entryForUnits(units: Int32Array): number {
    if (units.length === 0) return ENTRY_REMOVED;
    if (units.length === 1) return this.encodeUnit(units[0]!);
    this.expansions.push(Int32Array.from(units, (u) => this.encodeUnit(u)));
    return ENTRY_EXPANSION - (this.expansions.length - 1);
  }

  /** Encoded units of a cluster (base + combining marks); not cached per filter because clusters are rare. */
  private clusterUnits(text: string, start: number, end: number): Int32Array {
    return Int32Array.from(clusterForm(text, start, end, this.mode), (u) => this.encodeUnit(u));
  }

  /**
   * The hot loop: decode a code point, look up its entry, feed each unit to the automaton. Separators are passed
   * over when `skipSeparators`; a unit whose code point is in no key resets the automaton to its root.
   */
  private scanWords(text: string): void {
    const { base, check, fail: failLink, report } = this.ac;
    const bmp = this.bmp;
    const slow = this.markOrIgnorable;
    const skip = this.skipSeparators;
    const ringStart = this.ringStart;
    const ringAfterLetter = this.ringAfterLetter;
    const n = text.length;
    let state = 0;
    let fed = 0;
    let afterLetter = 0;
    let i = 0;
    while (i < n) {
      const start = i;
      let cp = text.charCodeAt(i);
      i += 1;
      let entry: number;
      if (cp < 0xd800 || cp >= 0xe000) {
        entry = bmp[cp]!;
        if (entry === ENTRY_UNCOMPUTED) entry = this.entryOf(cp);
      } else {
        if (cp < 0xdc00 && i < n) {
          const lo = text.charCodeAt(i);
          if (lo >= 0xdc00 && lo < 0xe000) {
            cp = ((cp - 0xd800) << 10) + (lo - 0xdc00) + 0x10000;
            i += 1;
          }
        }
        entry = this.entryOf(cp);
      }
      let units: Int32Array | null = null;
      if (i < n && slow[text.charCodeAt(i)] === 1) {
        const end = clusterEnd(text, i);
        if (end > i) {
          units = this.clusterUnits(text, start, end);
          i = end;
          if (units.length === 0) continue;
          entry = units[0]!;
        }
      }
      if (entry < 0) {
        if (entry === ENTRY_REMOVED) continue;
        units = this.expansions[ENTRY_EXPANSION - entry]!;
        entry = units[0]!;
      }
      const count = units === null ? 1 : units.length;
      for (let k = 0; ;) {
        if (!skip || (entry & UNIT_SEPARATOR) === 0) {
          const sym = entry & ENTRY_SYMBOL;
          if (sym === 0) {
            state = 0;
          } else {
            ringStart[fed & RING_MASK] = start;
            ringAfterLetter[fed & RING_MASK] = afterLetter;
            fed += 1;
            for (;;) {
              const t = base[state]! + sym;
              if (check[t] === state) {
                state = t;
                break;
              }
              if (state === 0) break;
              state = failLink[state]!;
            }
            const r = report[state]!;
            if (r >= 0) this.emit(r, text, fed, i, units, k);
          }
        }
        afterLetter = (entry & UNIT_LETTER) !== 0 ? 1 : 0;
        k += 1;
        if (k >= count) break;
        entry = units![k]!;
      }
    }
  }

  /** Records the keys ending at automaton state `r` and along its output chain. */
  private emit(r: number, text: string, fed: number, end: number, units: Int32Array | null, k: number): void {
    const { reportNext, outHead, outNext } = this.ac;
    let letterAfter = -1;
    for (let s = r; s >= 0; s = reportNext[s]!) {
      for (let key = outHead[s]!; key >= 0; key = outNext[key]!) {
        const slot = (fed - this.keyLength[key]!) & RING_MASK;
        const start = this.ringStart[slot]!;
        const rule = this.keyRule[key]!;
        if (rule < 0) {
          this.allowStart.push(start);
          this.allowEnd.push(end);
          continue;
        }
        const flags = this.keyFlags[key]!;
        if ((flags & KEY_START_LETTER) !== 0 && this.ringAfterLetter[slot] === 1) continue;
        if ((flags & KEY_END_LETTER) !== 0) {
          if (letterAfter < 0) letterAfter = this.letterAfter(text, end, units, k);
          if (letterAfter === 1) continue;
        }
        this.hitRule.push(rule);
        this.hitStart.push(start);
        this.hitEnd.push(end);
      }
    }
  }

  /** 1 when the unit right after unit `k` of the current code point (or after offset `end`) is a letter. */
  private letterAfter(text: string, end: number, units: Int32Array | null, k: number): number {
    if (units !== null && k + 1 < units.length) return (units[k + 1]! & UNIT_LETTER) !== 0 ? 1 : 0;
    let p = end;
    while (p < text.length) {
      const cp = codePointAt(text, p);
      p += cp > 0xffff ? 2 : 1;
      const entry = this.entryOf(cp);
      if (entry === ENTRY_REMOVED) continue;
      const first = entry >= 0 ? entry : this.expansions[ENTRY_EXPANSION - entry]![0]!;
      return (first & UNIT_LETTER) !== 0 ? 1 : 0;
    }
    return 0;
  }

  /** Entry of code point `cp` in the NFKC stream pattern rules read: the code point, removed, or an expansion. */
  private patternEntryOf(cp: number): number {
    const known = cp < 0x10000 ? this.patternBmp[cp]! : (this.patternAstral.get(cp) ?? ENTRY_UNCOMPUTED);
    if (known !== ENTRY_UNCOMPUTED) return known;
    const form = formOf(cp, MODE_PATTERN);
    let entry: number;
    if (form.length === 0) entry = ENTRY_REMOVED;
    else if (form.length === 1) entry = form[0]!;
    else {
      this.patternExpansions.push(form);
      entry = ENTRY_EXPANSION - (this.patternExpansions.length - 1);
    }
    if (cp < 0x10000) this.patternBmp[cp] = entry;
    else this.patternAstral.set(cp, entry);
    return entry;
  }

  /** Builds the NFKC stream of `text` with the original range of each code point, into reused buffers. */
  private buildPatternStream(text: string): number {
    const n = text.length;
    // A stream is at most as long as the text, except where a code point expands (㍿ → 株式会社): grow then.
    let input = grow(this.patternInput, n + 16);
    let starts = grow(this.patternStart, input.length);
    let ends = grow(this.patternEnd, input.length);
    let cap = input.length;
    const table = this.patternBmp;
    const slow = this.markOrIgnorable;
    let len = 0;
    let i = 0;
    while (i < n) {
      const start = i;
      let cp = text.charCodeAt(i);
      i += 1;
      if (cp >= 0xd800 && cp < 0xdc00 && i < n) {
        const lo = text.charCodeAt(i);
        if (lo >= 0xdc00 && lo < 0xe000) {
          cp = ((cp - 0xd800) << 10) + (lo - 0xdc00) + 0x10000;
          i += 1;
        }
      }
      let entry = cp < 0x10000 ? table[cp]! : ENTRY_UNCOMPUTED;
      if (entry === ENTRY_UNCOMPUTED) entry = this.patternEntryOf(cp);
      let units: Int32Array | null = null;
      if (i < n && slow[text.charCodeAt(i)] === 1) {
        const end = clusterEnd(text, i);
        if (end > i) {
          units = clusterForm(text, start, end, MODE_PATTERN);
          i = end;
        }
      }
      if (units === null) {
        if (entry >= 0) {
          if (len >= cap) {
            cap *= 2;
            [input, starts, ends] = [grow(input, cap, true), grow(starts, cap, true), grow(ends, cap, true)];
          }
          input[len] = entry;
          starts[len] = start;
          ends[len] = i;
          len += 1;
          continue;
        }
        if (entry === ENTRY_REMOVED) continue;
        units = this.patternExpansions[ENTRY_EXPANSION - entry]!;
      }
      for (let k = 0; k < units.length; k += 1) {
        if (len >= cap) {
          cap *= 2;
          [input, starts, ends] = [grow(input, cap, true), grow(starts, cap, true), grow(ends, cap, true)];
        }
        input[len] = units[k]!;
        starts[len] = start;
        ends[len] = i;
        len += 1;
      }
    }
    this.patternInput = input;
    this.patternStart = starts;
    this.patternEnd = ends;
    return len;
  }

  /** Runs every pattern rule over the NFKC stream of `text`. */
  private scanPatterns(text: string): void {
    const len = this.buildPatternStream(text);
    const input = this.patternInput;
    const starts = this.patternStart;
    const ends = this.patternEnd;
    for (const p of this.patterns) {
      p.matcher.search(
        input,
        len,
        (s, e) => validateMatch(p.validator, input, s, e),
        (s, e) => {
          this.hitRule.push(p.ruleIndex);
          this.hitStart.push(starts[s]!);
          this.hitEnd.push(ends[e - 1]!);
        },
      );
    }
  }

  /** Applies the whitelist, orders the hits and builds the result objects. */
  private collect(text: string): ScanResult {
    const count = this.hitRule.length;
    if (count === 0) return { hits: [], action: null };
    let keep = Array.from({ length: count }, (_, j) => j);
    if (this.allowStart.length > 0) keep = keep.filter((j) => !this.allowed(this.hitStart[j]!, this.hitEnd[j]!));
    keep.sort(
      (x, y) =>
        this.hitStart[x]! - this.hitStart[y]! ||
        this.hitEnd[x]! - this.hitEnd[y]! ||
        this.hitRule[x]! - this.hitRule[y]!,
    );
    const hits: FilterHit[] = [];
    let best = FILTER_ACTIONS.length;
    for (const j of keep) {
      const rule = this.rules[this.hitRule[j]!]!;
      const start = this.hitStart[j]!;
      const end = this.hitEnd[j]!;
      hits.push({
        ruleId: rule.id,
        category: rule.category,
        action: rule.action,
        start,
        end,
        text: text.slice(start, end),
      });
      best = Math.min(best, ACTION_RANK[rule.action]);
    }
    return { hits, action: hits.length === 0 ? null : FILTER_ACTIONS[best]! };
  }

  private allowedOrder: number[] | null = null;
  private allowedMaxEnd: number[] = [];

  /** Whether [start, end) lies inside an occurrence of a whitelist phrase. */
  private allowed(start: number, end: number): boolean {
    if (this.allowedOrder === null) {
      // Sort occurrences by start; prefix maxima of their ends answer "does any occurrence starting at or before
      // `start` reach `end`?" with one binary search.
      const order = Array.from({ length: this.allowStart.length }, (_, j) => j).sort(
        (x, y) => this.allowStart[x]! - this.allowStart[y]!,
      );
      const maxEnd: number[] = [];
      let m = -1;
      for (const j of order) {
        m = Math.max(m, this.allowEnd[j]!);
        maxEnd.push(m);
      }
      this.allowedOrder = order;
      this.allowedMaxEnd = maxEnd;
    }
    const order = this.allowedOrder;
    let lo = 0;
    let hi = order.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.allowStart[order[mid]!]! <= start) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found >= 0 && this.allowedMaxEnd[found]! >= end;
  }
}

function isHighSurrogateAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c >= 0xd800 && c < 0xdc00;
}

function isLowSurrogateAt(text: string, i: number): boolean {
  const c = text.charCodeAt(i);
  return c >= 0xdc00 && c < 0xe000;
}

/** Normalised units of a word or whitelist phrase under the policy's options, validated for length. */
function keyUnits(text: string, options: FilterOptions, ruleId: string, what: string): number[] {
  if (typeof text !== 'string') fail(ruleId, `${what} must be a string`);
  const max = FILTER_LIMITS.maxWordLength;
  if (codePointLength(text) > max) fail(ruleId, `${what} is longer than ${max} code points`);
  const units = matchUnits(text, options);
  if (units.length === 0) fail(ruleId, `${what} is empty after normalisation`);
  if (units.length > max) fail(ruleId, `${what} is longer than ${max} code points after normalisation`);
  return units;
}

/**
 * Validates and compiles a policy. Throws {@link FilterRuleError} naming the first invalid rule: a missing or
 * duplicate id, an unknown type, action or validator, a word that is empty after normalisation or longer than 64
 * code points, a pattern outside the supported subset (see {@link checkPattern}), or more than 50,000 rules.
 * Compilation is deterministic; the result is immutable and safe to share.
 */
export function compileFilter(input: FilterPolicyInput): CompiledFilter {
  if (input === null || typeof input !== 'object') fail('policy', 'policy must be an object');
  const { rules, whitelist, options } = input;
  if (!Array.isArray(rules)) fail('policy', 'rules must be an array');
  if (!Array.isArray(whitelist)) fail('policy', 'whitelist must be an array');
  if (options === null || typeof options !== 'object') fail('policy', 'options must be an object');
  if (typeof options.foldTraditional !== 'boolean' || typeof options.skipSeparators !== 'boolean') {
    fail('policy', 'options.foldTraditional and options.skipSeparators must be booleans');
  }
  if (rules.length > FILTER_LIMITS.maxRules) {
    fail(String((rules[FILTER_LIMITS.maxRules] as FilterRule).id), `more than ${FILTER_LIMITS.maxRules} rules`);
  }
  if (whitelist.length > FILTER_LIMITS.maxWhitelist) {
    fail(`whitelist[${FILTER_LIMITS.maxWhitelist}]`, `more than ${FILTER_LIMITS.maxWhitelist} whitelist phrases`);
  }
  const opts: FilterOptions = { foldTraditional: options.foldTraditional, skipSeparators: options.skipSeparators };

  const ids = new Set<string>();
  const frozen: FilterRule[] = [];
  const keyUnitLists: number[][] = [];
  const keyRuleList: number[] = [];
  const patterns: PatternEntry[] = [];
  const compiledPatterns = new Map<string, CompiledRegex>();
  for (let r = 0; r < rules.length; r += 1) {
    const rule = rules[r] as FilterRule | null;
    if (rule === null || typeof rule !== 'object') fail(`rules[${r}]`, 'rule must be an object');
    const id = rule.id;
    if (typeof id !== 'string' || id.length === 0) fail(`rules[${r}]`, 'rule id must be a non-empty string');
    if (id.length > FILTER_LIMITS.maxRuleIdLength) fail(id, `rule id longer than ${FILTER_LIMITS.maxRuleIdLength}`);
    if (ids.has(id)) fail(id, 'duplicate rule id');
    ids.add(id);
    if (typeof rule.category !== 'string') fail(id, 'category must be a string');
    if (!FILTER_ACTIONS.includes(rule.action)) fail(id, `unknown action ${JSON.stringify(rule.action)}`);
    if (typeof rule.pattern !== 'string') fail(id, 'pattern must be a string');
    if (rule.type === 'word') {
      keyUnitLists.push(keyUnits(rule.pattern, opts, id, 'word'));
      keyRuleList.push(r);
      frozen.push(
        Object.freeze({ id, type: 'word', pattern: rule.pattern, category: rule.category, action: rule.action }),
      );
    } else if (rule.type === 'pattern') {
      if (!PATTERN_VALIDATORS.includes(rule.validator)) fail(id, `unknown validator ${JSON.stringify(rule.validator)}`);
      let re = compiledPatterns.get(rule.pattern);
      if (re === undefined) {
        try {
          re = compileRegex(rule.pattern);
        } catch (error) {
          if (error instanceof PatternSyntaxError) fail(id, error.reason);
          throw error;
        }
        compiledPatterns.set(rule.pattern, re);
      }
      patterns.push({ ruleIndex: r, matcher: new RegexMatcher(re), validator: rule.validator });
      frozen.push(
        Object.freeze({
          id,
          type: 'pattern',
          pattern: rule.pattern,
          validator: rule.validator,
          category: rule.category,
          action: rule.action,
        }),
      );
    } else {
      fail(id, `unknown rule type ${JSON.stringify((rule as { type: unknown }).type)}`);
    }
  }
  for (let w = 0; w < whitelist.length; w += 1) {
    keyUnitLists.push(keyUnits(whitelist[w]!, opts, `whitelist[${w}]`, 'whitelist phrase'));
    keyRuleList.push(-1);
  }

  // Symbols: the distinct code points of all keys, most frequent first (small symbols pack the double array tighter).
  const frequency = new Map<number, number>();
  for (const units of keyUnitLists) {
    for (const u of units) {
      const cp = u & UNIT_CODE_POINT;
      frequency.set(cp, (frequency.get(cp) ?? 0) + 1);
    }
  }
  const byFrequency = [...frequency.entries()].sort((x, y) => y[1] - x[1] || x[0] - y[0]);
  const symbols = new Map<number, number>();
  byFrequency.forEach(([cp], j) => symbols.set(cp, j + 1));

  const keys = keyUnitLists.map((units) => Int32Array.from(units, (u) => symbols.get(u & UNIT_CODE_POINT)!));
  const keyFlags = Uint8Array.from(keyUnitLists, (units) => {
    let flags = 0;
    if ((units[0]! & UNIT_LETTER) !== 0) flags |= KEY_START_LETTER;
    if ((units[units.length - 1]! & UNIT_LETTER) !== 0) flags |= KEY_END_LETTER;
    return flags;
  });
  return new CompiledFilterImpl(
    Object.freeze(frozen),
    opts,
    symbols,
    keys,
    Int32Array.from(keyRuleList),
    keyFlags,
    patterns,
  );
}
