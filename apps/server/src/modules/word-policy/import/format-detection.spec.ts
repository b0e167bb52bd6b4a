import { detectWordListFormat } from './format-detection.js';
import { WordListFileError } from './word-list.errors.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('detectWordListFormat', () => {
  it('reads a zip as XLSX whatever its name', () => {
    const zip = Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]);
    expect(detectWordListFormat('words.xlsx', zip)).toBe('xlsx');
    expect(detectWordListFormat('words.csv', zip)).toBe('xlsx');
    expect(detectWordListFormat('download', zip)).toBe('xlsx');
  });

  it('falls back to the extension, case-insensitive, ignoring folders in the name', () => {
    expect(detectWordListFormat('C:\\Users\\admin\\敏感词.TXT', text('a'))).toBe('txt');
    expect(detectWordListFormat('exports/list.v2.csv', text('a,b'))).toBe('csv');
    // Not a zip: parseWordList will say the XLSX is invalid, which is more helpful than "unknown format".
    expect(detectWordListFormat('list.xlsx', text('a'))).toBe('xlsx');
  });

  it.each([
    ['list.xls', text('x'), /\.xls workbooks/],
    ['list.dat', Uint8Array.from([0xd0, 0xcf, 0x11, 0xe0]), /\.xls workbooks/],
    ['list.docx.exe', text('x'), /"\.exe"/],
    ['list', text('x'), /no extension/],
    ['.csv', text('x'), /no extension/],
  ])('refuses %s', (name, bytes, message) => {
    expect(() => detectWordListFormat(name, bytes)).toThrow(message);
    expect(() => detectWordListFormat(name, bytes)).toThrow(
      expect.objectContaining({ code: 'WORD_LIST_FORMAT_UNKNOWN' }) as WordListFileError,
    );
  });
});
