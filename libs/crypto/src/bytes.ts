import { CryptoError, fail } from './errors.js';
import { lib } from './sodium.js';

/** Byte helpers shared by every encoder and decoder. All integers are big-endian. */

export function concatBytes(...parts: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Constant-time equality for equal lengths; different lengths compare unequal. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i += 1) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

export function u32be(value: number): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) fail('INVALID_ARGUMENT', 'u32 out of range');
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value, false);
  return out;
}

export function utf8Encode(text: string): Uint8Array {
  return lib().from_string(text);
}

/** Strict UTF-8 decoding: invalid sequences are `MALFORMED`, never replacement characters. */
export function utf8Decode(bytes: Uint8Array): string {
  try {
    return lib().to_string(bytes);
  } catch {
    throw new CryptoError('MALFORMED', 'invalid UTF-8');
  }
}

export function toHex(bytes: Uint8Array): string {
  return lib().to_hex(bytes);
}

export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-f]*$/.test(hex)) fail('MALFORMED', 'invalid hex');
  return lib().from_hex(hex);
}

const B64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < B64_ALPHABET.length; i += 1) B64_INDEX[B64_ALPHABET.charCodeAt(i)] = i;

/**
 * base64url without padding (RFC 4648 §5), the JSON form of every binary field. Implemented here rather than
 * through libsodium so that structural validation (e.g. the server's `parseEnvelope`) needs no WebAssembly.
 */
export function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number);
    out +=
      B64_ALPHABET[n >>> 18]! + B64_ALPHABET[(n >>> 12) & 63]! + B64_ALPHABET[(n >>> 6) & 63]! + B64_ALPHABET[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = (bytes[i] as number) << 16;
    out += B64_ALPHABET[n >>> 18]! + B64_ALPHABET[(n >>> 12) & 63]!;
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8);
    out += B64_ALPHABET[n >>> 18]! + B64_ALPHABET[(n >>> 12) & 63]! + B64_ALPHABET[(n >>> 6) & 63]!;
  }
  return out;
}

/** Strict and canonical: rejects padding, whitespace, other alphabets and non-zero trailing bits. */
export function fromBase64Url(text: string, what = 'base64url field'): Uint8Array {
  if (typeof text !== 'string' || text.length % 4 === 1) fail('MALFORMED', `${what}: not base64url`);
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let acc = 0;
  let bits = 0;
  let o = 0;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    const v = code < 128 ? (B64_INDEX[code] as number) : -1;
    if (v < 0) fail('MALFORMED', `${what}: not base64url`);
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >>> bits) & 0xff;
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) fail('MALFORMED', `${what}: non-canonical base64url`);
  return out;
}

/** Identifiers (user, device, conversation, message ids) are 1–128 printable ASCII bytes. */
export const MAX_ID_LENGTH = 128;
const ID_PATTERN = /^[\x21-\x7e]{1,128}$/;

export function isValidId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}

export function assertId(
  value: unknown,
  what: string,
  code: 'INVALID_ARGUMENT' | 'MALFORMED' = 'INVALID_ARGUMENT',
): string {
  if (!isValidId(value)) fail(code, `${what}: expected 1–128 printable ASCII characters`);
  return value;
}

export function assertLength(bytes: Uint8Array, length: number, what: string): Uint8Array {
  if (!(bytes instanceof Uint8Array) || bytes.length !== length)
    fail('INVALID_ARGUMENT', `${what}: expected ${length} bytes`);
  return bytes;
}

/** Append-only binary writer for the wire formats in docs/protocol.md. */
export class ByteWriter {
  private chunks: Uint8Array[] = [];
  private size = 0;

  bytes(value: Uint8Array): this {
    this.chunks.push(value);
    this.size += value.length;
    return this;
  }

  u8(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xff) fail('INVALID_ARGUMENT', 'u8 out of range');
    return this.bytes(Uint8Array.of(value));
  }

  u16(value: number): this {
    if (!Number.isInteger(value) || value < 0 || value > 0xffff) fail('INVALID_ARGUMENT', 'u16 out of range');
    return this.bytes(Uint8Array.of(value >>> 8, value & 0xff));
  }

  u32(value: number): this {
    return this.bytes(u32be(value));
  }

  /** Unsigned 64-bit integer limited to the JavaScript safe range. */
  u64(value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) fail('INVALID_ARGUMENT', 'u64 out of range');
    const high = Math.floor(value / 0x100000000);
    return this.u32(high).u32(value - high * 0x100000000);
  }

  /** u8 length prefix + ASCII identifier. */
  id(value: string): this {
    assertId(value, 'identifier');
    const out = new Uint8Array(value.length);
    for (let i = 0; i < value.length; i += 1) out[i] = value.charCodeAt(i);
    return this.u8(value.length).bytes(out);
  }

  /** u16 length prefix + bytes. */
  var16(value: Uint8Array): this {
    return this.u16(value.length).bytes(value);
  }

  /** u32 length prefix + bytes. */
  var32(value: Uint8Array): this {
    return this.u32(value.length).bytes(value);
  }

  get length(): number {
    return this.size;
  }

  finish(): Uint8Array {
    return concatBytes(...this.chunks);
  }
}

/** Bounds-checked reader: every overrun is `MALFORMED`, never a RangeError. */
export class ByteReader {
  private offset = 0;

  constructor(
    private readonly data: Uint8Array,
    private readonly what: string,
  ) {
    if (!(data instanceof Uint8Array)) fail('MALFORMED', `${what}: expected bytes`);
  }

  get position(): number {
    return this.offset;
  }

  get remaining(): number {
    return this.data.length - this.offset;
  }

  bytes(length: number): Uint8Array {
    if (length < 0 || this.offset + length > this.data.length) fail('MALFORMED', `${this.what}: truncated`);
    const out = this.data.slice(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  u8(): number {
    return this.bytes(1)[0] as number;
  }

  u16(): number {
    const b = this.bytes(2);
    return ((b[0] as number) << 8) | (b[1] as number);
  }

  u32(): number {
    const b = this.bytes(4);
    return new DataView(b.buffer, b.byteOffset, 4).getUint32(0, false);
  }

  u64(): number {
    const high = this.u32();
    const low = this.u32();
    if (high > 0x1fffff) fail('MALFORMED', `${this.what}: integer beyond 2^53`);
    return high * 0x100000000 + low;
  }

  id(): string {
    const length = this.u8();
    if (length === 0 || length > MAX_ID_LENGTH) fail('MALFORMED', `${this.what}: invalid identifier`);
    const raw = this.bytes(length);
    let value = '';
    for (const byte of raw) {
      if (byte < 0x21 || byte > 0x7e) fail('MALFORMED', `${this.what}: invalid identifier`);
      value += String.fromCharCode(byte);
    }
    return value;
  }

  var16(max = 0xffff): Uint8Array {
    const length = this.u16();
    if (length > max) fail('MALFORMED', `${this.what}: field too long`);
    return this.bytes(length);
  }

  var32(max: number): Uint8Array {
    const length = this.u32();
    if (length > max) fail('MALFORMED', `${this.what}: field too long`);
    return this.bytes(length);
  }

  /** Flags byte whose undefined bits must be zero. */
  flags(allowedMask: number): number {
    const value = this.u8();
    if ((value & ~allowedMask) !== 0) fail('MALFORMED', `${this.what}: unknown flags`);
    return value;
  }

  /** Rejects trailing bytes. */
  end(): void {
    if (this.offset !== this.data.length) fail('MALFORMED', `${this.what}: trailing bytes`);
  }
}
