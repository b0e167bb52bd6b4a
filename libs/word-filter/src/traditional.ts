import { TRADITIONAL_PAIRS } from './traditional-table.js';

let table: Uint16Array | null = null;

function buildTable(): Uint16Array {
  const t = new Uint16Array(0x10000);
  for (let i = 0; i + 1 < TRADITIONAL_PAIRS.length; i += 2) {
    t[TRADITIONAL_PAIRS.charCodeAt(i)] = TRADITIONAL_PAIRS.charCodeAt(i + 1);
  }
  return t;
}

/**
 * The simplified form of a traditional Chinese character (Unihan kSimplifiedVariant, one-to-one BMP mappings
 * only), or the code point itself. Idempotent: `toSimplified(toSimplified(c)) === toSimplified(c)`.
 */
export function toSimplified(cp: number): number {
  if (cp < 0x3400 || cp > 0xffff) return cp;
  table ??= buildTable();
  const s = table[cp]!;
  return s === 0 ? cp : s;
}
