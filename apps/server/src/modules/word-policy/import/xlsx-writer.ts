import ExcelJS from 'exceljs';
import { type WordListExportRow } from './word-list.types.js';

/**
 * Characters that ExcelJS would drop or write as they are although XML cannot hold them: controls other than tab and
 * LF, CR (XML readers turn it into LF), DEL, lone surrogates and U+FFFE/U+FFFF.
 */
const NOT_XML_TEXT = /[^\t\n\u0020-\u007E\u0080-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/**
 * Cell text with OOXML's `_xHHHH_` escape (as Excel writes it, and as Excel and ExcelJS decode it) for the characters
 * above; text that already looks like such an escape gets `_x005F_` (an escaped underscore) so that it stays as it is.
 */
export function escapeCellText(text: string): string {
  return text
    .replace(/_x([0-9A-Fa-f]{4})_/g, '_x005F_x$1_')
    .replace(NOT_XML_TEXT, (ch) => `_x${ch.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}_`);
}

/**
 * The word list as an XLSX workbook: one sheet "words", header word/category/action. Every cell is a string cell, so
 * nothing in it runs as a formula.
 */
export async function exportWordListXlsx(rows: readonly WordListExportRow[]): Promise<Uint8Array> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('words');
  sheet.columns = [
    { header: 'word', width: 32 },
    { header: 'category', width: 20 },
    { header: 'action', width: 12 },
  ];
  sheet.addRows(rows.map((r) => [r.word, r.category, r.action].map(escapeCellText)));
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}
