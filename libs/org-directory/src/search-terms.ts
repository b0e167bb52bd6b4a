import { pinyin } from 'pinyin-pro';

/*
 * Search terms. A person is found by display name, pinyin (full, e.g. `zhangsan`, and initials, `zs` for 张三),
 * employee number and email. Each is stored whole and as suffixes from each CJK character / pinyin syllable /
 * word, so exact, prefix and "contains" (from a character or syllable boundary) are prefix scans of one index.
 */
const CJK = /[\u3400-\u9fff\uf900-\ufaff]/;
export const MAX_TERM_LENGTH = 200;

export function normaliseQuery(q: string): string {
  return q.normalize('NFKC').toLowerCase().replace(/\s+/g, '').slice(0, MAX_TERM_LENGTH);
}

/** Escapes LIKE wildcards so user input matches literally (with the default backslash escape). */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export interface PersonSearchFields {
  displayName: string;
  employeeNo: string | null;
  email: string | null;
  /** Only active people have search terms; the status is part of the fingerprint so disabling re-indexes. */
  status?: string;
}

export interface SearchTerm {
  term: string;
  whole: boolean;
}

/** Cheap fingerprint of the indexed fields: a mismatch with the users row means "index again". */
export function indexedKeyOf(p: PersonSearchFields): string {
  return [p.displayName, p.employeeNo ?? '', p.email ?? '', p.status ?? 'active'].join('\u0001');
}

export function searchTermsOf(p: PersonSearchFields): SearchTerm[] {
  const terms = new Map<string, boolean>();
  const add = (term: string, whole: boolean) => {
    const t = term.slice(0, MAX_TERM_LENGTH);
    if (!t) return;
    terms.set(t, (terms.get(t) ?? false) || whole);
  };
  const name = p.displayName.normalize('NFKC').toLowerCase();
  const compactName = name.replace(/\s+/g, '');
  add(compactName, true);
  // Suffixes of the name: from every CJK character, and from every word start (Latin names).
  const chars = [...compactName];
  chars.forEach((c, i) => {
    if (i > 0 && CJK.test(c)) add(chars.slice(i).join(''), false);
  });
  const words = name.split(/[\s._-]+/).filter(Boolean);
  for (let i = 1; i < words.length; i++) add(words.slice(i).join(''), false);

  if (CJK.test(name)) {
    const syllables = pinyin(compactName, { toneType: 'none', type: 'array', nonZh: 'consecutive', v: true })
      .map((s) => s.toLowerCase().replace(/[^a-z0-9]/g, ''))
      .filter(Boolean);
    add(syllables.join(''), true);
    add(syllables.map((s) => s[0]).join(''), true);
    for (let i = 1; i < syllables.length; i++) {
      add(syllables.slice(i).join(''), false);
      add(
        syllables
          .slice(i)
          .map((s) => s[0])
          .join(''),
        false,
      );
    }
  }
  if (p.employeeNo) add(p.employeeNo.normalize('NFKC').toLowerCase().replace(/\s+/g, ''), true);
  if (p.email) {
    const email = p.email.toLowerCase();
    add(email, true);
    const domain = email.indexOf('@');
    if (domain > 0) add(email.slice(domain + 1), false);
  }
  return [...terms].map(([term, whole]) => ({ term, whole }));
}
