import { Buffer } from 'node:buffer';
import { readCsvRecords, readXlsxRows, SpreadsheetError, type SpreadsheetRow } from '@miyu/org-directory';
import { quoteCsvField } from '../../../common/csv/csv-cells.js';
import { recordWidth, sourceRecord } from './source-record.js';
import { decodeText, splitLines } from './text-decoding.js';
import { readTxtRecords } from './txt-reader.js';
import { WordListFileError } from './word-list.errors.js';
import { buildWordList, wordListKey } from './word-list-rules.js';
import {
  WORD_LIST_LIMITS,
  type SourceRecord,
  type WordListFormat,
  type WordListParseResult,
} from './word-list.types.js';

const XLSX_LIMITS = {
  maxBytes: WORD_LIST_LIMITS.fileBytes,
  maxUncompressedBytes: WORD_LIST_LIMITS.xlsxUncompressedBytes,
  maxRatio: 100,
  // + a header row; buildWordList then counts the data rows exactly.
  maxRows: WORD_LIST_LIMITS.dataRows + 1,
};

/** CSV records; a record whose quote is never closed becomes a ROW_MALFORMED row instead of refusing the file. */
function readCsv(text: string): SourceRecord[] {
  return readCsvRecords(text, { lenient: true }).map((r) => sourceRecord(r.row, r.cells, r.raw, r.malformed));
}

async function readXlsx(bytes: Uint8Array): Promise<{ records: SourceRecord[]; totalLines: number }> {
  let rows: SpreadsheetRow[];
  try {
    rows = await readXlsxRows(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), XLSX_LIMITS);
  } catch (err) {
    if (!(err instanceof SpreadsheetError)) throw err;
    throw err.code === 'TOO_LARGE' ? WordListFileError.tooLarge(err.detail) : WordListFileError.xlsxInvalid(err.detail);
  }
  // A spreadsheet row has no source text: its cells as a CSV line stand in for it in row errors.
  const records = rows.map(({ row, cells }) =>
    sourceRecord(row, cells, cells.slice(0, recordWidth(cells)).map(quoteCsvField).join(',')),
  );
  return { records, totalLines: rows.at(-1)?.row ?? 0 };
}

/**
 * Parses an uploaded word list for the import preview: accepted rows and row errors, each with its source line.
 * `keyOf` gives the duplicate key of a (trimmed) word: rows whose words share a key are DUPLICATE_IN_FILE. It
 * defaults to trim + NFKC + lower-case; pass the filter's matching normalisation so that the preview flags exactly
 * the rows the import would merge. Rejects with `WordListFileError` when the file as a whole cannot be used.
 */
export async function parseWordList(
  bytes: Uint8Array,
  format: WordListFormat,
  keyOf: (word: string) => string = wordListKey,
): Promise<WordListParseResult> {
  if (bytes.byteLength > WORD_LIST_LIMITS.fileBytes) {
    throw WordListFileError.tooLarge(`more than ${WORD_LIST_LIMITS.fileBytes} bytes`);
  }
  switch (format) {
    case 'txt': {
      const lines = splitLines(decodeText(bytes));
      return buildWordList(format, readTxtRecords(lines), lines.length, {
        detectHeader: false,
        unguardCells: false,
        keyOf,
      });
    }
    case 'csv': {
      const text = decodeText(bytes);
      return buildWordList(format, readCsv(text), splitLines(text).length, {
        detectHeader: true,
        unguardCells: true,
        keyOf,
      });
    }
    case 'xlsx': {
      const { records, totalLines } = await readXlsx(bytes);
      return buildWordList(format, records, totalLines, { detectHeader: true, unguardCells: false, keyOf });
    }
  }
}
