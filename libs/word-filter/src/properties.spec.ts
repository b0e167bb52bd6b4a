import fc from 'fast-check';
import { compileFilter } from './filter.js';
import { matchMode, matchUnits } from './normalize.js';
import type { FilterOptions, FilterRule } from './types.js';
import { UNIT_CODE_POINT, UNIT_LETTER, UNIT_SEPARATOR, forEachUnit } from './unicode.js';

// Small alphabets make hits, overlaps, whitelist occurrences and word boundaries frequent.
const TEXT_CHARS = [
  'a',
  'b',
  'A',
  'ａ',
  'Ｂ',
  ' ',
  '.',
  '*',
  '中',
  '國',
  '国',
  '人',
  '😀',
  '\u200B',
  'ﬁ',
  'f',
  'i',
  '1',
  '①',
];
const WORD_CHARS = ['a', 'b', 'f', 'i', '中', '国', '人', '1', ' '];
const INVISIBLES = ['\u200B', '\u200C', '\u200D', '\u2060', '\uFEFF', '\u00AD', '\uFE0F'];
const SEPARATORS = [' ', '.', '*', '-', '，', '😀', '　'];

const text = fc.array(fc.constantFrom(...TEXT_CHARS), { maxLength: 40 }).map((cs) => cs.join(''));
const wordText = fc.array(fc.constantFrom(...WORD_CHARS), { minLength: 1, maxLength: 4 }).map((cs) => cs.join(''));
const options = fc.record({ foldTraditional: fc.boolean(), skipSeparators: fc.boolean() });

/** Words valid under `opts` (non-empty after normalisation), as rules with distinct ids. */
function rulesOf(words: string[], opts: FilterOptions): FilterRule[] {
  return words
    .filter((w) => matchUnits(w, opts).length > 0)
    .map((w, i) => ({ id: `r${i}`, type: 'word', pattern: w, category: 'c', action: i % 2 === 0 ? 'mask' : 'block' }));
}

/** The matching semantics written the slow, obvious way: compare every position of the unit stream. */
function referenceScan(input: string, rules: FilterRule[], whitelist: string[], opts: FilterOptions): string[] {
  const units: { u: number; start: number; end: number }[] = [];
  forEachUnit(input, matchMode(opts), (u, start, end) => units.push({ u, start, end }));
  const fed = units.map((_, i) => i).filter((i) => !opts.skipSeparators || (units[i]!.u & UNIT_SEPARATOR) === 0);
  const occurrences = (key: string, wholeWord: boolean): [number, number][] => {
    const k = matchUnits(key, opts).map((u) => u & UNIT_CODE_POINT);
    const firstLetter = (matchUnits(key, opts)[0]! & UNIT_LETTER) !== 0;
    const lastLetter = (matchUnits(key, opts).at(-1)! & UNIT_LETTER) !== 0;
    const out: [number, number][] = [];
    for (let i = 0; i + k.length <= fed.length; i += 1) {
      if (!k.every((cp, j) => (units[fed[i + j]!]!.u & UNIT_CODE_POINT) === cp)) continue;
      const first = fed[i]!;
      const last = fed[i + k.length - 1]!;
      if (wholeWord && firstLetter && first > 0 && (units[first - 1]!.u & UNIT_LETTER) !== 0) continue;
      if (wholeWord && lastLetter && last + 1 < units.length && (units[last + 1]!.u & UNIT_LETTER) !== 0) continue;
      out.push([units[first]!.start, units[last]!.end]);
    }
    return out;
  };
  const allowed = whitelist.flatMap((w) => occurrences(w, false));
  const hits: string[] = [];
  for (const rule of rules) {
    for (const [s, e] of occurrences(rule.pattern, true)) {
      if (allowed.some(([ws, we]) => ws <= s && e <= we)) continue;
      hits.push(`${rule.id}@${s}-${e}`);
    }
  }
  return hits.sort();
}

function countByRule(ids: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const id of ids) m.set(id, (m.get(id) ?? 0) + 1);
  return m;
}

/** Inserts `extra[i]` before code point `positions[i] % (length + 1)` of `input`. */
function insertAt(input: string, positions: number[], extra: string[]): string {
  const cps = Array.from(input);
  positions.forEach((p, i) => cps.splice(p % (cps.length + 1), 0, extra[i % extra.length]!));
  return cps.join('');
}

describe('word filter properties', () => {
  it('agrees with a brute-force reference of the matching semantics', () => {
    fc.assert(
      fc.property(
        fc.array(wordText, { maxLength: 8 }),
        fc.array(wordText, { maxLength: 2 }),
        options,
        text,
        (words, whitelistWords, opts, input) => {
          const rules = rulesOf(words, opts);
          const whitelist = whitelistWords.filter((w) => matchUnits(w, opts).length > 0);
          const f = compileFilter({ rules, whitelist, options: opts });
          const actual = f
            .scan(input)
            .hits.map((h) => `${h.ruleId}@${h.start}-${h.end}`)
            .sort();
          expect(actual).toEqual(referenceScan(input, rules, whitelist, opts));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('hit.text === original.slice(start, end), with offsets on code point boundaries', () => {
    fc.assert(
      fc.property(fc.array(wordText, { minLength: 1, maxLength: 6 }), options, text, (words, opts, input) => {
        const f = compileFilter({ rules: rulesOf(words, opts), whitelist: [], options: opts });
        for (const hit of f.scan(input).hits) {
          expect(hit.text).toBe(input.slice(hit.start, hit.end));
          expect(0 <= hit.start && hit.start < hit.end && hit.end <= input.length).toBe(true);
          expect(/^[\uDC00-\uDFFF]/.test(input.slice(hit.start))).toBe(false);
          expect(/^[\uDC00-\uDFFF]/.test(input.slice(hit.end))).toBe(false);
        }
      }),
    );
  });

  it('inserting zero-width or invisible characters anywhere never removes a hit', () => {
    fc.assert(
      fc.property(
        fc.array(wordText, { minLength: 1, maxLength: 6 }),
        options,
        text,
        fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
        fc.array(fc.constantFrom(...INVISIBLES), { minLength: 1, maxLength: 6 }),
        (words, opts, input, positions, invisibles) => {
          const f = compileFilter({ rules: rulesOf(words, opts), whitelist: [], options: opts });
          const before = countByRule(f.scan(input).hits.map((h) => h.ruleId));
          const after = countByRule(f.scan(insertAt(input, positions, invisibles)).hits.map((h) => h.ruleId));
          for (const [id, n] of before) expect(after.get(id) ?? 0).toBeGreaterThanOrEqual(n);
        },
      ),
    );
  });

  it('with skipSeparators, inserting separators anywhere never removes a hit (whitelist included)', () => {
    fc.assert(
      fc.property(
        fc.array(wordText, { minLength: 1, maxLength: 6 }),
        fc.array(wordText, { maxLength: 2 }),
        fc.boolean(),
        text,
        fc.array(fc.nat(), { minLength: 1, maxLength: 6 }),
        fc.array(fc.constantFrom(...SEPARATORS), { minLength: 1, maxLength: 6 }),
        (words, whitelistWords, foldTraditional, input, positions, separators) => {
          const opts = { foldTraditional, skipSeparators: true };
          const whitelist = whitelistWords.filter((w) => matchUnits(w, opts).length > 0);
          const f = compileFilter({ rules: rulesOf(words, opts), whitelist, options: opts });
          const before = countByRule(f.scan(input).hits.map((h) => h.ruleId));
          const after = countByRule(f.scan(insertAt(input, positions, separators)).hits.map((h) => h.ruleId));
          for (const [id, n] of before) expect(after.get(id) ?? 0).toBeGreaterThanOrEqual(n);
        },
      ),
    );
  });

  it('mask keeps the code point count and leaves unmasked code points unchanged', () => {
    fc.assert(
      fc.property(fc.array(wordText, { minLength: 1, maxLength: 6 }), options, text, (words, opts, input) => {
        const f = compileFilter({ rules: rulesOf(words, opts), whitelist: [], options: opts });
        const { hits } = f.scan(input);
        const masked = Array.from(f.mask(input, hits));
        const original = Array.from(input);
        expect(masked.length).toBe(original.length);
        let offset = 0;
        original.forEach((cp, i) => {
          const covered = hits.some((h) => h.action === 'mask' && h.start <= offset && offset < h.end);
          expect(masked[i]).toBe(covered ? '*' : cp);
          offset += cp.length;
        });
      }),
    );
  });

  it('scanning is deterministic and independent of earlier scans', () => {
    fc.assert(
      fc.property(fc.array(wordText, { minLength: 1, maxLength: 6 }), options, text, text, (words, opts, a, b) => {
        const f = compileFilter({ rules: rulesOf(words, opts), whitelist: ['中国'], options: opts });
        const first = f.scan(a);
        f.scan(b);
        expect(f.scan(a)).toEqual(first);
        expect(compileFilter({ rules: rulesOf(words, opts), whitelist: ['中国'], options: opts }).scan(a)).toEqual(
          first,
        );
      }),
    );
  });
});
