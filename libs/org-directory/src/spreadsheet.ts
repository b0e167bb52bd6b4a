import { inflateRawSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';

export type SpreadsheetErrorCode = 'TOO_LARGE' | 'UNREADABLE';

/** The file as a whole cannot be read; callers map `code` (and `detail`) to their own errors. */
export class SpreadsheetError extends Error {
  constructor(
    readonly code: SpreadsheetErrorCode,
    /** What is wrong, as a clause: "more than 100 bytes". */
    readonly detail: string,
  ) {
    super(`${code === 'TOO_LARGE' ? 'The file is too large' : 'The file cannot be read'}: ${detail}.`);
    this.name = 'SpreadsheetError';
  }
}

const tooLarge = (detail: string) => new SpreadsheetError('TOO_LARGE', detail);
const unreadable = (detail: string) => new SpreadsheetError('UNREADABLE', detail);

/** A non-empty row of a sheet or CSV file; `row` is the 1-based spreadsheet row or the line the record starts on. */
export interface SpreadsheetRow {
  row: number;
  cells: string[];
}

export interface CsvRecord extends SpreadsheetRow {
  /** The record's source text, without its line break. */
  raw: string;
  /** Lenient reading only: why the record cannot be read (a quote that is never closed), or null. */
  malformed: string | null;
}

const LINE_BREAKS = /\r\n|\n|\r/g;
const FINAL_LINE_BREAK = /(?:\r\n|\n|\r)$/;

/**
 * Reads CSV text (a BOM is dropped) into its non-empty records; CRLF, LF and CR end records, also mixed in one file.
 * Records keep the line they start on, so a quoted line break does not shift the numbers of later records.
 * Strict by default: broken quoting refuses the file (UNREADABLE). `lenient` keeps a quote inside a field as text and
 * returns a record whose quote is never closed with `malformed` set, so that it can be reported as one bad row.
 */
export function readCsvRecords(text: string, options: { lenient?: boolean } = {}): CsvRecord[] {
  const lenient = options.lenient ?? false;
  const records: CsvRecord[] = [];
  let line = 1;
  const add = (source: string, cells: string[], malformed: string | null): void => {
    // csv-parse leaves the LF of a CRLF out of `raw`; whatever it kept of the line break is not part of the record.
    const raw = source.replace(FINAL_LINE_BREAK, '');
    if (raw !== '' || malformed !== null) records.push({ row: line, cells, raw, malformed });
    line += (raw.match(LINE_BREAKS)?.length ?? 0) + 1;
  };
  try {
    parse(text, {
      bom: true,
      raw: true,
      relax_column_count: true,
      record_delimiter: ['\r\n', '\n', '\r'],
      relax_quotes: lenient,
      skip_records_with_error: lenient,
      on_record: (record) => {
        const { record: cells, raw } = record as unknown as { record: string[]; raw: string };
        add(raw, cells, null);
        return null;
      },
      on_skip: (err, raw) => {
        const why = err?.code === 'CSV_QUOTE_NOT_CLOSED' ? 'a quoted field is not closed' : (err?.message ?? 'broken');
        add(raw ?? '', [], why);
        return undefined;
      },
    });
  } catch (err) {
    throw unreadable(err instanceof Error ? err.message : 'not CSV');
  }
  return records;
}

interface ZipDirectoryEntry {
  method: number;
  compressedSize: number;
  size: number;
  localHeader: number;
}

/** The entries of a zip's central directory, read without inflating anything. */
function zipDirectory(data: Buffer): ZipDirectoryEntry[] {
  const min = Math.max(0, data.length - 65_557);
  let eocd = -1;
  for (let i = data.length - 22; i >= min; i--) {
    if (data.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw unreadable('not an XLSX (zip) file');
  const count = data.readUInt16LE(eocd + 10);
  let offset = data.readUInt32LE(eocd + 16);
  if (count === 0xffff || offset === 0xffffffff) throw tooLarge('ZIP64 archives are not accepted');
  const entries: ZipDirectoryEntry[] = [];
  for (let n = 0; n < count; n++) {
    if (offset + 46 > data.length || data.readUInt32LE(offset) !== 0x02014b50) throw unreadable('broken zip directory');
    const entry = {
      method: data.readUInt16LE(offset + 10),
      compressedSize: data.readUInt32LE(offset + 20),
      size: data.readUInt32LE(offset + 24),
      localHeader: data.readUInt32LE(offset + 42),
    };
    if (entry.size === 0xffffffff || entry.compressedSize === 0xffffffff) {
      throw tooLarge('ZIP64 entries are not accepted');
    }
    entries.push(entry);
    offset += 46 + data.readUInt16LE(offset + 28) + data.readUInt16LE(offset + 30) + data.readUInt16LE(offset + 32);
  }
  return entries;
}

/** Sums the uncompressed sizes in the zip central directory without inflating anything. */
export function zipUncompressedSize(data: Buffer): { total: number; entries: number } {
  const entries = zipDirectory(data);
  return { total: entries.reduce((sum, e) => sum + e.size, 0), entries: entries.length };
}

/**
 * The declared sizes are only a claim: ExcelJS (JSZip) inflates each entry completely before comparing it with its
 * declared size. Inflating every deflated entry here with its declared size as the output cap makes a lying entry
 * fail after at most that many bytes, so the whole archive never inflates to more than the checked total.
 */
function checkDeclaredSizes(data: Buffer, entries: readonly ZipDirectoryEntry[]): void {
  for (const entry of entries) {
    if (entry.method !== 8) continue; // Stored entries cannot expand; other methods are refused by ExcelJS.
    const at = entry.localHeader;
    if (at + 30 > data.length || data.readUInt32LE(at) !== 0x04034b50) throw unreadable('broken zip entry');
    const start = at + 30 + data.readUInt16LE(at + 26) + data.readUInt16LE(at + 28);
    try {
      inflateRawSync(data.subarray(start, start + entry.compressedSize), { maxOutputLength: Math.max(1, entry.size) });
    } catch (err) {
      if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
        throw tooLarge('a zip entry unpacks to more than its declared size');
      }
      throw unreadable('a zip entry is corrupt');
    }
  }
}

/** The text of a cell as the user sees it: strings, rich text, hyperlinks, formula results, numbers, booleans, dates. */
function cellText(value: ExcelJS.CellValue): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'object') return String(value);
  if (value instanceof Date) return value.toISOString();
  if ('richText' in value) return value.richText.map((run) => run.text).join('');
  if ('text' in value && typeof value.text === 'string') return value.text;
  if ('result' in value) return cellText((value.result ?? null) as ExcelJS.CellValue);
  return ''; // Error values (#N/A) and anything else.
}

export interface XlsxLimits {
  /** Size of the file itself. */
  maxBytes: number;
  /** Sum of the uncompressed sizes of the zip entries. */
  maxUncompressedBytes: number;
  /** Uncompressed bytes per byte of the file (for files of at least 1 MB; smaller files count as 1 MB). */
  maxRatio: number;
  /** Rows with a value on the first worksheet. */
  maxRows: number;
}

/**
 * Reads the first worksheet of an XLSX workbook into its non-empty rows (a row whose cells are all blank is left
 * out), numbered as in the spreadsheet app. Cells are dense from column A: `cells[0]` is column A, a missing cell is ''.
 * Zip bombs are refused from the central directory before ExcelJS inflates anything (TOO_LARGE).
 */
export async function readXlsxRows(data: Buffer, limits: XlsxLimits): Promise<SpreadsheetRow[]> {
  if (data.length > limits.maxBytes) throw tooLarge(`more than ${limits.maxBytes} bytes`);
  const entries = zipDirectory(data);
  const total = entries.reduce((sum, e) => sum + e.size, 0);
  if (total > limits.maxUncompressedBytes || total > Math.max(data.length, 1_000_000) * limits.maxRatio) {
    throw tooLarge(`it unpacks to ${total} bytes`);
  }
  checkDeclaredSizes(data, entries);
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(data as unknown as ArrayBuffer);
  } catch (err) {
    throw unreadable(err instanceof Error ? err.message : 'not XLSX');
  }
  const sheet = workbook.worksheets[0];
  if (!sheet) throw unreadable('it has no worksheet');
  if (sheet.actualRowCount > limits.maxRows) throw tooLarge(`more than ${limits.maxRows} rows`);
  const rows: SpreadsheetRow[] = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      cells[col - 1] = cellText(cell.value);
    });
    for (let i = 0; i < cells.length; i++) cells[i] ??= '';
    if (cells.some((c) => c.trim() !== '')) rows.push({ row: rowNumber, cells });
  });
  return rows;
}
