import { normalizeForMatching } from './normalize.js';

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
});
