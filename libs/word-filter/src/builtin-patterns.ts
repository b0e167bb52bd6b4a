import type { PatternValidator } from './types.js';

/**
 * Ready-made pattern rules for personal data that administrators commonly block or mask. Patterns run on NFKC text
 * (full-width digits match) and digit runs are atomic (a match never starts or ends inside a longer number).
 */
export const BUILT_IN_PATTERNS: readonly {
  key: 'cn-mobile' | 'cn-id-card' | 'bank-card';
  pattern: string;
  validator: PatternValidator;
  labelEn: string;
  labelZh: string;
}[] = Object.freeze([
  {
    // 1[3-9]\d{9}, optionally +86 / 86 in front and spaces or hyphens as 3-4-4.
    key: 'cn-mobile',
    pattern: '(?:\\+?86[ -]?)?1[3-9]\\d(?:[ -]?\\d{4}){2}',
    validator: 'none',
    labelEn: 'Mainland China mobile number',
    labelZh: '中国大陆手机号码',
  },
  {
    // Region (6), birth date (8), sequence (3), check character; the validator checks the date and the checksum.
    key: 'cn-id-card',
    pattern: '[1-9]\\d{5}(?:18|19|20)\\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\\d|3[01])\\d{3}[\\dXx]',
    validator: 'cn-id-card',
    labelEn: 'Resident identity card number',
    labelZh: '居民身份证号码',
  },
  {
    // 16 to 19 digits, optionally in groups of four separated by spaces or hyphens; Luhn-checked.
    key: 'bank-card',
    pattern: '[1-9]\\d{3}(?:[ -]?\\d{4}){3}(?:[ -]?\\d{1,3})?',
    validator: 'luhn',
    labelEn: 'Bank card number',
    labelZh: '银行卡号',
  },
] as const);
