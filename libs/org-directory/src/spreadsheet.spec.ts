import ExcelJS from 'exceljs';
import { readCsvRecords, readXlsxRows, SpreadsheetError, zipUncompressedSize, type XlsxLimits } from './spreadsheet.js';

const LIMITS: XlsxLimits = { maxBytes: 1024 * 1024, maxUncompressedBytes: 1024 * 1024, maxRatio: 100, maxRows: 100 };

async function xlsx(fill: (book: ExcelJS.Workbook) => void): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  fill(book);
  return Buffer.from(await book.xlsx.writeBuffer());
}

/** Offsets of the central directory entries of a zip (what the zip-bomb guard reads). */
function centralEntries(zip: Buffer): number[] {
  const found: number[] = [];
  for (let i = 0; i + 4 <= zip.length; i++) if (zip.readUInt32LE(i) === 0x02014b50) found.push(i);
  return found;
}

async function spreadsheetError(promise: Promise<unknown>): Promise<SpreadsheetError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(err instanceof SpreadsheetError)) throw new Error(`expected a SpreadsheetError, got ${String(err)}`);
  return err;
}

describe('readCsvRecords', () => {
  it('numbers records by the line they start on, across quoted and mixed line breaks; blank lines are left out', () => {
    const text = '\uFEFFa,"b, c","say ""hi"""\r\n"multi\r\nline",x\n\n  \rlast,';
    expect(readCsvRecords(text)).toEqual([
      { row: 1, cells: ['a', 'b, c', 'say "hi"'], raw: 'a,"b, c","say ""hi"""', malformed: null },
      { row: 2, cells: ['multi\r\nline', 'x'], raw: '"multi\r\nline",x', malformed: null },
      { row: 5, cells: ['  '], raw: '  ', malformed: null },
      { row: 6, cells: ['last', ''], raw: 'last,', malformed: null },
    ]);
    expect(readCsvRecords('')).toEqual([]);
  });

  it('is strict by default: broken quoting refuses the file', () => {
    for (const bad of ['kind,code\n"unterminated,HQ', '5" screen,x', '"ab"c,d']) {
      expect(() => readCsvRecords(bad)).toThrow(expect.objectContaining({ code: 'UNREADABLE' }) as Error);
    }
  });

  it('lenient: keeps quotes inside fields as text and returns an unclosed quote as one malformed record', () => {
    expect(readCsvRecords('5" screen,x\r\n"ab"c,d\r\nz,"open\r\nmore\r\n', { lenient: true })).toEqual([
      { row: 1, cells: ['5" screen', 'x'], raw: '5" screen,x', malformed: null },
      { row: 2, cells: ['"ab"c', 'd'], raw: '"ab"c,d', malformed: null },
      { row: 3, cells: [], raw: 'z,"open\r\nmore', malformed: 'a quoted field is not closed' },
    ]);
  });
});

describe('readXlsxRows', () => {
  it('reads the first sheet as text with spreadsheet row numbers, leaving out blank rows', async () => {
    const data = await xlsx((book) => {
      const sheet = book.addWorksheet('first');
      sheet.addRow(['text', 42, 1.5, true]);
      sheet.addRow([]);
      sheet.addRow([{ richText: [{ text: '富', font: { bold: true } }, { text: '文本' }] }, null, '总部']);
      sheet.addRow(['  ', '']);
      sheet.addRow([
        { formula: '1+1', result: 2 },
        { formula: 'A1', result: 'text' },
        { text: 'link', hyperlink: 'https://example.com' },
        new Date(Date.UTC(2024, 0, 2)),
        { error: '#N/A' },
      ]);
      book.addWorksheet('second').addRow(['not read']);
    });
    expect(await readXlsxRows(data, LIMITS)).toEqual([
      { row: 1, cells: ['text', '42', '1.5', 'true'] },
      { row: 3, cells: ['富文本', '', '总部'] },
      { row: 5, cells: ['2', 'text', 'link', '2024-01-02T00:00:00.000Z', ''] },
    ]);
    expect(await readXlsxRows(await xlsx((book) => book.addWorksheet('empty')), LIMITS)).toEqual([]);
  });

  it('refuses files that are not XLSX, broken or without a worksheet with UNREADABLE', async () => {
    const noSheet = await xlsx(() => undefined);
    for (const bad of [Buffer.from('kind,code\n'), Buffer.from('PK not really'), noSheet]) {
      expect((await spreadsheetError(readXlsxRows(bad, LIMITS))).code).toBe('UNREADABLE');
    }
  });

  it('refuses a file, a zip, an unpacking ratio or a sheet over the limits with TOO_LARGE', async () => {
    const data = await xlsx((book) => book.addWorksheet('s').addRows([['a'], ['b'], ['c']]));
    const { total } = zipUncompressedSize(data);
    const refusal = async (limits: Partial<XlsxLimits>) =>
      (await spreadsheetError(readXlsxRows(data, { ...LIMITS, ...limits }))).message;
    expect(await refusal({ maxBytes: data.length - 1 })).toBe(
      `The file is too large: more than ${data.length - 1} bytes.`,
    );
    expect(await refusal({ maxUncompressedBytes: total - 1 })).toBe(
      `The file is too large: it unpacks to ${total} bytes.`,
    );
    expect(await refusal({ maxRatio: 0.001 })).toBe(`The file is too large: it unpacks to ${total} bytes.`);
    expect(await refusal({ maxRows: 2 })).toBe('The file is too large: more than 2 rows.');
    expect(await readXlsxRows(data, { ...LIMITS, maxRows: 3 })).toHaveLength(3);
  });

  it('measures a zip from its central directory and refuses forged or understated sizes before ExcelJS inflates', async () => {
    const data = await xlsx((book) => book.addWorksheet('s').addRow(['x']));
    const { total, entries } = zipUncompressedSize(data);
    expect(entries).toBe(centralEntries(data).length);
    expect(entries).toBeGreaterThan(3);
    expect(total).toBeGreaterThan(data.length);

    const forged = Buffer.from(data);
    for (const at of centralEntries(forged)) forged.writeUInt32LE(0x7ffffff0, at + 24);
    expect((await spreadsheetError(readXlsxRows(forged, LIMITS))).code).toBe('TOO_LARGE');

    // Every entry claims 1 byte: the sum passes, but inflating stops at the claimed size.
    const understated = Buffer.from(data);
    for (const at of centralEntries(understated))
      if (understated.readUInt32LE(at + 24) > 0) understated.writeUInt32LE(1, at + 24);
    expect((await spreadsheetError(readXlsxRows(understated, LIMITS))).detail).toBe(
      'a zip entry unpacks to more than its declared size',
    );
  });
});
