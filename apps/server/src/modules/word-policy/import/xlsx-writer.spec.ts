import ExcelJS from 'exceljs';
import { parseWordList } from './parse-word-list.js';
import { type WordListExportRow } from './word-list.types.js';
import { escapeCellText, exportWordListXlsx } from './xlsx-writer.js';

const rows: WordListExportRow[] = [
  { word: '赌博', category: '违法', action: 'block' },
  { word: 'A&B <script>', category: '', action: 'mask' },
  { word: '=1+1', category: 'formula-looking', action: 'warn' },
  { word: 'tab\tinside', category: ' spaced ', action: 'flag' },
  { word: 'ctl\u0001char\u007F', category: 'looks like _x0041_', action: 'flag' },
  { word: 'cr\rand\r\nlf', category: '_x005f_', action: 'mask' },
  { word: '😀emoji\uFFFE', category: '分类'.repeat(20), action: 'block' },
];

describe('exportWordListXlsx', () => {
  it('round-trips: export then parse gives the same rows (an empty category comes back as null)', async () => {
    const result = await parseWordList(await exportWordListXlsx(rows), 'xlsx');
    expect(result.errors).toEqual([]);
    expect(result.format).toBe('xlsx');
    expect(result.totalLines).toBe(rows.length + 1);
    expect(result.rows).toEqual(
      rows.map((r, i) => ({
        line: i + 2,
        word: r.word.trim(),
        category: r.category.trim() === '' ? null : r.category.trim(),
        action: r.action,
      })),
    );
  });

  it('writes one sheet "words" with a header and string cells only, which ExcelJS reads back', async () => {
    const workbook = new ExcelJS.Workbook();
    const bytes = await exportWordListXlsx(rows);
    await workbook.xlsx.load(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    expect(workbook.worksheets.map((s) => s.name)).toEqual(['words']);
    const sheet = workbook.worksheets[0]!;
    const values = (n: number) => [1, 2, 3].map((c) => sheet.getRow(n).getCell(c).value);
    expect(values(1)).toEqual(['word', 'category', 'action']);
    expect(values(2)).toEqual(['赌博', '违法', 'block']);
    expect(values(3)).toEqual(['A&B <script>', '', 'mask']);
    expect(values(4)).toEqual(['=1+1', 'formula-looking', 'warn']);
    expect(sheet.getRow(4).getCell(1).type).toBe(ExcelJS.ValueType.String);
    expect(sheet.getColumn(1).width).toBe(32);
  });

  it('writes only the header for an empty list, which imports as a file without words', async () => {
    const error = await parseWordList(await exportWordListXlsx([]), 'xlsx').catch((err: unknown) => err);
    expect(error).toMatchObject({ code: 'WORD_LIST_EMPTY' });
  });
});

describe('escapeCellText', () => {
  it("uses OOXML's _xHHHH_ escape for what XML cannot hold and protects text that looks like an escape", () => {
    expect(escapeCellText('a\u0001b\rc\u007Fd\uFFFE')).toBe('a_x0001_b_x000D_c_x007F_d_xFFFE_');
    expect(escapeCellText('keep\ttab\nlf 中文 😀 &<>')).toBe('keep\ttab\nlf 中文 😀 &<>');
    expect(escapeCellText('_x0041_ _x00af_ _x12_')).toBe('_x005F_x0041_ _x005F_x00af_ _x12_');
    expect(escapeCellText('lone\uD800')).toBe('lone_xD800_');
  });
});
