import { type WordListExportRow } from './word-list.types.js';

/** Cells a spreadsheet app would run as a formula (or that start with a control it strips) get a leading '. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** RFC 4180: a field holding a comma, quote or line break is quoted, with quotes doubled. */
export function quoteCsvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/**
 * The guard against CSV formula injection: `=cmd|…`, `+1+1`, `-1+1`, `@SUM(…)` would run when the export is opened
 * in Excel. The import side takes the apostrophe off again (see `unguardCsvCell`), so export → import round-trips.
 */
export function guardCsvCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** Undoes `guardCsvCell`: a ' before a formula character was added by an export, not typed by an admin. */
export function unguardCsvCell(value: string): string {
  return value.startsWith("'") && FORMULA_START.test(value.slice(1)) ? value.slice(1) : value;
}

/**
 * The word list as CSV: header `word,category,action`, CRLF line breaks, a UTF-8 BOM so that Excel reads Chinese
 * text as UTF-8 rather than the system code page. Encode the returned string as UTF-8.
 */
export function exportWordListCsv(rows: readonly WordListExportRow[]): string {
  const lines = ['word,category,action'];
  for (const row of rows) {
    lines.push([row.word, row.category, row.action].map((cell) => quoteCsvField(guardCsvCell(cell))).join(','));
  }
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
