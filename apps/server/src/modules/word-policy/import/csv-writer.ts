import { csvCell } from '../../../common/csv/csv-cells.js';
import { type WordListExportRow } from './word-list.types.js';

/**
 * The word list as CSV: header `word,category,action`, CRLF line breaks, a UTF-8 BOM so that Excel reads Chinese
 * text as UTF-8 rather than the system code page. Encode the returned string as UTF-8.
 */
export function exportWordListCsv(rows: readonly WordListExportRow[]): string {
  const lines = ['word,category,action'];
  for (const row of rows) {
    lines.push([row.word, row.category, row.action].map(csvCell).join(','));
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
