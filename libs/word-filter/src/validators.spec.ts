import fc from 'fast-check';
import { BUILT_IN_PATTERNS } from './builtin-patterns.js';
import { checkPattern } from './regex.js';
import { toSimplified } from './traditional.js';
import { isValidCnIdCard, isValidLuhn, validateMatch } from './validators.js';

const digitsOf = (s: string) => Array.from(s, (c) => (c === 'X' || c === 'x' ? 10 : Number(c)));
const codes = (s: string) => Array.from(s, (c) => c.codePointAt(0)!);

/** Textbook Luhn check digit for a payload (reference implementation for the properties below). */
function luhnCheckDigit(payload: string): number {
  let sum = 0;
  [...payload].reverse().forEach((c, i) => {
    const d = Number(c) * (i % 2 === 0 ? 2 : 1);
    sum += Math.floor(d / 10) + (d % 10);
  });
  return (10 - (sum % 10)) % 10;
}

/** GB 11643 check character: weights 2^(17-i) mod 11, check = (12 - sum mod 11) mod 11. */
function idCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i += 1) sum += Number(first17[i]) * (2 ** (17 - i) % 11);
  const check = (12 - (sum % 11)) % 11;
  return check === 10 ? 'X' : String(check);
}

describe('isValidLuhn', () => {
  it('accepts a valid 16-digit number and rejects a changed digit', () => {
    expect(isValidLuhn(digitsOf('4111111111111111'))).toBe(true);
    expect(isValidLuhn(digitsOf('4111111111111112'))).toBe(false);
  });

  it('requires 16 to 19 digits', () => {
    expect(isValidLuhn(digitsOf('79927398713'))).toBe(false); // Luhn-valid, but 11 digits
    expect(isValidLuhn(digitsOf('0000000000000000'))).toBe(true);
    expect(isValidLuhn(digitsOf('00000000000000000000'))).toBe(false);
  });

  it('accepts every payload with its check digit and rejects any single-digit change', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 15, maxLength: 18 }),
        fc.nat(),
        fc.integer({ min: 1, max: 9 }),
        (payload, where, delta) => {
          const p = payload.join('');
          const full = digitsOf(p + luhnCheckDigit(p));
          expect(isValidLuhn(full)).toBe(true);
          const i = where % full.length;
          const changed = [...full];
          changed[i] = (changed[i]! + delta) % 10;
          expect(isValidLuhn(changed)).toBe(false);
        },
      ),
    );
  });
});

describe('isValidCnIdCard', () => {
  it('accepts the GB 11643 example and rejects a wrong check character', () => {
    expect(isValidCnIdCard(digitsOf('11010519491231002X'))).toBe(true);
    expect(isValidCnIdCard(digitsOf('110105194912310021'))).toBe(false);
  });

  it('rejects impossible birth dates even with a correct checksum', () => {
    for (const date of ['19490230', '19001329', '20230229', '19491200']) {
      const first17 = `110105${date}002`;
      expect(isValidCnIdCard(digitsOf(first17 + idCheckChar(first17)))).toBe(false);
    }
    const leap = `110105${'20000229'}002`;
    expect(isValidCnIdCard(digitsOf(leap + idCheckChar(leap)))).toBe(true);
  });

  it('accepts any number built with the reference check character, and no other check character', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100000, max: 999999 }),
        fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }),
        fc.integer({ min: 0, max: 999 }),
        (region, birth, seq) => {
          const date = birth.toISOString().slice(0, 10).replaceAll('-', '');
          const first17 = `${region}${date}${String(seq).padStart(3, '0')}`;
          const check = idCheckChar(first17);
          expect(isValidCnIdCard(digitsOf(first17 + check))).toBe(true);
          for (const other of '0123456789X') {
            if (other !== check) expect(isValidCnIdCard(digitsOf(first17 + other))).toBe(false);
          }
        },
      ),
    );
  });
});

describe('validateMatch', () => {
  it('ignores spaces and hyphens and rejects other characters', () => {
    expect(validateMatch('luhn', codes('4111 1111-1111 1111'), 0, 19)).toBe(true);
    expect(validateMatch('luhn', codes('4111.1111.1111.1111'), 0, 19)).toBe(false);
    expect(validateMatch('cn-id-card', codes('11010519491231002x'), 0, 18)).toBe(true);
    expect(validateMatch('none', codes('anything'), 0, 8)).toBe(true);
  });

  it('rejects very long candidates without reading them', () => {
    expect(validateMatch('luhn', codes('1'.repeat(1000)), 0, 1000)).toBe(false);
  });
});

describe('BUILT_IN_PATTERNS', () => {
  it('are valid patterns with labels in both languages', () => {
    expect(BUILT_IN_PATTERNS.map((p) => p.key)).toEqual(['cn-mobile', 'cn-id-card', 'bank-card']);
    for (const p of BUILT_IN_PATTERNS) {
      expect(checkPattern(p.pattern)).toEqual({ ok: true });
      expect(p.labelEn.length).toBeGreaterThan(0);
      expect(p.labelZh.length).toBeGreaterThan(0);
    }
  });
});

describe('toSimplified (Unihan kSimplifiedVariant)', () => {
  it('folds common traditional characters', () => {
    const fold = (s: string) => String.fromCodePoint(...Array.from(s, (c) => toSimplified(c.codePointAt(0)!)));
    expect(fold('發髮後詞語體們國')).toBe('发发后词语体们国');
    expect(fold('简体字')).toBe('简体字');
    expect(fold('abc😀')).toBe('abc😀');
  });

  it('is idempotent over the BMP', () => {
    for (let cp = 0x3400; cp <= 0xffff; cp += 1) {
      const once = toSimplified(cp);
      if (toSimplified(once) !== once) throw new Error(`U+${cp.toString(16)} folds twice`);
    }
  });
});
