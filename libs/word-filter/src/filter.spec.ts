import { BUILT_IN_PATTERNS } from './builtin-patterns.js';
import { FilterRuleError } from './errors.js';
import { compileFilter } from './filter.js';
import {
  type CompiledFilter,
  FILTER_ACTIONS,
  type FilterAction,
  type FilterOptions,
  type FilterRule,
  type PatternValidator,
} from './types.js';

const OFF: FilterOptions = { foldTraditional: false, skipSeparators: false };
const ON: FilterOptions = { foldTraditional: true, skipSeparators: true };

function word(id: string, pattern: string, action: FilterAction = 'block', category = 'test'): FilterRule {
  return { id, type: 'word', pattern, category, action };
}

function pattern(
  id: string,
  source: string,
  validator: PatternValidator = 'none',
  action: FilterAction = 'mask',
): FilterRule {
  return { id, type: 'pattern', pattern: source, validator, category: 'pii', action };
}

function filterOf(rules: FilterRule[], options: FilterOptions = ON, whitelist: string[] = []): CompiledFilter {
  return compileFilter({ rules, whitelist, options });
}

/** `ruleId:text@start` for each hit, in result order. */
function hitsOf(f: CompiledFilter, text: string): string[] {
  return f.scan(text).hits.map((h) => `${h.ruleId}:${h.text}@${h.start}`);
}

function compileError(rules: FilterRule[], whitelist: string[] = [], options = ON): FilterRuleError {
  try {
    compileFilter({ rules, whitelist, options });
  } catch (error) {
    if (error instanceof FilterRuleError) return error;
    throw error;
  }
  throw new Error('expected FilterRuleError');
}

describe('compileFilter: word matching', () => {
  it('reports every overlapping hit', () => {
    const f = filterOf([word('a', '中国'), word('b', '国人'), word('c', '中国人')]);
    expect(hitsOf(f, '我是中国人')).toEqual(['a:中国@2', 'c:中国人@2', 'b:国人@3']);
  });

  it('reports nested hits (a word inside another word) and repeated occurrences', () => {
    const f = filterOf([word('long', '中华人民'), word('inner', '华人')], OFF);
    expect(hitsOf(f, '中华人民 中华人民')).toEqual([
      'long:中华人民@0',
      'inner:华人@1',
      'long:中华人民@5',
      'inner:华人@6',
    ]);
  });

  it('reports every rule when several rules share a word', () => {
    const f = filterOf([word('one', '敏感', 'flag', 'x'), word('two', '敏感', 'block', 'y')]);
    const { hits } = f.scan('很敏感');
    expect(hits.map((h) => [h.ruleId, h.category, h.action, h.start, h.end])).toEqual([
      ['one', 'x', 'flag', 1, 3],
      ['two', 'y', 'block', 1, 3],
    ]);
  });

  it('counts rules in ruleCount (whitelist phrases are not rules)', () => {
    const f = filterOf([word('a', '甲'), pattern('p', '\\d{3}')], ON, ['甲乙']);
    expect(f.ruleCount).toBe(2);
  });

  it('returns no hits and a null action for clean text, empty text and an empty policy', () => {
    const f = filterOf([word('a', '敏感词')]);
    expect(f.scan('今天开会')).toEqual({ hits: [], action: null });
    expect(f.scan('')).toEqual({ hits: [], action: null });
    expect(filterOf([]).scan('敏感词')).toEqual({ hits: [], action: null });
  });
});

describe('compileFilter: normalisation in matching', () => {
  // Each case fails when the named step is left out of matching.
  it('NFKC: full-width, circled and mathematical forms match', () => {
    const f = filterOf([word('w', 'fuck'), word('n', '8964')], OFF);
    expect(hitsOf(f, 'ＦＵＣＫ')).toEqual(['w:ＦＵＣＫ@0']);
    expect(hitsOf(f, '⑧⑨⑥④')).toEqual(['n:⑧⑨⑥④@0']);
    expect(hitsOf(f, '𝐟𝐮𝐜𝐤')).toEqual(['w:𝐟𝐮𝐜𝐤@0']);
  });

  it('case folding: words match in any case, whichever case the rule was written in', () => {
    const f = filterOf([word('w', 'FuCk')], OFF);
    expect(hitsOf(f, 'FUCK fuck')).toEqual(['w:FUCK@0', 'w:fuck@5']);
  });

  it('invisible characters inside a hit are skipped and covered by it', () => {
    const f = filterOf([word('w', '敏感词')], OFF);
    expect(hitsOf(f, '这个敏\u200B感\u2060词')).toEqual(['w:敏\u200B感\u2060词@2']);
  });

  it('foldTraditional: traditional text matches simplified words and vice versa, only when enabled', () => {
    const on = filterOf([word('s', '敏感词'), word('t', '發財')], { foldTraditional: true, skipSeparators: false });
    expect(hitsOf(on, '敏感詞 发财')).toEqual(['s:敏感詞@0', 't:发财@4']);
    const off = filterOf([word('s', '敏感词')], OFF);
    expect(hitsOf(off, '敏感詞')).toEqual([]);
  });

  it('skipSeparators: separators between the characters of a word are skipped, only when enabled', () => {
    const on = filterOf([word('cn', '敏感词'), word('en', 'fuck')], { foldTraditional: false, skipSeparators: true });
    expect(hitsOf(on, '敏 感 词')).toEqual(['cn:敏 感 词@0']);
    expect(hitsOf(on, '敏*感*词')).toEqual(['cn:敏*感*词@0']);
    expect(hitsOf(on, 'f.u.c.k!')).toEqual(['en:f.u.c.k@0']);
    expect(hitsOf(on, 'f u c k')).toEqual(['en:f u c k@0']);
    const off = filterOf([word('cn', '敏感词')], OFF);
    expect(hitsOf(off, '敏 感 词')).toEqual([]);
  });

  it('skipSeparators also drops separators written inside a word', () => {
    const f = filterOf([word('w', '敏-感-词')], ON);
    expect(hitsOf(f, '敏感词')).toEqual(['w:敏感词@0']);
  });

  it('zalgo marks and keycaps do not hide a word', () => {
    const f = filterOf([word('w', 'fuck'), word('n', '8964')], ON);
    expect(hitsOf(f, 'f\u0338u\u0338c\u0338k\u0338')).toEqual(['w:f\u0338u\u0338c\u0338k\u0338@0']);
    expect(hitsOf(f, '8️⃣9️⃣6️⃣4️⃣')).toEqual(['n:8️⃣9️⃣6️⃣4️⃣@0']);
  });

  it('decomposed and precomposed accented letters match each other', () => {
    const f = filterOf([word('w', 'café')], OFF);
    expect(hitsOf(f, 'cafe\u0301!')).toEqual(['w:cafe\u0301@0']);
    const g = filterOf([word('w', 'cafe\u0301')], OFF);
    expect(hitsOf(g, 'café')).toEqual(['w:café@0']);
  });
});

describe('compileFilter: whole-word rule for Latin words (Scunthorpe)', () => {
  const f = filterOf([word('c', 'cunt'), word('a', 'ass'), word('f', 'fuck'), word('cn', '习')], ON);

  it('does not match a Latin word glued to other letters', () => {
    expect(hitsOf(f, 'Scunthorpe')).toEqual([]);
    expect(hitsOf(f, 'classic assassin')).toEqual([]);
    expect(hitsOf(f, 'fuckyou')).toEqual([]);
    expect(hitsOf(f, 'ＦＵＣＫyou')).toEqual([]);
  });

  it('matches it next to digits, punctuation, spaces, CJK and at the ends of the text', () => {
    expect(hitsOf(f, 'ass')).toEqual(['a:ass@0']);
    expect(hitsOf(f, '2fuck4u')).toEqual(['f:fuck@1']);
    expect(hitsOf(f, '你fuck你')).toEqual(['f:fuck@1']);
    expect(hitsOf(f, '(ass)')).toEqual(['a:ass@1']);
  });

  it('looks at the original text: separators around a spelled-out word make it a word of its own', () => {
    expect(hitsOf(f, 'what the f.u.c.k')).toEqual(['f:f.u.c.k@9']);
    expect(hitsOf(f, 'x.fuck')).toEqual(['f:fuck@2']);
  });

  it('ignores invisible characters when deciding whether a word is glued', () => {
    expect(hitsOf(f, 'scun\u200Bthorpe')).toEqual([]);
  });

  it('does not apply to CJK words, which are written without spaces', () => {
    expect(hitsOf(f, 'ab习cd')).toEqual(['cn:习@2']);
  });
});

describe('compileFilter: whitelist', () => {
  it('suppresses a hit lying entirely inside an occurrence of a whitelisted phrase', () => {
    const f = filterOf([word('x', '习')], ON, ['学习']);
    expect(hitsOf(f, '学习')).toEqual([]);
    expect(hitsOf(f, '学习 习')).toEqual(['x:习@3']);
    expect(hitsOf(f, '习学')).toEqual(['x:习@0']);
  });

  it('does not suppress a hit that only overlaps a whitelisted phrase', () => {
    const f = filterOf([word('x', '习近')], ON, ['学习']);
    expect(hitsOf(f, '学习近')).toEqual(['x:习近@1']);
  });

  it('normalises whitelist phrases like words (separators, traditional, full-width)', () => {
    const f = filterOf([word('x', '习')], ON, ['學 習']);
    expect(hitsOf(f, '学习')).toEqual([]);
    expect(hitsOf(f, '學*習')).toEqual([]);
  });

  it('applies to pattern hits as well', () => {
    const f = filterOf([pattern('p', '1[3-9]\\d{9}')], ON, ['客服热线13800138000']);
    expect(hitsOf(f, '客服热线13800138000')).toEqual([]);
    expect(hitsOf(f, '我的13800138000')).toEqual(['p:13800138000@2']);
  });

  it('a whitelisted phrase wins over a word of the same text', () => {
    const f = filterOf([word('x', '学习')], ON, ['学习']);
    expect(hitsOf(f, '学习')).toEqual([]);
  });
});

describe('compileFilter: offsets', () => {
  const f = filterOf([word('w', '敏感词'), word('e', 'fuck')], ON);

  it('maps hits after surrogate pairs and emoji to UTF-16 offsets of the original text', () => {
    const text = '😀👍🏽𠀀敏感词';
    const [hit] = f.scan(text).hits;
    expect(hit).toMatchObject({ start: 8, end: 11, text: '敏感词' });
    expect(text.slice(hit!.start, hit!.end)).toBe('敏感词');
  });

  it('spans removed invisibles and skipped separators inside a hit, but not around it', () => {
    const text = ' \u200B敏\u200B 感\uFE0F词\u200B ';
    const [hit] = f.scan(text).hits;
    expect(hit!.text).toBe('敏\u200B 感\uFE0F词');
    expect(hit!.start).toBe(2);
  });

  it('maps a hit on astral letters to whole surrogate pairs', () => {
    const text = 'x 𝐟𝐮𝐜𝐤 y';
    const [hit] = f.scan(text).hits;
    expect(hit).toMatchObject({ start: 2, end: 10, text: '𝐟𝐮𝐜𝐤' });
  });

  it('finds a word of the maximum length, 64 code points, with separators skipped inside it', () => {
    const long = Array.from({ length: 64 }, (_, i) => String.fromCharCode(0x4e00 + i)).join('');
    const g = filterOf([word('long', long), word('tail', long.slice(-2))]);
    const spaced = Array.from(long).join(' ');
    expect(hitsOf(g, `前${spaced}后`)).toEqual([`long:${spaced}@1`, `tail:${spaced.slice(-3)}@${spaced.length - 2}`]);
  });

  it('maps a hit that starts or ends inside an expansion to the whole original character', () => {
    const g = filterOf([word('w', 'fi')], OFF);
    expect(hitsOf(g, 'a ﬁ b')).toEqual(['w:ﬁ@2']);
  });
});

describe('compileFilter: actions and mask', () => {
  it('reports the strongest action among hits: block > warn > mask > flag', () => {
    expect(FILTER_ACTIONS).toEqual(['block', 'warn', 'mask', 'flag']);
    const f = filterOf([
      word('f', '甲', 'flag'),
      word('m', '乙', 'mask'),
      word('w', '丙', 'warn'),
      word('b', '丁', 'block'),
    ]);
    expect(f.scan('甲').action).toBe('flag');
    expect(f.scan('甲乙').action).toBe('mask');
    expect(f.scan('乙丙甲').action).toBe('warn');
    expect(f.scan('甲乙丙丁').action).toBe('block');
    expect(f.scan('无').action).toBeNull();
  });

  it('masks each code point of mask hits with one *, and leaves other hits alone', () => {
    const f = filterOf([word('m', '敏感词', 'mask'), word('b', '坏', 'block'), word('e', 'fuck', 'mask')]);
    expect(f.mask('这是敏感词，坏')).toBe('这是***，坏');
    expect(f.mask('𝐟𝐮𝐜𝐤 you')).toBe('**** you');
    expect(f.mask('敏 感 词')).toBe('*****');
    expect(f.mask('干净')).toBe('干净');
  });

  it('masks overlapping hits once', () => {
    const f = filterOf([word('a', '中国', 'mask'), word('b', '国人', 'mask')]);
    expect(f.mask('我是中国人。')).toBe('我是***。');
  });

  it('accepts hits from an earlier scan, and ignores hits outside the text', () => {
    const f = filterOf([word('m', '敏感', 'mask')]);
    const text = '很敏感';
    const { hits } = f.scan(text);
    expect(f.mask(text, hits)).toBe('很**');
    expect(f.mask(text, [])).toBe(text);
    expect(f.mask(text, [{ ...hits[0]!, start: 2, end: 99 }])).toBe('很敏*');
    expect(f.mask('😀x', [{ ...hits[0]!, start: 1, end: 2 }])).toBe('*x');
  });
});

describe('compileFilter: pattern rules', () => {
  const builtIns = BUILT_IN_PATTERNS.map((p) => pattern(p.key, p.pattern, p.validator));
  const f = filterOf(builtIns, ON);

  it('finds mobile numbers, plain, formatted and full-width', () => {
    expect(hitsOf(f, '电话13800138000')).toEqual(['cn-mobile:13800138000@2']);
    expect(hitsOf(f, '+86 138-0013-8000')).toEqual(['cn-mobile:+86 138-0013-8000@0']);
    expect(hitsOf(f, '１３８００１３８０００')).toEqual(['cn-mobile:１３８００１３８０００@0']);
    expect(hitsOf(f, '1380\u200B0138000')).toEqual(['cn-mobile:1380\u200B0138000@0']);
  });

  it('does not take a mobile number out of a longer digit run', () => {
    expect(hitsOf(f, '213800138000')).toEqual([]);
    expect(hitsOf(f, '138001380001')).toEqual([]);
    expect(hitsOf(f, '12800138000')).toEqual([]);
  });

  it('validates ID card numbers with the GB 11643 checksum and birth date', () => {
    expect(hitsOf(f, '身份证11010519491231002X。')).toEqual(['cn-id-card:11010519491231002X@3']);
    expect(hitsOf(f, '110105194912310021')).toEqual([]); // wrong check digit
    expect(hitsOf(f, '110105194902300027')).toEqual([]); // 30 February
  });

  it('validates bank card numbers with Luhn', () => {
    expect(hitsOf(f, '卡号 6222 0212 3456 7898 ')).toEqual([]); // Luhn fails
    expect(hitsOf(f, '卡号 4111 1111 1111 1111 ')).toEqual(['bank-card:4111 1111 1111 1111@3']);
    expect(hitsOf(f, '4111111111111111')).toEqual(['bank-card:4111111111111111@0']);
  });

  it('keeps case in pattern matching and reports hits in the original text', () => {
    const g = filterOf([pattern('p', '[A-Z]{2}\\d{6}')], ON);
    expect(hitsOf(g, '护照 ＥＡ１２３４５６')).toEqual(['p:ＥＡ１２３４５６@3']);
    expect(hitsOf(g, 'ea123456')).toEqual([]);
  });

  it('reports pattern and word hits together, ordered by position', () => {
    const g = filterOf([word('w', '电话'), pattern('p', '1[3-9]\\d{9}')], ON);
    expect(hitsOf(g, '电话13800138000')).toEqual(['w:电话@0', 'p:13800138000@2']);
  });
});

describe('compileFilter: validation', () => {
  it('rejects a word that is empty after normalisation', () => {
    expect(compileError([word('empty', '')])).toMatchObject({ code: 'FILTER_RULE_INVALID', ruleId: 'empty' });
    expect(compileError([word('invisible', '\u200B\u200D')]).reason).toMatch(/empty after normalisation/);
    expect(compileError([word('seps', ' .*。')]).reason).toMatch(/empty after normalisation/);
  });

  it('rejects a word longer than 64 code points, before or after normalisation', () => {
    expect(compileError([word('long', '字'.repeat(65))]).reason).toMatch(/longer than 64/);
    expect(compileError([word('expands', '㍿'.repeat(20))]).reason).toMatch(/longer than 64 code points after/);
    expect(() => filterOf([word('ok', '字'.repeat(64))])).not.toThrow();
    expect(() => filterOf([word('astral', '😀'.repeat(40) + '字')], OFF)).not.toThrow();
  });

  it('rejects an invalid pattern with the reason', () => {
    const error = compileError([pattern('bad', '(?<=a)b')]);
    expect(error.ruleId).toBe('bad');
    expect(error.reason).toMatch(/lookbehind/);
    expect(error.message).toContain('bad');
  });

  it('rejects duplicate rule ids', () => {
    expect(compileError([word('dup', '甲'), pattern('dup', '\\d')])).toMatchObject({
      ruleId: 'dup',
      reason: 'duplicate rule id',
    });
  });

  it('rejects unknown actions, types and validators, and missing ids', () => {
    expect(compileError([{ ...word('a', '甲'), action: 'delete' as FilterAction }]).reason).toMatch(/action/);
    expect(compileError([{ ...word('t', '甲'), type: 'regex' } as unknown as FilterRule]).reason).toMatch(/type/);
    expect(compileError([pattern('v', '\\d', 'iban' as PatternValidator)]).reason).toMatch(/validator/);
    expect(compileError([word('', '甲')]).ruleId).toBe('rules[0]');
  });

  it('rejects invalid whitelist phrases, naming them by index', () => {
    expect(compileError([word('a', '甲')], ['ok', ' '])).toMatchObject({ ruleId: 'whitelist[1]' });
  });

  it('rejects more than 50,000 rules', () => {
    const rules = Array.from({ length: 50_001 }, (_, i) => word(`r${i}`, `w${i}`));
    expect(compileError(rules)).toMatchObject({ ruleId: 'r50000' });
  });

  it('is an Error with a stable code', () => {
    const error = compileError([word('x', '')]);
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe('FilterRuleError');
    expect(error.code).toBe('FILTER_RULE_INVALID');
  });
});

describe('compileFilter: scale', () => {
  it('compiles 50,000 words and finds each of a sample', () => {
    const rules = Array.from({ length: 50_000 }, (_, i) =>
      word(`r${i}`, `词${String.fromCharCode(0x4e00 + (i % 20000))}${i}`),
    );
    const f = filterOf(rules);
    for (const i of [0, 1, 12_345, 49_999]) {
      const ids = f.scan(`前${rules[i]!.pattern}后`).hits.map((h) => h.ruleId);
      expect(ids).toContain(`r${i}`);
    }
  });
});
