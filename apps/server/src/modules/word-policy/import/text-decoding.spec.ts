import { decodeText, splitLines } from './text-decoding.js';
import { WordListFileError } from './word-list.errors.js';

const bytes = (...b: number[]): Uint8Array => Uint8Array.from(b);

function encodingError(input: Uint8Array): string | undefined {
  try {
    decodeText(input);
    return undefined;
  } catch (err) {
    return (err as WordListFileError).code;
  }
}

describe('decodeText', () => {
  it('reads UTF-8 and drops a BOM', () => {
    expect(decodeText(new TextEncoder().encode('\uFEFF敏感词\n'))).toBe('敏感词\n');
    expect(decodeText(new TextEncoder().encode('plain'))).toBe('plain');
  });

  it('falls back to GB18030 for GBK files saved by Chinese Windows', () => {
    // 敏感词 in GBK, then a line break and ASCII.
    expect(decodeText(bytes(0xc3, 0xf4, 0xb8, 0xd0, 0xb4, 0xca, 0x0d, 0x0a, 0x61))).toBe('敏感词\r\na');
  });

  it('reads UTF-16 when it starts with a BOM', () => {
    expect(decodeText(bytes(0xff, 0xfe, 0x4f, 0x65, 0x0a, 0x00))).toBe('敏\n');
    expect(decodeText(bytes(0xfe, 0xff, 0x65, 0x4f))).toBe('敏');
  });

  it('refuses bytes that are neither UTF-8 nor GB18030, and text holding NUL (UTF-16 without BOM)', () => {
    expect(encodingError(bytes(0x61, 0xff, 0xff, 0x62))).toBe('WORD_LIST_ENCODING');
    expect(encodingError(bytes(0x81))).toBe('WORD_LIST_ENCODING');
    expect(encodingError(bytes(0x61, 0x00, 0x62, 0x00))).toBe('WORD_LIST_ENCODING');
  });
});

describe('splitLines', () => {
  it('splits at CRLF, LF and CR; a final line break does not add a line', () => {
    expect(splitLines('a\r\nb\nc\rd')).toEqual(['a', 'b', 'c', 'd']);
    expect(splitLines('a\n')).toEqual(['a']);
    expect(splitLines('a\n\n')).toEqual(['a', '']);
    expect(splitLines('')).toEqual(['']);
  });
});
