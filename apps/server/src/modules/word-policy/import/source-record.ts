import { WORD_LIST_LIMITS, type SourceRecord } from './word-list.types.js';

/** 1 + the index of the last cell that holds more than whitespace. */
export function recordWidth(cells: readonly string[]): number {
  for (let i = cells.length - 1; i >= 0; i--) if (cells[i]!.trim() !== '') return i + 1;
  return 0;
}

/** Shortens a row's source text for a row error so that one huge line does not bloat the preview. */
export function shortenRaw(raw: string): string {
  const points = Array.from(raw);
  return points.length <= WORD_LIST_LIMITS.rawLength ? raw : `${points.slice(0, WORD_LIST_LIMITS.rawLength).join('')}…`;
}

export function sourceRecord(
  line: number,
  cells: readonly string[],
  raw: string,
  malformed: string | null = null,
): SourceRecord {
  return { line, cells, width: recordWidth(cells), raw, malformed };
}
