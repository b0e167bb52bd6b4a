import { normalizeForMatching } from './normalize.js';

// Each case fails without the normalisation step it names.
describe('normalizeForMatching', () => {
  it('folds full-width forms, circled digits and case', () => {
    expect(normalizeForMatching('ＡＢＣ①２')).toBe('abc12');
  });

  it('removes zero-width and invisible characters inserted between letters', () => {
    expect(normalizeForMatching('敏\u200B感\u2060词\uFEFF')).toBe('敏感词');
  });

  it('leaves ordinary Chinese text unchanged', () => {
    expect(normalizeForMatching('今天开会')).toBe('今天开会');
  });

  describe('NFKC', () => {
    it('maps full-width Latin letters and digits to ASCII', () => {
      expect(normalizeForMatching('ｆｕｃｋ０１９')).toBe('fuck019');
    });

    it('maps circled, parenthesised and full-stop digit forms to digits', () => {
      expect(normalizeForMatching('①⑨⑧⑨')).toBe('1989');
      expect(normalizeForMatching('⑴')).toBe('(1)');
      expect(normalizeForMatching('⒍⒋')).toBe('6.4.');
    });

    it('maps mathematical alphanumerics and other fancy letters to ASCII', () => {
      expect(normalizeForMatching('𝐟𝐮𝐜𝐤 𝔣𝔲𝔠𝔨 𝕗𝕦𝕔𝕜 𝟖𝟗𝟔𝟒')).toBe('fuck fuck fuck 8964');
    });

    it('expands ligatures and compatibility ideographs', () => {
      expect(normalizeForMatching('ﬁle')).toBe('file');
      expect(normalizeForMatching('\uF900')).toBe('豈'); // CJK COMPATIBILITY IDEOGRAPH-F900 → U+8C48
    });

    it('composes a base letter with the combining marks after it', () => {
      expect(normalizeForMatching('cafe\u0301')).toBe('café');
      expect(normalizeForMatching('cafe\u200B\u0301')).toBe('café');
    });
  });

  describe('case folding', () => {
    it('lower-cases and applies full case folding', () => {
      expect(normalizeForMatching('FuCk')).toBe('fuck');
      expect(normalizeForMatching('STRAẞE Straße')).toBe('strasse strasse');
      expect(normalizeForMatching('ΣΟΦΟΣ σοφος')).toBe('σοφοσ σοφοσ');
    });
  });

  describe('invisible characters', () => {
    it('removes soft hyphens, joiners, bidi controls and variation selectors', () => {
      expect(normalizeForMatching('f\u00ADu\u200Dc\u202Ek\uFE0F')).toBe('fuck');
      expect(normalizeForMatching('习\u{E0100}近')).toBe('习近');
    });
  });

  describe('foldTraditional', () => {
    it('folds traditional characters to simplified only when enabled', () => {
      expect(normalizeForMatching('敏感詞 發後', { foldTraditional: true })).toBe('敏感词 发后');
      expect(normalizeForMatching('敏感詞', { foldTraditional: false })).toBe('敏感詞');
      expect(normalizeForMatching('敏感詞')).toBe('敏感詞');
    });

    it('keeps characters that are in everyday simplified use (乾坤, 著作)', () => {
      expect(normalizeForMatching('乾坤 著作', { foldTraditional: true })).toBe('乾坤 著作');
    });

    it('folds after NFKC (a full-width or compatibility form of a traditional character)', () => {
      expect(normalizeForMatching('\uF9B5', { foldTraditional: true })).toBe('例'); // compatibility 例
      expect(normalizeForMatching('\uFA2A', { foldTraditional: true })).toBe(
        normalizeForMatching('\u98EF', { foldTraditional: true }),
      );
    });
  });

  describe('skipSeparators', () => {
    it('drops whitespace, punctuation and symbols only when enabled', () => {
      expect(normalizeForMatching('敏 感 词', { skipSeparators: true })).toBe('敏感词');
      expect(normalizeForMatching('敏*感*词', { skipSeparators: true })).toBe('敏感词');
      expect(normalizeForMatching('f.u.c.k', { skipSeparators: true })).toBe('fuck');
      expect(normalizeForMatching('敏，感😀词_', { skipSeparators: true })).toBe('敏感词');
      expect(normalizeForMatching('f.u.c.k')).toBe('f.u.c.k');
    });

    it('treats full-width punctuation as separators (after NFKC)', () => {
      expect(normalizeForMatching('敏＊感　词', { skipSeparators: true })).toBe('敏感词');
    });

    it('drops combining marks left over after composition (zalgo) and keycap enclosures', () => {
      expect(normalizeForMatching('f\u0338u\u0338c\u0338k\u0338', { skipSeparators: true })).toBe('fuck');
      expect(normalizeForMatching('8️⃣9️⃣6️⃣4️⃣', { skipSeparators: true })).toBe('8964');
    });

    it('keeps letters and digits', () => {
      expect(normalizeForMatching('a1b2', { skipSeparators: true })).toBe('a1b2');
    });
  });
});
