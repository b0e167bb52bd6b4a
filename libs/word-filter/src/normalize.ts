/**
 * Text normalisation for sensitive-word matching. Each code point is normalised on its own (with a cache), so that
 * every normalised position maps back to an offset in the original text:
 *
 * - Unicode NFKC: full-width → half-width (`ＡＢＣ０` → `abc0`), circled and parenthesised forms (`①` → `1`),
 *   mathematical alphanumerics (`𝐟𝐮𝐜𝐤` → `fuck`), compatibility ideographs and ligatures (`ﬁ` → `fi`); a base
 *   character and the combining marks after it are normalised together (`e` + U+0301 → `é`);
 * - case folding (`A` → `a`, `ß` → `ss`);
 * - removal of default-ignorable code points (zero-width spaces and joiners, soft hyphens, bidi controls, variation
 *   selectors, …);
 * - optionally, traditional → simplified Chinese (`foldTraditional`);
 * - optionally, removal of separators: whitespace, punctuation, symbols (emoji included) and stray combining marks
 *   (`skipSeparators`).
 */
import type { FilterOptions } from './types.js';
import { MODE_MATCH, MODE_MATCH_FOLD, UNIT_CODE_POINT, UNIT_SEPARATOR, type FormMode, forEachUnit } from './unicode.js';

/** The normalisation mode words and texts use under `options`. */
export function matchMode(options: Partial<FilterOptions> | undefined): FormMode {
  return options?.foldTraditional === true ? MODE_MATCH_FOLD : MODE_MATCH;
}

/**
 * The units of `text` as matching sees them under `options` (separators dropped when `skipSeparators`), each a code
 * point with class flags (see unicode.ts).
 */
export function matchUnits(text: string, options: Partial<FilterOptions> | undefined): number[] {
  const skip = options?.skipSeparators === true;
  const units: number[] = [];
  forEachUnit(text, matchMode(options), (unit) => {
    if (!skip || (unit & UNIT_SEPARATOR) === 0) units.push(unit);
  });
  return units;
}

/**
 * Returns `text` as the matcher sees it: NFKC, case-folded, without invisible characters, and — when the options
 * say so — with traditional characters folded to simplified ones and without separators. Words, whitelist phrases
 * and scanned texts all go through the same normalisation. Both options default to `false`.
 *
 * @example normalizeForMatching('ＡＢＣ①２') === 'abc12'
 * @example normalizeForMatching('敏 感 詞', { foldTraditional: true, skipSeparators: true }) === '敏感词'
 */
export function normalizeForMatching(text: string, options?: Partial<FilterOptions>): string {
  const units = matchUnits(text, options);
  let out = '';
  for (const unit of units) out += String.fromCodePoint(unit & UNIT_CODE_POINT);
  return out;
}
