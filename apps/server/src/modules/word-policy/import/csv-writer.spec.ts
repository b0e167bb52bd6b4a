import { guardCsvCell, quoteCsvField, unguardCsvCell } from '../../../common/csv/csv-cells.js';
import { exportWordListCsv } from './csv-writer.js';

describe('exportWordListCsv', () => {
  it('writes a BOM, the header and CRLF rows with RFC 4180 quoting', () => {
    const csv = exportWordListCsv([
      { word: '赌博', category: '违法', action: 'block' },
      { word: 'a,b', category: 'say "hi"', action: 'mask' },
      { word: 'two\nlines', category: '', action: 'warn' },
    ]);
    expect(csv).toBe(
      '\uFEFFword,category,action\r\n赌博,违法,block\r\n"a,b","say ""hi""",mask\r\n"two\nlines",,warn\r\n',
    );
  });

  it('guards cells that spreadsheet apps would run as formulas', () => {
    const csv = exportWordListCsv([
      { word: '=cmd|/c calc!A1', category: '+1', action: 'flag' },
      { word: '-2+3', category: '@SUM(A1)', action: 'flag' },
      { word: '\tx', category: '\rx', action: 'flag' },
      { word: 'safe=1', category: 'a-b', action: 'flag' },
    ]);
    expect(csv.split('\r\n').slice(1, 5)).toEqual([
      "'=cmd|/c calc!A1,'+1,flag",
      "'-2+3,'@SUM(A1),flag",
      '\'\tx,"\'\rx",flag',
      'safe=1,a-b,flag',
    ]);
  });

  it('writes only the header for an empty list', () => {
    expect(exportWordListCsv([])).toBe('\uFEFFword,category,action\r\n');
  });
});

describe('CSV cell helpers', () => {
  it('quotes only what needs quoting', () => {
    expect(['plain', '中文', 'a,b', 'a"b', 'a\rb', ''].map(quoteCsvField)).toEqual([
      'plain',
      '中文',
      '"a,b"',
      '"a""b"',
      '"a\rb"',
      '',
    ]);
  });

  it('unguard undoes guard and leaves typed apostrophes alone', () => {
    for (const value of ['=x', '+x', '-x', '@x', '\tx', '\rx', 'x', "'quoted", "''=x"]) {
      expect(unguardCsvCell(guardCsvCell(value))).toBe(value);
    }
    expect(unguardCsvCell("'abc")).toBe("'abc");
  });
});
