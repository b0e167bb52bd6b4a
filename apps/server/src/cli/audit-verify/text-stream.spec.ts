import { csvRecords, lines, TextFormatError, utf8Chunks } from './text-stream.js';

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function* chunked(text: string, size: number): AsyncGenerator<string> {
  for (let i = 0; i < text.length; i += size) yield text.slice(i, i + size);
}

describe('audit-verify text streams', () => {
  const csv = 'a,b,c\r\n"x,1","say ""hi""\r\nthere",\r\n\'=1,,"{""k"":""v""}"\r\n';
  const expected = [
    ['a', 'b', 'c'],
    ['x,1', 'say "hi"\r\nthere', ''],
    ["'=1", '', '{"k":"v"}'],
  ];

  it('parses RFC 4180 records whatever the chunk boundaries', async () => {
    for (let size = 1; size <= csv.length; size++) {
      expect(await collect(csvRecords(chunked(csv, size)))).toEqual(expected);
    }
    expect(await collect(csvRecords(chunked('a,b\nc,"d"', 3)))).toEqual([
      ['a', 'b'],
      ['c', 'd'],
    ]);
  });

  it('refuses malformed CSV', async () => {
    await expect(collect(csvRecords(chunked('a,"b', 2)))).rejects.toThrow(TextFormatError);
    await expect(collect(csvRecords(chunked('a,b"c\r\n', 2)))).rejects.toThrow(/quote inside/);
    await expect(collect(csvRecords(chunked('"a"b\r\n', 2)))).rejects.toThrow(/after a quoted field/);
  });

  it('splits lines and decodes strict UTF-8 across chunks', async () => {
    const bytes = Buffer.from('\uFEFF一\r\n二\n\n三', 'utf8');
    const parts = async function* () {
      for (const b of bytes) yield Uint8Array.of(b);
    };
    expect(await collect(lines(utf8Chunks(parts())))).toEqual([
      { n: 1, line: '一' },
      { n: 2, line: '二' },
      { n: 3, line: '' },
      { n: 4, line: '三' },
    ]);
    const bad = async function* () {
      yield Uint8Array.of(0x61, 0xff);
    };
    await expect(collect(utf8Chunks(bad()))).rejects.toThrow(/not valid UTF-8/);
  });
});
