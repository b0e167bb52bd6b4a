/**
 * Text normalisation for sensitive-word matching: Unicode NFKC (full-width → half-width, compatibility forms such
 * as ① → 1), case folding, and removal of zero-width and other invisible format characters that are inserted to
 * dodge filters. Matching (issue: sensitive-word filtering) runs on this form and maps hits back to the original.
 */
const INVISIBLE =
  /[\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180F\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0]/gu;

export function normalizeForMatching(text: string): string {
  return text.normalize('NFKC').replace(INVISIBLE, '').toLowerCase();
}
