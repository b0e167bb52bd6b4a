/**
 * Text normalisation for sensitive-word matching: Unicode NFKC (full-width → half-width, compatibility forms such
 * as ① → 1), case folding, and removal of zero-width and other default-ignorable characters (soft hyphens,
 * joiners, bidi controls, variation selectors) that are inserted to dodge filters. Matching runs on this form and
 * maps hits back to the original text.
 */
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/gu;

export function normalizeForMatching(text: string): string {
  return text.normalize('NFKC').replace(INVISIBLE, '').toLowerCase();
}
