/** Streaming readers for the verifier: strict UTF-8, JSONL lines and RFC 4180 CSV records, in constant memory. */

/** A line or a record longer than this is refused rather than buffered. */
export const MAX_RECORD_CHARS = 64 * 1024 * 1024;

export class TextFormatError extends Error {}

/** Decodes byte chunks as strict UTF-8 (invalid sequences are errors, a leading BOM is dropped). */
export async function* utf8Chunks(bytes: AsyncIterable<Uint8Array | string>): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  const decode = (chunk?: Uint8Array) => {
    try {
      return chunk ? decoder.decode(chunk, { stream: true }) : decoder.decode();
    } catch {
      throw new TextFormatError('the file is not valid UTF-8');
    }
  };
  for await (const chunk of bytes) {
    const text = typeof chunk === 'string' ? chunk : decode(chunk);
    if (text) yield text;
  }
  const rest = decode();
  if (rest) yield rest;
}

/** Lines split on LF (a CR before it is dropped), with their 1-based numbers; a last line without LF counts too. */
export async function* lines(text: AsyncIterable<string>): AsyncGenerator<{ n: number; line: string }> {
  let buffer = '';
  let n = 0;
  for await (const chunk of text) {
    buffer = buffer ? buffer + chunk : chunk;
    let start = 0;
    for (;;) {
      const nl = buffer.indexOf('\n', start);
      if (nl < 0) break;
      n += 1;
      yield { n, line: stripCr(buffer.slice(start, nl)) };
      start = nl + 1;
    }
    buffer = buffer.slice(start);
    if (buffer.length > MAX_RECORD_CHARS)
      throw new TextFormatError(`line ${n + 1} is longer than ${MAX_RECORD_CHARS} characters`);
  }
  if (buffer) yield { n: n + 1, line: stripCr(buffer) };
}

function stripCr(line: string): string {
  return line.endsWith('\r') ? line.slice(0, -1) : line;
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/** RFC 4180 records (fields unquoted, "" → "), CRLF or LF between records; a bare CR outside quotes is an error. */
export async function* csvRecords(text: AsyncIterable<string>): AsyncGenerator<string[]> {
  let buffer = '';
  let record = 0;
  for await (const chunk of text) {
    buffer = buffer ? buffer + chunk : chunk;
    let pos = 0;
    for (;;) {
      const parsed = parseRecord(buffer, pos, false, record + 1);
      if (!parsed) break;
      record += 1;
      yield parsed.fields;
      pos = parsed.next;
    }
    buffer = buffer.slice(pos);
    if (buffer.length > MAX_RECORD_CHARS)
      throw new TextFormatError(`CSV record ${record + 1} is longer than ${MAX_RECORD_CHARS} characters`);
  }
  let pos = 0;
  while (pos < buffer.length) {
    const parsed = parseRecord(buffer, pos, true, record + 1)!;
    record += 1;
    yield parsed.fields;
    pos = parsed.next;
  }
}

/**
 * One record from `s` at `pos`; null when it may continue past the end of `s` (unless `final`, where the end of `s`
 * ends it).
 */
function parseRecord(s: string, pos: number, final: boolean, n: number): { fields: string[]; next: number } | null {
  const fields: string[] = [];
  let i = pos;
  const bad = (why: string) => new TextFormatError(`CSV record ${n}: ${why}`);
  for (;;) {
    if (s.charCodeAt(i) === QUOTE) {
      let value = '';
      let j = i + 1;
      for (;;) {
        const q = s.indexOf('"', j);
        if (q < 0) {
          if (final) throw bad('unterminated quoted field');
          return null;
        }
        if (q + 1 >= s.length && !final) return null; // "" or the closing quote: the next character decides
        if (s.charCodeAt(q + 1) === QUOTE) {
          value += s.slice(j, q + 1);
          j = q + 2;
          continue;
        }
        value += s.slice(j, q);
        i = q + 1;
        break;
      }
      fields.push(value);
    } else {
      let j = i;
      for (; j < s.length; j++) {
        const c = s.charCodeAt(j);
        if (c === COMMA || c === LF || c === CR) break;
        if (c === QUOTE) throw bad('quote inside an unquoted field');
      }
      if (j >= s.length && !final) return null;
      fields.push(s.slice(i, j));
      i = j;
    }
    // After a field: a comma, the end of the record, or the end of the text.
    if (i >= s.length) {
      if (!final) return null;
      return { fields, next: i };
    }
    const c = s.charCodeAt(i);
    if (c === COMMA) {
      i += 1;
      if (i >= s.length && !final) return null;
      continue;
    }
    if (c === LF) return { fields, next: i + 1 };
    if (c === CR) {
      if (i + 1 >= s.length) {
        if (!final) return null;
        throw bad('CR without LF');
      }
      if (s.charCodeAt(i + 1) === LF) return { fields, next: i + 2 };
      throw bad('CR without LF');
    }
    throw bad('unexpected character after a quoted field');
  }
}
