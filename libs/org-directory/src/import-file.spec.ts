import ExcelJS from 'exceljs';
import { DirectoryError } from './errors.js';
import { IMPORT_LIMITS, parseCsv, parseFlag, parseXlsx } from './import-file.js';
import { zipUncompressedSize } from './spreadsheet.js';

describe('import files', () => {
  it('reads CSV rows with their line numbers (header = row 1), a BOM, quoted fields and blank lines', () => {
    const csv = '\uFEFFkind,code,name,unknown_column\r\ndepartment,HQ,"总部, 北京",x\r\n\r\ndepartment,RD,研发,\r\n';
    const rows = parseCsv(Buffer.from(csv));
    expect(rows).toEqual([
      { row: 2, values: { kind: 'department', code: 'HQ', name: '总部, 北京' } },
      { row: 4, values: { kind: 'department', code: 'RD', name: '研发' } },
    ]);
  });

  it('numbers CSV rows by the line they start on, with quoted line breaks and mixed CRLF/LF files', () => {
    const csv = 'kind,code,name\r\ndepartment,HQ,"总部\r\n北京"\ndepartment,RD,研发\n';
    expect(parseCsv(Buffer.from(csv)).map((r) => [r.row, r.values.code, r.values.name])).toEqual([
      [2, 'HQ', '总部\r\n北京'],
      [4, 'RD', '研发'],
    ]);
  });

  it('refuses files without a kind header, empty files and broken CSV with IMPORT_UNREADABLE', () => {
    for (const bad of ['code,name\nHQ,总部', '', 'kind,code\n"unterminated,HQ']) {
      expect(() => parseCsv(Buffer.from(bad))).toThrow(DirectoryError);
      try {
        parseCsv(Buffer.from(bad));
      } catch (err) {
        expect((err as DirectoryError).code).toBe('IMPORT_UNREADABLE');
      }
    }
  });

  it('refuses a CSV over the size limit before parsing it', () => {
    const big = Buffer.alloc(IMPORT_LIMITS.csvBytes + 1, 0x61);
    expect(() => parseCsv(big)).toThrow(expect.objectContaining({ code: 'IMPORT_TOO_LARGE' }) as Error);
  });

  it('reads XLSX sheets and measures a zip without inflating it; a forged size is refused', async () => {
    const wb = new ExcelJS.Workbook();
    const sheet = wb.addWorksheet('s');
    sheet.addRow(['kind', 'code', 'name']);
    sheet.addRow(['department', 'HQ', '总部']);
    const data = Buffer.from(await wb.xlsx.writeBuffer());
    expect(await parseXlsx(data)).toEqual([{ row: 2, values: { kind: 'department', code: 'HQ', name: '总部' } }]);
    const { total, entries } = zipUncompressedSize(data);
    expect(entries).toBeGreaterThan(3);
    expect(total).toBeGreaterThan(data.length);
    for (let i = data.length - 22; i >= 0; i--)
      if (data.readUInt32LE(i) === 0x02014b50) data.writeUInt32LE(0x7ffffff0, i + 24);
    await expect(parseXlsx(data)).rejects.toMatchObject({ code: 'IMPORT_TOO_LARGE' });
    await expect(parseXlsx(Buffer.from('PK not really'))).rejects.toMatchObject({ code: 'IMPORT_UNREADABLE' });
  });

  it('parses primary flags in English and Chinese', () => {
    expect(['yes', 'TRUE', '1', '是', 'y'].map(parseFlag)).toEqual([true, true, true, true, true]);
    expect(['', 'no', '0', '否', 'false'].map(parseFlag)).toEqual([false, false, false, false, false]);
    expect(parseFlag('maybe')).toBeNull();
  });
});
