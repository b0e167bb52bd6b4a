import fc from 'fast-check';
import { RegexMatcher, checkPattern, compileRegex } from './regex.js';

function codePoints(text: string): Int32Array {
  return Int32Array.from(Array.from(text, (c) => c.codePointAt(0)!));
}

/** Non-overlapping matches as [start, end] in code points, plus the work counter. */
function run(pattern: string, text: string, accept: (s: number, e: number) => boolean = () => true) {
  const matcher = new RegexMatcher(compileRegex(pattern));
  const input = codePoints(text);
  const matches: [number, number][] = [];
  matcher.search(input, input.length, accept, (s, e) => matches.push([s, e]));
  return { matches, steps: matcher.lastSteps };
}

function texts(pattern: string, text: string): string[] {
  const chars = Array.from(text);
  return run(pattern, text).matches.map(([s, e]) => chars.slice(s, e).join(''));
}

describe('checkPattern: the supported subset', () => {
  it.each([
    'abc',
    '敏感',
    '\\d\\D\\w\\W\\s\\S',
    '[a-z0-9_]',
    '[^\\d\\s]',
    '[\\-a]',
    '[a-]',
    '.',
    '(?:ab|cd)+',
    '(ab)?c',
    'a*b',
    'a+?',
    'a{3}',
    'a{2,}',
    'a{2,100}',
    '^abc$',
    '\\bword\\b',
    '\\Bx',
    '\\.\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\^\\$\\\\\\/',
    '\\x41\\u0042\\u{1F600}\\t\\n',
    '(a|)b',
  ])('accepts %s', (source) => {
    expect(checkPattern(source)).toEqual({ ok: true });
  });

  it.each([
    ['(a)\\1', /backreference/],
    ['\\k<x>', /backreference/],
    ['a(?=b)', /lookahead/],
    ['a(?!b)', /lookahead/],
    ['(?<=a)b', /lookbehind/],
    ['(?<!a)b', /lookbehind/],
    ['(?<name>a)', /named groups/],
    ['(?i)a', /inline flags/],
    ['\\p{Han}', /property/],
    ['a++', /possessive/],
    ['a**', /nothing to repeat/],
    ['*a', /nothing to repeat/],
    ['^*', /nothing to repeat/],
    ['a{101}', /above 100/],
    ['a{1,101}', /above 100/],
    ['a{3,2}', /out of order/],
    ['a{', /quantifier/],
    ['a{,3}', /quantifier/],
    ['(ab', /unterminated group/],
    ['ab)', /unmatched \)/],
    ['[ab', /unterminated class/],
    ['[]', /empty class/],
    ['[z-a]', /out of order/],
    ['[\\d-z]', /shorthand/],
    ['a]', /unbalanced/],
    ['\\q', /unknown escape/],
    ['a\\', /lone/],
    ['\\01', /octal/],
    ['', /empty/],
    ['a*', /empty string/],
    ['(?:a|b?)', /empty string/],
    ['^$', /empty string/],
    ['(?:(?:(?:a{100}){100}){100})', /too large/],
    ['a'.repeat(1001), /longer than 1000/],
  ])('rejects %s', (source, reason) => {
    const result = checkPattern(source);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.reason).toMatch(reason);
  });
});

describe('RegexMatcher: semantics', () => {
  it('finds non-overlapping leftmost-first matches', () => {
    expect(texts('a+', 'caaab aa')).toEqual(['aaa', 'aa']);
    expect(texts('a+?', 'aaa')).toEqual(['a', 'a', 'a']);
    expect(texts('ab|a', 'aab')).toEqual(['a', 'ab']);
    expect(texts('a|ab', 'ab')).toEqual(['a']);
    expect(texts('中国|国人', '中国人')).toEqual(['中国']);
  });

  it('supports classes, counted repetition and assertions', () => {
    expect(texts('[^ ]{2,3}', 'abcd e fg')).toEqual(['abc', 'fg']);
    expect(texts('^a', 'aa')).toEqual(['a']);
    expect(texts('a$', 'aa')).toEqual(['a']);
    expect(texts('\\bab\\b', 'ab cab ab_ ab')).toEqual(['ab', 'ab']);
    expect(texts('\\Bb', 'ab b')).toEqual(['b']);
    expect(texts('.', 'a\nb')).toEqual(['a', 'b']);
    expect(texts('\\u{1F600}', 'x😀')).toEqual(['😀']);
  });

  it('treats digit runs as atomic: no match starts or ends inside a longer number', () => {
    expect(texts('\\d{3}', '12 123 1234 x567y')).toEqual(['123', '567']);
    expect(texts('1\\d', '21 13')).toEqual(['13']);
  });

  it('lets accept() veto a match without losing later ones', () => {
    const { matches } = run('\\d{2}', '11 22 33', (s) => s !== 3);
    expect(matches).toEqual([
      [0, 2],
      [6, 8],
    ]);
  });

  it('falls back to a shorter match when the longer one is vetoed', () => {
    const { matches } = run('ab(?:cd)?', 'abcd', (_s, e) => e !== 4);
    expect(matches).toEqual([[0, 2]]);
  });

  it('agrees with JavaScript RegExp on random patterns and texts', () => {
    const atom = fc.constantFrom('a', 'b', ' ', '.', '[ab]', '[^a]', '\\s', '\\w', '\\b', '中');
    const pattern: fc.Arbitrary<string> = fc.letrec<{ re: string }>((tie) => ({
      re: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        atom,
        fc.tuple(tie('re'), tie('re')).map(([x, y]) => x + y),
        fc.tuple(tie('re'), tie('re')).map(([x, y]) => `(?:${x}|${y})`),
        // Only bodies that cannot match empty are quantified: JavaScript rejects empty iterations and backtracks
        // (ECMA-262 RepeatMatcher), a rule no other engine family follows and this one does not emulate.
        fc
          .tuple(tie('re'), fc.constantFrom('*', '+', '?', '{1,3}', '{2}', '*?', '+?', '??', '{0,2}?'))
          .map(([x, q]) => (checkPattern(x).ok ? `(?:${x})${q}` : x)),
      ),
    })).re;
    const text = fc.array(fc.constantFrom('a', 'b', ' ', '中', '\n'), { maxLength: 24 }).map((cs) => cs.join(''));
    fc.assert(
      fc.property(pattern, text, (source, input) => {
        fc.pre(checkPattern(source).ok);
        const expected = [...input.matchAll(new RegExp(source, 'gu'))].map((m) => [m.index, m.index + m[0].length]);
        // Patterns here cannot match empty, so JavaScript's empty-match stepping never comes into play.
        expect(run(source, input).matches).toEqual(expected);
      }),
      { numRuns: 400 },
    );
  });
});

describe('RegexMatcher: no catastrophic backtracking', () => {
  // One pass costs at most ~3 × (n + 1) × program size steps (threads stepped, closures, spawns); re-reading text
  // after matches is capped at 8 × (n + 1) × program size + 200,000. Assert on that bound rather than on time.
  function bound(source: string, n: number): number {
    return 12 * (n + 1) * compileRegex(source).op.length + 200_000;
  }

  it.each(['(a+)+$', '(a|a)+$', '(a*)*b', '(?:a|aa)+c', '(.*a){20}$', '(\\w+\\s?)+$', '(?:a?){50}a{50}b'])(
    '%s over 100,000 characters stays linear',
    (source) => {
      const text = 'a'.repeat(100_000) + '!';
      const { matches, steps } = run(source, text);
      expect(matches).toEqual([]);
      expect(steps).toBeLessThanOrEqual(bound(source, text.length));
    },
  );

  it('finds the match of (a+)+$ over 100,000 a', () => {
    const { matches, steps } = run('(a+)+$', 'a'.repeat(100_000));
    expect(matches).toEqual([[0, 100_000]]);
    expect(steps).toBeLessThanOrEqual(bound('(a+)+$', 100_000));
  });

  it('finds many short matches in one pass when nothing reads past them', () => {
    const text = 'ab'.repeat(50_000);
    const { matches, steps } = run('ab', text);
    expect(matches.length).toBe(50_000);
    expect(steps).toBeLessThanOrEqual(bound('ab', text.length));
  });

  it('caps re-reading after matches when a higher-priority alternative reads to the end of the text', () => {
    // A backtracking "find all" re-reads the whole tail after every match of the short alternative: O(n²).
    const source = 'x[^y]*z|x';
    const text = 'x'.repeat(100_000);
    const { matches, steps } = run(source, text);
    expect(matches.length).toBeGreaterThan(0);
    expect(matches.every(([s, e]) => e === s + 1)).toBe(true);
    expect(steps).toBeLessThanOrEqual(bound(source, text.length));
  });

  it('re-reads text after a match while within budget, so results match JavaScript', () => {
    const source = 'x[^y]*z|x';
    const text = 'x'.repeat(50);
    expect(run(source, text).matches.length).toBe(50);
  });
});
