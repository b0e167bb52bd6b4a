import { Buffer } from 'node:buffer';
import ExcelJS from 'exceljs';
import { exportWordListCsv } from './csv-writer.js';
import { parseWordList } from './parse-word-list.js';
import { WordListFileError } from './word-list.errors.js';
import { type WordListExportRow, type WordListFormat, type WordListParseResult } from './word-list.types.js';

const utf8 = (s: string): Uint8Array => Buffer.from(s, 'utf8');
const GBK_MINGANCI = [0xc3, 0xf4, 0xb8, 0xd0, 0xb4, 0xca]; // 敏感词

/** A workbook written by ExcelJS (shared strings), the given cells placed at their spreadsheet rows. */
async function workbook(rows: Record<number, ExcelJS.CellValue[]>): Promise<Uint8Array> {
  const book = new ExcelJS.Workbook();
  const sheet = book.addWorksheet('s');
  for (const [n, cells] of Object.entries(rows)) sheet.getRow(Number(n)).values = cells;
  return new Uint8Array(await book.xlsx.writeBuffer());
}

/** The offsets of the central directory entries of a zip. */
function centralEntries(zip: Buffer): number[] {
  const found: number[] = [];
  for (let i = 0; i + 4 <= zip.length; i++) if (zip.readUInt32LE(i) === 0x02014b50) found.push(i);
  return found;
}

function entryName(zip: Buffer, at: number): string {
  return zip.toString('utf8', at + 46, at + 46 + zip.readUInt16LE(at + 28));
}

async function fileError(bytes: Uint8Array, format: WordListFormat): Promise<WordListFileError> {
  try {
    await parseWordList(bytes, format);
  } catch (err) {
    if (err instanceof WordListFileError) return err;
    throw err;
  }
  throw new Error('expected a WordListFileError');
}

const errorSummary = (result: WordListParseResult) => result.errors.map((e) => [e.line, e.code]);

describe('parseWordList: TXT', () => {
  it('reads one trimmed word per line; skips blank lines and # comments; strips a BOM', async () => {
    const result = await parseWordList(
      utf8('\uFEFF# 敏感词表\r\n  赌博  \r\n\r\n   # indented comment\r\nfoo bar\r\n\u3000\r\n'),
      'txt',
    );
    expect(result).toEqual({
      format: 'txt',
      rows: [
        { line: 2, word: '赌博', category: null, action: null },
        { line: 5, word: 'foo bar', category: null, action: null },
      ],
      errors: [],
      totalLines: 6,
    });
  });

  it('reads GBK files (Chinese Windows Notepad) through GB18030', async () => {
    const bytes = Uint8Array.from([...GBK_MINGANCI, 0x0d, 0x0a, 0x61, 0x62, 0x63]);
    expect((await parseWordList(bytes, 'txt')).rows.map((r) => r.word)).toEqual(['敏感词', 'abc']);
  });

  it('keeps commas and a first line named "word" as words: TXT has no columns and no header', async () => {
    expect((await parseWordList(utf8('word\na,b,c,d'), 'txt')).rows.map((r) => r.word)).toEqual(['word', 'a,b,c,d']);
  });

  it('counts word length in code points: 64 emoji pass, 65 characters do not', async () => {
    const result = await parseWordList(utf8(`${'😀'.repeat(64)}\n${'字'.repeat(65)}`), 'txt');
    expect(result.rows.map((r) => r.line)).toEqual([1]);
    expect(result.errors).toEqual([
      {
        line: 2,
        code: 'WORD_TOO_LONG',
        message: 'The word has 65 characters; at most 64 are allowed.',
        raw: '字'.repeat(65),
      },
    ]);
  });

  it('reports a duplicate (after trim, NFKC and lower-casing) on the later line, naming the first', async () => {
    const result = await parseWordList(utf8('Abc\nfoo\n  ＡＢＣ \nabc'), 'txt');
    expect(result.rows.map((r) => r.word)).toEqual(['Abc', 'foo']);
    expect(result.errors).toEqual([
      { line: 3, code: 'DUPLICATE_IN_FILE', message: '"ＡＢＣ" is already on line 1.', raw: '  ＡＢＣ ' },
      { line: 4, code: 'DUPLICATE_IN_FILE', message: '"abc" is already on line 1.', raw: 'abc' },
    ]);
  });

  it('takes the duplicate key from keyOf when given (the filter normalisation in the service)', async () => {
    const text = utf8('敏感词\n敏\u200B感词\nfoo');
    expect((await parseWordList(text, 'txt')).errors).toEqual([]);
    const stripZeroWidth = (word: string) => word.replace(/\u200B/g, '');
    expect((await parseWordList(text, 'txt', stripZeroWidth)).errors).toEqual([
      {
        line: 2,
        code: 'DUPLICATE_IN_FILE',
        message: '"敏\u200B感词" is already on line 1.',
        raw: '敏\u200B感词',
      },
    ]);
    expect((await parseWordList(utf8('word\nAbc\nabc'), 'csv', (w) => w)).rows.map((r) => r.word)).toEqual([
      'Abc',
      'abc',
    ]);
  });

  it('shortens the raw text of a huge line in its error', async () => {
    const [error] = (await parseWordList(utf8('x'.repeat(10_000)), 'txt')).errors;
    expect(error!.raw).toBe(`${'x'.repeat(200)}…`);
  });
});

describe('parseWordList: CSV', () => {
  it('reads word, category, action in that order without a header, with English and Chinese actions', async () => {
    const csv =
      '赌博,违法,拦截\nfoo,,BLOCK\nbar,spam,打码\nbaz,,替换\nq1,,提醒\nq2,,警告\nq3,,标记\nq4,,记录\nq5,c, Ｆｌａｇ \nq6';
    const result = await parseWordList(utf8(csv), 'csv');
    expect(result.errors).toEqual([]);
    expect(result.rows.map((r) => [r.word, r.category, r.action])).toEqual([
      ['赌博', '违法', 'block'],
      ['foo', null, 'block'],
      ['bar', 'spam', 'mask'],
      ['baz', null, 'mask'],
      ['q1', null, 'warn'],
      ['q2', null, 'warn'],
      ['q3', null, 'flag'],
      ['q4', null, 'flag'],
      ['q5', 'c', 'flag'],
      ['q6', null, null],
    ]);
  });

  it('reads quoted fields with commas, quotes and line breaks, numbering rows by their first line', async () => {
    const csv = '\uFEFFword,category,action\r\n"a, b","x ""y""",mask\r\n"multi\r\nline",,warn\r\nlast,,\r\n';
    const result = await parseWordList(utf8(csv), 'csv');
    expect(result.rows).toEqual([
      { line: 2, word: 'a, b', category: 'x "y"', action: 'mask' },
      { line: 3, word: 'multi\r\nline', category: null, action: 'warn' },
      { line: 5, word: 'last', category: null, action: null },
    ]);
    expect(result.totalLines).toBe(5);
  });

  it('detects a Chinese header in any column order and ignores columns it does not know', async () => {
    const csv = '处理方式,备注,敏感词,类别\n拦截,note,赌博,违法\n,,毒品,\n';
    expect((await parseWordList(utf8(csv), 'csv')).rows).toEqual([
      { line: 2, word: '赌博', category: '违法', action: 'block' },
      { line: 3, word: '毒品', category: null, action: null },
    ]);
    for (const header of ['词,分类,动作', 'Word,Category,Action', ' WORD ']) {
      expect((await parseWordList(utf8(`${header}\nx`), 'csv')).rows).toEqual([
        { line: 2, word: 'x', category: null, action: null },
      ]);
    }
  });

  it('reads GBK CSV with a Chinese header', async () => {
    // "敏感词,action" / "foo,block" / "敏感词,flag", with 敏感词 in GBK bytes.
    const bytes = Uint8Array.from([
      ...GBK_MINGANCI,
      ...utf8(',action\r\nfoo,block\r\n'),
      ...GBK_MINGANCI,
      ...utf8(',flag\r\n'),
    ]);
    expect((await parseWordList(bytes, 'csv')).rows).toEqual([
      { line: 2, word: 'foo', category: null, action: 'block' },
      { line: 3, word: '敏感词', category: null, action: 'flag' },
    ]);
  });

  it('reports every row error code, several per row when a row has several problems', async () => {
    const csv = [
      'word,category,action', // 1
      ',spam,block', // 2 WORD_EMPTY
      `${'w'.repeat(65)},,bogus`, // 3 WORD_TOO_LONG + ACTION_UNKNOWN
      `ok,${'c'.repeat(41)},屏蔽`, // 4 CATEGORY_TOO_LONG + ACTION_UNKNOWN
      'dup,,block', // 5 accepted
      'DUP,,mask', // 6 DUPLICATE_IN_FILE
      'wide,c,block,extra', // 7 ROW_MALFORMED
      '"open"x,c', // 8 accepted as typed: text after a closing quote keeps the quotes (csv-parse relax_quotes)
      'fine,c,block,,', // 9 empty trailing cells are fine
      '"never closed,c', // 10 ROW_MALFORMED
    ].join('\n');
    const result = await parseWordList(utf8(csv), 'csv');
    expect(errorSummary(result)).toEqual([
      [2, 'WORD_EMPTY'],
      [3, 'WORD_TOO_LONG'],
      [3, 'ACTION_UNKNOWN'],
      [4, 'CATEGORY_TOO_LONG'],
      [4, 'ACTION_UNKNOWN'],
      [6, 'DUPLICATE_IN_FILE'],
      [7, 'ROW_MALFORMED'],
      [10, 'ROW_MALFORMED'],
    ]);
    expect(result.rows.map((r) => [r.line, r.word])).toEqual([
      [5, 'dup'],
      [8, '"open"x'],
      [9, 'fine'],
    ]);
    expect(result.errors.find((e) => e.line === 4 && e.code === 'ACTION_UNKNOWN')!.message).toBe(
      'Unknown action "屏蔽": use block, mask, warn, flag, 拦截, 替换, 打码, 提醒, 警告, 标记, 记录.',
    );
    expect(result.errors.find((e) => e.line === 6)!.message).toBe('"DUP" is already on line 5.');
    expect(result.errors.find((e) => e.line === 7)).toMatchObject({
      message: 'The row has 4 columns; the header has 3.',
      raw: 'wide,c,block,extra',
    });
    expect(result.errors.find((e) => e.line === 10)).toMatchObject({
      message: 'The row cannot be read: a quoted field is not closed.',
      raw: '"never closed,c',
    });
  });

  it('reads mixed line breaks and quotes inside unquoted fields; an unclosed quote takes the rest of the file', async () => {
    const result = await parseWordList(utf8('a\r\nb\nc\r5" screen,x\r\n"multi\rline"\n"open,x\nlost\n'), 'csv');
    expect(result.rows.map((r) => [r.line, r.word, r.category])).toEqual([
      [1, 'a', null],
      [2, 'b', null],
      [3, 'c', null],
      [4, '5" screen', 'x'],
      [5, 'multi\rline', null],
    ]);
    expect(result.errors).toEqual([
      {
        line: 7,
        code: 'ROW_MALFORMED',
        message: 'The row cannot be read: a quoted field is not closed.',
        raw: '"open,x\nlost',
      },
    ]);
    expect(result.totalLines).toBe(8);
  });

  it('limits headerless rows to three columns', async () => {
    expect((await parseWordList(utf8('a,b,c,d'), 'csv')).errors).toEqual([
      {
        line: 1,
        code: 'ROW_MALFORMED',
        message: 'The row has 4 columns; expected at most 3 (word, category, action).',
        raw: 'a,b,c,d',
      },
    ]);
  });

  it('names the first accepted line in a duplicate: a refused row does not claim its word', async () => {
    const result = await parseWordList(utf8('foo,,bogus\nfoo\nFOO'), 'csv');
    expect(result.rows.map((r) => r.line)).toEqual([2]);
    expect(result.errors.map((e) => [e.line, e.code, e.message])).toEqual([
      [1, 'ACTION_UNKNOWN', expect.stringContaining('bogus')],
      [3, 'DUPLICATE_IN_FILE', '"FOO" is already on line 2.'],
    ]);
  });

  it('round-trips its own export, formula guard included', async () => {
    const rows: WordListExportRow[] = [
      { word: '=HYPERLINK("http://x")', category: '-风险', action: 'block' },
      { word: '@mention', category: '', action: 'flag' },
      { word: "'quoted'", category: '+1', action: 'warn' },
      { word: '中文, 逗号', category: '分类', action: 'mask' },
    ];
    const result = await parseWordList(utf8(exportWordListCsv(rows)), 'csv');
    expect(result.errors).toEqual([]);
    expect(result.rows).toEqual(
      rows.map((r, i) => ({ line: i + 2, word: r.word, category: r.category || null, action: r.action })),
    );
  });
});

describe('parseWordList: XLSX', () => {
  it('applies the same header and row rules, with spreadsheet row numbers across empty rows', async () => {
    const result = await parseWordList(
      await workbook({
        1: ['分类', '敏感词', '动作'],
        3: ['违法', '赌博', '拦截'],
        4: ['', '', ''],
        6: ['spam', '', 'block'],
        7: ['x', '赌博', ''],
        9: ['a', 'b', 'c', 'd'],
        12: ['', 'ok', 'FLAG'],
      }),
      'xlsx',
    );
    expect(result.rows).toEqual([
      { line: 3, word: '赌博', category: '违法', action: 'block' },
      { line: 12, word: 'ok', category: null, action: 'flag' },
    ]);
    expect(errorSummary(result)).toEqual([
      [6, 'WORD_EMPTY'],
      [7, 'DUPLICATE_IN_FILE'],
      [9, 'ROW_MALFORMED'],
    ]);
    expect(result.errors[1]!.message).toBe('"赌博" is already on line 3.');
    expect(result.errors[2]!.raw).toBe('a,b,c,d');
    expect(result.totalLines).toBe(12);
  });

  it('reads cells as text: shared strings, rich text, numbers, booleans, formula results; only the first sheet', async () => {
    const book = new ExcelJS.Workbook();
    const first = book.addWorksheet('词表');
    first.addRow(['敏感词', '分类', '动作']);
    first.addRow(['赌博', '违法', '拦截']);
    first.addRow([]);
    first.addRow([12345, null, 'warn']);
    first.addRow([{ richText: [{ text: '富', font: { bold: true } }, { text: '文本' }] }, true, 'flag']);
    first.addRow([{ formula: 'CONCAT("a","b")', result: 'ab' }, '赌博', 'block']);
    book.addWorksheet('second').addRow(['not read']);
    const result = await parseWordList(new Uint8Array(await book.xlsx.writeBuffer()), 'xlsx');
    expect(result.rows).toEqual([
      { line: 2, word: '赌博', category: '违法', action: 'block' },
      { line: 4, word: '12345', category: null, action: 'warn' },
      { line: 5, word: '富文本', category: 'true', action: 'flag' },
      { line: 6, word: 'ab', category: '赌博', action: 'block' },
    ]);
    expect(result.totalLines).toBe(6);
  });

  it('reads a headerless sheet as word, category, action', async () => {
    expect((await parseWordList(await workbook({ 2: ['赌博', '违法', 'warn'] }), 'xlsx')).rows).toEqual([
      { line: 2, word: '赌博', category: '违法', action: 'warn' },
    ]);
  });
});

describe('parseWordList: file errors', () => {
  it('refuses files over 5 MiB before reading them', async () => {
    const big = new Uint8Array(5 * 1024 * 1024 + 1).fill(0x61);
    for (const format of ['txt', 'csv', 'xlsx'] as const)
      expect((await fileError(big, format)).code).toBe('WORD_LIST_TOO_LARGE');
  });

  it('accepts 50,000 data rows and refuses 50,001 (header, comments and blank lines do not count)', async () => {
    const words = Array.from({ length: 50_000 }, (_v, i) => `w${i}`);
    expect((await parseWordList(utf8(`# list\n\n${words.join('\n')}`), 'txt')).rows).toHaveLength(50_000);
    expect((await parseWordList(utf8(`word\n${words.join('\n')}`), 'csv')).rows).toHaveLength(50_000);
    expect((await fileError(utf8(`${words.join('\n')}\nextra`), 'txt')).code).toBe('WORD_LIST_TOO_LARGE');
    expect((await fileError(utf8(`word\n${words.join('\n')}\nextra`), 'csv')).message).toBe(
      'The word list is too large: 50001 rows, at most 50000 are accepted.',
    );
  });

  it('refuses files without words', async () => {
    for (const [text, format] of [
      ['', 'txt'],
      ['# only a comment\n\n   \n', 'txt'],
      ['\uFEFF', 'csv'],
      ['word,category,action\r\n', 'csv'],
      [',,\n , \n', 'csv'],
    ] as const) {
      expect((await fileError(utf8(text), format)).code).toBe('WORD_LIST_EMPTY');
    }
    expect((await fileError(await workbook({}), 'xlsx')).code).toBe('WORD_LIST_EMPTY');
    expect((await fileError(await workbook({ 1: ['敏感词'] }), 'xlsx')).code).toBe('WORD_LIST_EMPTY');
  });

  it('refuses more than 50,000 XLSX data rows', async () => {
    const book = new ExcelJS.Workbook();
    const sheet = book.addWorksheet('s');
    sheet.addRows(Array.from({ length: 50_001 }, (_v, i) => [`w${i}`]));
    const bytes = new Uint8Array(await book.xlsx.writeBuffer());
    expect((await fileError(bytes, 'xlsx')).message).toBe(
      'The word list is too large: 50001 rows, at most 50000 are accepted.',
    );
    sheet.addRow(['one more']);
    expect((await fileError(new Uint8Array(await book.xlsx.writeBuffer()), 'xlsx')).code).toBe('WORD_LIST_TOO_LARGE');
  });

  it('refuses zip bombs before ExcelJS inflates them: a huge declared size, or an entry larger than declared', async () => {
    const good = Buffer.from(await workbook({ 1: ['word'], 2: ['赌博'] }));
    expect((await parseWordList(good, 'xlsx')).rows).toHaveLength(1);

    const declaredHuge = Buffer.from(good);
    for (const at of centralEntries(declaredHuge)) declaredHuge.writeUInt32LE(0x7ffffff0, at + 24);
    expect(await fileError(declaredHuge, 'xlsx')).toMatchObject({
      code: 'WORD_LIST_TOO_LARGE',
      message: expect.stringMatching(/^The word list is too large: it unpacks to \d+ bytes\.$/) as string,
    });

    const understated = Buffer.from(good);
    const sheet = centralEntries(understated).find((at) => entryName(understated, at) === 'xl/worksheets/sheet1.xml')!;
    understated.writeUInt32LE(10, sheet + 24);
    expect((await fileError(understated, 'xlsx')).message).toBe(
      'The word list is too large: a zip entry unpacks to more than its declared size.',
    );
  });

  it('refuses a corrupt XLSX and one without a worksheet', async () => {
    const corrupt = Buffer.from(await workbook({ 1: ['word'] }));
    const sheet = centralEntries(corrupt).find((at) => entryName(corrupt, at) === 'xl/worksheets/sheet1.xml')!;
    const local = corrupt.readUInt32LE(sheet + 42);
    const data = local + 30 + corrupt.readUInt16LE(local + 26) + corrupt.readUInt16LE(local + 28);
    corrupt.fill(0xff, data, data + 8);
    expect((await fileError(corrupt, 'xlsx')).message).toBe('The XLSX file cannot be read: a zip entry is corrupt.');
    const noSheet = new Uint8Array(await new ExcelJS.Workbook().xlsx.writeBuffer());
    expect((await fileError(noSheet, 'xlsx')).code).toBe('WORD_LIST_XLSX_INVALID');
  });

  it('refuses text that is not UTF-8 or GB18030, and an XLSX that is not a zip', async () => {
    expect((await fileError(Uint8Array.from([0x61, 0xff, 0xfe, 0xfd]), 'csv')).code).toBe('WORD_LIST_ENCODING');
    expect((await fileError(Uint8Array.from([0x61, 0xff, 0xfe, 0xfd]), 'txt')).code).toBe('WORD_LIST_ENCODING');
    expect((await fileError(utf8('word\nfoo'), 'xlsx')).message).toBe(
      'The XLSX file cannot be read: not an XLSX (zip) file.',
    );
    expect((await fileError(utf8('PK\u0003\u0004 not really a zip'), 'xlsx')).code).toBe('WORD_LIST_XLSX_INVALID');
  });
});
