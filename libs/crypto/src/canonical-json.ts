import { CryptoError, fail } from './errors.js';

/**
 * Canonical JSON for hashing and signing structured records (e.g. audit-log entries): a subset of the JSON
 * Canonicalization Scheme (RFC 8785) in which the only numbers are safe integers, so that the RFC's
 * floating-point serialisation never comes into play and every conforming JCS implementation produces the
 * same text. Needs no libsodium (no `ready()`).
 */

/** Unpaired UTF-16 surrogates, which RFC 8785 (via I-JSON, RFC 7493) does not allow. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function isPlainObject(value: object): value is Record<string, unknown> {
  if (Object.prototype.toString.call(value) !== '[object Object]') return false;
  const proto: unknown = Object.getPrototypeOf(value);
  // `{}` or `Object.create(null)`, from this realm or another (an iframe, a vm context): no class instances.
  return proto === null || Object.getPrototypeOf(proto) === null;
}

function writeString(text: string, out: string[]): void {
  if (LONE_SURROGATE.test(text)) fail('MALFORMED', 'canonical JSON: string with an unpaired surrogate');
  out.push(JSON.stringify(text));
}

function write(value: unknown, out: string[], path: Set<object>): void {
  switch (typeof value) {
    case 'string':
      writeString(value, out);
      return;
    case 'boolean':
      out.push(value ? 'true' : 'false');
      return;
    case 'number':
      if (!Number.isSafeInteger(value)) fail('MALFORMED', 'canonical JSON: numbers must be safe integers');
      out.push(JSON.stringify(value)); // -0 → "0", as RFC 8785 requires
      return;
    case 'object':
      break;
    default:
      // undefined (outside an object), bigint, symbol, function
      fail('MALFORMED', `canonical JSON: ${typeof value} is not a JSON value`);
  }
  if (value === null) {
    out.push('null');
    return;
  }
  if (path.has(value)) fail('MALFORMED', 'canonical JSON: circular structure');
  path.add(value);
  if (Array.isArray(value)) {
    out.push('[');
    for (let i = 0; i < value.length; i += 1) {
      if (i > 0) out.push(',');
      const item: unknown = value[i];
      if (item === undefined) fail('MALFORMED', 'canonical JSON: undefined (or a hole) in an array');
      write(item, out, path);
    }
    out.push(']');
  } else if (isPlainObject(value)) {
    // Array.prototype.sort without a comparator orders strings by UTF-16 code units, as RFC 8785 §3.2.3 requires.
    const keys = Object.keys(value).sort();
    out.push('{');
    let first = true;
    for (const key of keys) {
      const item = value[key];
      if (item === undefined) continue;
      if (!first) out.push(',');
      first = false;
      writeString(key, out);
      out.push(':');
      write(item, out, path);
    }
    out.push('}');
  } else {
    fail('MALFORMED', 'canonical JSON: only plain objects and arrays are allowed');
  }
  path.delete(value);
}

/**
 * Serialises `value` as canonical JSON (an RFC 8785 subset): object keys sorted by UTF-16 code units, no
 * whitespace, strings escaped exactly as `JSON.stringify` does, arrays in order, `null`, `true`, `false`.
 *
 * Stricter than `JSON.stringify`, so that two different inputs never quietly serialise alike:
 * - numbers must be safe integers (|n| ≤ 2^53 − 1; `-0` is written `0`): fractions, NaN, ±Infinity and larger
 *   integers are refused;
 * - strings (values and keys) must be well-formed UTF-16 (no unpaired surrogates);
 * - objects must be plain (`{}` or `Object.create(null)`): class instances, Dates, Maps, typed arrays… are
 *   refused rather than reduced through `toJSON` or to `{}`; only own enumerable string keys are serialised;
 * - a property whose value is `undefined` is omitted (as in JSON), but `undefined` or a hole inside an array,
 *   or as the whole value, is refused; bigint, symbol and function values are refused anywhere;
 * - circular structures are refused.
 *
 * @throws CryptoError `MALFORMED` for any input outside that subset.
 */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  try {
    write(value, out, new Set());
  } catch (error) {
    if (error instanceof CryptoError) throw error;
    // A throwing getter or proxy trap, or a structure nested deeper than the call stack.
    throw new CryptoError('MALFORMED', 'canonical JSON: value cannot be serialised');
  }
  return out.join('');
}
