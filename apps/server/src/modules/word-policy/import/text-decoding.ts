import { WordListFileError } from './word-list.errors.js';

/**
 * Decodes an uploaded text file. UTF-8 first (a BOM is dropped); files that are not valid UTF-8 are tried as
 * GB18030, a superset of the GBK that Chinese Windows Notepad and Excel save by default. UTF-16 is read only when it
 * starts with its BOM (Excel's "Unicode text"). Text holding NUL is refused too: that is UTF-16 without a BOM or a
 * binary file, which would otherwise decode "cleanly" into garbage.
 */
export function decodeText(bytes: Uint8Array): string {
  const text = decodeWith(bytes);
  if (text === null || text.includes('\u0000')) throw WordListFileError.encoding();
  return text;
}

function decodeWith(bytes: Uint8Array): string | null {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return tryDecode('utf-16le', bytes);
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return tryDecode('utf-16be', bytes);
  return tryDecode('utf-8', bytes) ?? tryDecode('gb18030', bytes);
}

function tryDecode(encoding: string, bytes: Uint8Array): string | null {
  try {
    // fatal: a byte sequence that is not valid in the encoding throws instead of becoming U+FFFD.
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

/** Splits text into lines at CRLF, LF or a lone CR; a final line break does not start another line. */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\n|\r/);
  if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}
