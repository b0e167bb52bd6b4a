import { escapeLike, normaliseQuery, searchTermsOf } from './search-terms.js';

describe('search terms', () => {
  it('indexes a Chinese name by characters, full pinyin and initials, whole and from each syllable', () => {
    const terms = searchTermsOf({ displayName: '张三丰', employeeNo: 'E-001', email: 'Zhang.SF@example.com' });
    const whole = terms.filter((t) => t.whole).map((t) => t.term);
    const inner = terms.filter((t) => !t.whole).map((t) => t.term);
    expect(whole).toEqual(expect.arrayContaining(['张三丰', 'zhangsanfeng', 'zsf', 'e-001', 'zhang.sf@example.com']));
    expect(inner).toEqual(expect.arrayContaining(['三丰', '丰', 'sanfeng', 'feng', 'sf', 'example.com']));
  });

  it('indexes Latin names by word and leaves wildcards literal in queries', () => {
    const terms = searchTermsOf({ displayName: 'Ada Lovelace', employeeNo: null, email: null }).map((t) => t.term);
    expect(terms).toEqual(['adalovelace', 'lovelace']);
    expect(normaliseQuery(' Ada  Love ')).toBe('adalove');
    expect(escapeLike('50%_a\\')).toBe('50\\%\\_a\\\\');
  });
});
