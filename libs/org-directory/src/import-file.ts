import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { DirectoryError } from './errors.js';

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

export function parseCsv(data: Buffer): RawImportRow[] {
  if (data.length > IMPORT_LIMITS.csvBytes) throw tooLarge(`more than ${IMPORT_LIMITS.csvBytes} bytes`);
  let records: Array<{ record: string[]; info: { lines: number } }>;
  try {
    records = parse(data, {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as unknown as Array<{
      record: string[];
      info: { lines: number };
    }>;
  } catch (err) {
    throw unreadable(err instanceof Error ? err.message : 'not CSV');
  }
  if (records.length === 0) throw unreadable('it is empty');
  if (records.length - 1 > IMPORT_LIMITS.rows) throw tooLarge(`more than ${IMPORT_LIMITS.rows} rows`);
  const [header, ...rest] = records;
  return toRows(
    header!.record,
    rest.map((r) => ({ row: r.info.lines, cells: r.record })),
  );
}

/** Sums the uncompressed sizes in the zip central directory without inflating anything. */
export function zipUncompressedSize(data: Buffer): { total: number; entries: number } {
  const min = Math.max(0, data.length - 65_557);
  let eocd = -1;
  for (let i = data.length - 22; i >= min; i--) {
    if (data.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw unreadable('not an XLSX (zip) file');
  const entries = data.readUInt16LE(eocd + 10);
  let offset = data.readUInt32LE(eocd + 16);
  if (entries === 0xffff || offset === 0xffffffff) throw tooLarge('ZIP64 archives are not accepted');
  let total = 0;
  for (let n = 0; n < entries; n++) {
    if (offset + 46 > data.length || data.readUInt32LE(offset) !== 0x02014b50) throw unreadable('broken zip directory');
    const size = data.readUInt32LE(offset + 24);
    if (size === 0xffffffff) throw tooLarge('ZIP64 entries are not accepted');
    total += size;
    offset += 46 + data.readUInt16LE(offset + 28) + data.readUInt16LE(offset + 30) + data.readUInt16LE(offset + 32);
  }
  return { total, entries };
}

export async function parseXlsx(data: Buffer): Promise<RawImportRow[]> {
  if (data.length > IMPORT_LIMITS.xlsxBytes) throw tooLarge(`more than ${IMPORT_LIMITS.xlsxBytes} bytes`);
  const { total } = zipUncompressedSize(data);
  if (
    total > IMPORT_LIMITS.xlsxUncompressedBytes ||
    total > Math.max(data.length, 1_000_000) * IMPORT_LIMITS.xlsxMaxRatio
  ) {
    throw tooLarge(`it unpacks to ${total} bytes`);
  }
  const workbook = new ExcelJS.Workbook();
  try {
    await workbook.xlsx.load(data as unknown as ArrayBuffer);
  } catch (err) {
    throw unreadable(err instanceof Error ? err.message : 'not XLSX');
  }
  const sheet = workbook.worksheets[0];
  if (!sheet || sheet.actualRowCount === 0) throw unreadable('it has no worksheet rows');
  if (sheet.actualRowCount - 1 > IMPORT_LIMITS.rows) throw tooLarge(`more than ${IMPORT_LIMITS.rows} rows`);
  const cellText = (v: ExcelJS.CellValue): string => {
    if (v === null || v === undefined) return '';
    if (typeof v === 'object') {
      if ('text' in v && typeof v.text === 'string') return v.text;
      if ('richText' in v) return v.richText.map((t) => t.text).join('');
      if ('result' in v) return String(v.result ?? '');
      if (v instanceof Date) return v.toISOString();
      return '';
    }
    return String(v);
  };
  let header: string[] | null = null;
  const records: Array<{ row: number; cells: string[] }> = [];
  sheet.eachRow({ includeEmpty: false }, (row, rowNumber) => {
    const cells: string[] = [];
    row.eachCell({ includeEmpty: true }, (cell, col) => {
      cells[col - 1] = cellText(cell.value);
    });
    for (let i = 0; i < cells.length; i++) cells[i] ??= '';
    if (!header) header = cells;
    else if (cells.some((c) => c.trim() !== '')) records.push({ row: rowNumber, cells });
  });
  return toRows(header ?? [], records);
}

/** The CSV/XLSX cell text for a boolean "primary" column. */
export function parseFlag(value: string | undefined): boolean | null {
  const v = (value ?? '').trim().toLowerCase();
  if (v === '') return false;
  if (['1', 'true', 'yes', 'y', '是'].includes(v)) return true;
  if (['0', 'false', 'no', 'n', '否'].includes(v)) return false;
  return null;
}
