/**
 * Checks applied to the match of a pattern rule before it counts as a hit. Both look only at ASCII digits (and the
 * final X of an ID card number) and ignore spaces and hyphens between them.
 */
import type { PatternValidator } from './types.js';

/** The validators a {@link PatternRule} may name. */
export const PATTERN_VALIDATORS: readonly PatternValidator[] = Object.freeze(['none', 'luhn', 'cn-id-card'] as const);

// A validated match is a card or ID number: anything much longer cannot pass, so it is rejected before reading it.
const MAX_VALIDATED_LENGTH = 48;

/** Digits of `input[start, end)` with spaces and hyphens removed (`X`/`x` kept as 10); null for anything else. */
function digitsOf(input: ArrayLike<number>, start: number, end: number): number[] | null {
  if (end - start > MAX_VALIDATED_LENGTH) return null;
  const digits: number[] = [];
  for (let i = start; i < end; i += 1) {
    const c = input[i]!;
    if (c >= 0x30 && c <= 0x39) digits.push(c - 0x30);
    else if (c === 0x58 || c === 0x78) digits.push(10);
    else if (c !== 0x20 && c !== 0x2d) return null;
  }
  return digits;
}

/** Luhn (mod 10) check of a bank card number: 16 to 19 digits. */
export function isValidLuhn(digits: readonly number[]): boolean {
  if (digits.length < 16 || digits.length > 19) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let d = digits[digits.length - 1 - i]!;
    if (d > 9) return false;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const ID_CHECK = [1, 0, 10, 9, 8, 7, 6, 5, 4, 3, 2]; // 10 stands for X

/**
 * GB 11643-1999 resident ID card number: 17 digits, a check character (ISO 7064 MOD 11-2, `X` for 10), and a
 * birth date (digits 7–14) that exists in the calendar.
 */
export function isValidCnIdCard(digits: readonly number[]): boolean {
  if (digits.length !== 18) return false;
  let sum = 0;
  for (let i = 0; i < 17; i += 1) {
    const d = digits[i]!;
    if (d > 9) return false;
    sum += d * ID_WEIGHTS[i]!;
  }
  if (digits[17] !== ID_CHECK[sum % 11]) return false;
  const num = (from: number, count: number) => digits.slice(from, from + count).reduce((n, d) => n * 10 + d, 0);
  const year = num(6, 4);
  const month = num(10, 2);
  const day = num(12, 2);
  if (year < 1800 || month < 1 || month > 12 || day < 1) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const daysInMonth = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  return day <= daysInMonth;
}

/** Applies `validator` to the code points `input[start, end)`. */
export function validateMatch(
  validator: PatternValidator,
  input: ArrayLike<number>,
  start: number,
  end: number,
): boolean {
  if (validator === 'none') return true;
  const digits = digitsOf(input, start, end);
  if (digits === null) return false;
  return validator === 'luhn' ? isValidLuhn(digits) : isValidCnIdCard(digits);
}
