import { DirectoryError } from './errors.js';
import { readCsvRecords, readXlsxRows, SpreadsheetError, type CsvRecord, type SpreadsheetRow } from './spreadsheet.js';

/** Limits on import files (see docs/directory.md). */
export const IMPORT_LIMITS = {
  csvBytes: 50 * 1024 * 1024,
  xlsxBytes: 20 * 1024 * 1024,
  /** Sum of the uncompressed sizes of the XLSX's zip entries: refuses zip bombs before anything is inflated. */
  xlsxUncompressedBytes: 200 * 1024 * 1024,
  xlsxMaxRatio: 100,
  rows: 200_000,
};

export const IMPORT_COLUMNS = [
  'kind',
  'code',
  'name',
  'name_en',
  'parent_code',
  'sort_order',
  'login',
  'display_name',
  'employee_no',
  'email',
  'phone',
  'department_code',
  'title',
  'manager_employee_no',
  'primary',
] as const;
export type ImportColumn = (typeof IMPORT_COLUMNS)[number];

export interface RawImportRow {
  /** 1-based line of the file (the header is row 1). */
  row: number;
  values: Partial<Record<ImportColumn, string>>;
}

function tooLarge(what: string): DirectoryError {
  return new DirectoryError('IMPORT_TOO_LARGE', `The import file is too large: ${what}.`);
}

function unreadable(what: string): DirectoryError {
  return new DirectoryError('IMPORT_UNREADABLE', `The import file cannot be read: ${what}.`);
}

function normaliseHeader(h: string): string {
  return h
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase();
}

function toRows(header: string[], records: Array<{ row: number; cells: string[] }>): RawImportRow[] {
  const names = header.map(normaliseHeader);
  if (!names.includes('kind')) throw unreadable('the first row must be the header with a "kind" column');
  return records.map(({ row, cells }) => {
    const values: Partial<Record<ImportColumn, string>> = {};
    names.forEach((name, i) => {
      if ((IMPORT_COLUMNS as readonly string[]).includes(name)) values[name as ImportColumn] = (cells[i] ?? '').trim();
    });
    return { row, values };
  });
}

/** The spreadsheet module's errors as the directory import's error codes. */
function directoryError(err: unknown): unknown {
  if (!(err instanceof SpreadsheetError)) return err;
  return err.code === 'TOO_LARGE' ? tooLarge(err.detail) : unreadable(err.detail);
}

export function parseCsv(data: Buffer): RawImportRow[] {
  if (data.length > IMPORT_LIMITS.csvBytes) throw tooLarge(`more than ${IMPORT_LIMITS.csvBytes} bytes`);
  let records: CsvRecord[];
  try {
    records = readCsvRecords(data.toString('utf8'));
  } catch (err) {
    throw directoryError(err);
  }
  if (records.length === 0) throw unreadable('it is empty');
  if (records.length - 1 > IMPORT_LIMITS.rows) throw tooLarge(`more than ${IMPORT_LIMITS.rows} rows`);
  const [header, ...rest] = records;
  return toRows(header!.cells, rest);
}

export async function parseXlsx(data: Buffer): Promise<RawImportRow[]> {
  let rows: SpreadsheetRow[];
  try {
    rows = await readXlsxRows(data, {
      maxBytes: IMPORT_LIMITS.xlsxBytes,
      maxUncompressedBytes: IMPORT_LIMITS.xlsxUncompressedBytes,
      maxRatio: IMPORT_LIMITS.xlsxMaxRatio,
      maxRows: IMPORT_LIMITS.rows + 1, // + the header
    });
  } catch (err) {
    throw directoryError(err);
  }
  if (rows.length === 0) throw unreadable('it has no worksheet rows');
  const [header, ...rest] = rows;
  return toRows(header!.cells, rest);
}

/** The CSV/XLSX cell text for a boolean "primary" column. */
export function parseFlag(value: string | undefined): boolean | null {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '') return false;
  if (['1', 'true', 'yes', 'y', '是'].includes(v)) return true;
  if (['0', 'false', 'no', 'n', '否'].includes(v)) return false;
  return null;
}
