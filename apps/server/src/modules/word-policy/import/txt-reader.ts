import { sourceRecord } from './source-record.js';
import { type SourceRecord } from './word-list.types.js';

/** One word per line; blank lines and lines starting with # (after leading spaces) are comments, not rows. */
export function readTxtRecords(lines: readonly string[]): SourceRecord[] {
  const records: SourceRecord[] = [];
  lines.forEach((text, i) => {
    const trimmed = text.trim();
    if (trimmed !== '' && !trimmed.startsWith('#')) records.push(sourceRecord(i + 1, [text], text));
  });
  return records;
}
