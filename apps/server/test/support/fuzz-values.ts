/**
 * A seeded, deterministic generator of malformed input for the fuzz test (test/integration/fuzz.int-spec.ts).
 * Pure: no I/O, no clock, no Math.random — the same seed and case index always give the same bytes, so a failure
 * printed with its seed and index can be replayed.
 *
 * Values are produced as JSON *text* (not objects) where that matters: raw text can carry what JSON.stringify
 * cannot (1e999, -0, nesting deeper than the stack, duplicate keys, `__proto__` as an own key).
 */

/** sfc32 seeded through splitmix32: fast, good enough, and identical on every platform. */
export class FuzzRng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.uint32();
  }

  /** An independent stream for case `index` of `stream` under `seed`: cases can be replayed one by one. */
  static forCase(seed: number, stream: string, index: number): FuzzRng {
    let h = 0x811c9dc5 ^ (seed >>> 0);
    for (const ch of `${stream}#${index}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    return new FuzzRng(h ^ Math.imul(index + 1, 0x9e3779b1));
  }

  uint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1). */
  float(): number {
    return this.uint32() / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return n <= 0 ? 0 : Math.floor(this.float() * n);
  }

  /** Uniform integer in [min, max]. */
  range(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }

  chance(p: number): boolean {
    return this.float() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  /** Picks by weight: `[[weight, value], ...]`. */
  weighted<T>(choices: ReadonlyArray<readonly [number, T]>): T {
    const total = choices.reduce((n, [w]) => n + w, 0);
    let r = this.float() * total;
    for (const [w, v] of choices) {
      r -= w;
      if (r < 0) return v;
    }
    return choices[choices.length - 1]![1];
  }
}

export type JsonSchema = { [key: string]: unknown };

/**
 * Real ids the generator may use, so that well-formed requests reach services and not just validation: by a
 * lower-case fragment of the field or path segment name (`conversation`, `user`, `device`, ...), and `any`.
 */
export interface FuzzIds {
  byName: Record<string, readonly string[]>;
  any: readonly string[];
}

export const NO_IDS: FuzzIds = { byName: {}, any: [] };

// ---------------------------------------------------------------------------------------------------------------
// Primitive generators
// ---------------------------------------------------------------------------------------------------------------

const HEX = '0123456789abcdef';

/** A syntactically valid UUID (version 7 layout) that names nothing. */
export function randomUuid(rng: FuzzRng): string {
  let s = '';
  for (let i = 0; i < 32; i++) {
    const nibble = i === 12 ? 7 : i === 16 ? 8 + rng.int(4) : rng.int(16);
    s += HEX[nibble]!;
    if (i === 7 || i === 11 || i === 15 || i === 19) s += '-';
  }
  return s;
}

/** Strings that break naive code: control characters, lone surrogates, NUL, bidi overrides, odd normal forms. */
export const WEIRD_STRINGS: readonly string[] = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\udfff',
  'x\ud83dy',
  '\ud83d\ude00',
  '\u202e\u0645\u0631\u062d\u0628\u0627',
  '\ufeff',
  '\uffff',
  '\u2028\u2029',
  'e\u0301\u0301\u0301\u0301',
  '\r\n\t\v\f\b',
  '%00',
  '%s%s%n%x',
  '${7*7}{{7*7}}',
  "' OR '1'='1",
  '"; DROP TABLE users; --',
  '\\',
  '\\u0000',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '<script>alert(1)</script>',
  'javascript:alert(1)',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-0',
  'true',
  '[]',
  '{}',
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'toString',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '00000000-0000-0000-0000-000000000000',
  'FFFFFFFF-FFFF-7FFF-BFFF-FFFFFFFFFFFF',
  '0190c6c4-0f3a-7cc0-8a2b-1c1e0e0e0e0e ',
  '密语测试',
  '𠜎𠜱𠝹𠱓',
  '\u0130\u0131\u00df\ufb03',
  'a'.repeat(257),
  'http://169.254.169.254/latest/meta-data/',
  'ldap://127.0.0.1:1/',
  'file:///etc/passwd',
  'sha256=',
  'Bearer ',
  '*',
  '(|(uid=*))',
  'userName eq "x" or 1 eq 1',
];

/** Numbers (and number-like JSON tokens) at every edge; each entry is JSON text. */
export const WEIRD_NUMBER_TEXTS: readonly string[] = [
  '0',
  '-0',
  '-1',
  '1',
  '0.5',
  '-0.5',
  '1.0000000000000002',
  '2147483647',
  '2147483648',
  '-2147483649',
  '4294967296',
  '9007199254740991',
  '9007199254740993',
  '-9007199254740993',
  '18446744073709551616',
  '123456789012345678901234567890',
  '1e308',
  '-1e308',
  '1.7976931348623157e308',
  '1e999',
  '-1e999',
  '5e-324',
  '1e-400',
  '1E+2',
  '0.1e1',
  '"NaN"',
  '"Infinity"',
  '"-Infinity"',
  '"1e308"',
  '"12"',
  '"0x10"',
  '" 1"',
  '""',
];

/** One value of a type other than `expected` (or of any type). Returned as JSON text. */
export function wrongTypeText(rng: FuzzRng, expected?: string): string {
  const all: Array<[string, () => string]> = [
    ['string', () => JSON.stringify(rng.pick(WEIRD_STRINGS))],
    ['number', () => rng.pick(WEIRD_NUMBER_TEXTS.filter((t) => !t.startsWith('"')))],
    ['integer', () => rng.pick(['0.5', '1e308', '-1', '1.5', '9007199254740993'])],
    ['boolean', () => rng.pick(['true', 'false'])],
    ['null', () => 'null'],
    ['array', () => rng.pick(['[]', '[null]', '[1,"a",{}]', '[[[]]]', `[${JSON.stringify(randomUuid(rng))}]`])],
    ['object', () => rng.pick(['{}', '{"a":1}', '{"":null}', '{"__proto__":{"admin":true}}', '{"length":1e308}'])],
  ];
  const choices = all.filter(([t]) => t !== expected && !(expected === 'number' && t === 'integer'));
  return rng.pick(choices)[1]();
}

/** A JSON string token holding `bytes` characters (ASCII, so characters = bytes on the wire). */
export function hugeStringText(rng: FuzzRng, bytes: number): string {
  const unit = rng.pick(['a', 'ab', '0', ' ', '\\u0000', '\\ud800', '密']);
  const width = unit.startsWith('\\u') ? 6 : unit === '密' ? 3 : unit.length;
  return `"${unit.repeat(Math.max(0, Math.floor(bytes / width)))}"`;
}

/** Sizes that matter to the server: around the JSON body limit (256 KiB), the SCIM limit and the socket frame (1 MiB). */
export function hugeSize(rng: FuzzRng): number {
  return rng.pick([
    64 * 1024,
    255 * 1024,
    256 * 1024 - 64,
    256 * 1024 + 1,
    300 * 1024,
    1024 * 1024 - 256,
    1024 * 1024 + 1,
  ]);
}

/** `depth` levels of nesting as JSON text, without recursion (so depth can exceed any stack). */
export function deepNestingText(rng: FuzzRng, depth: number): string {
  const kind = rng.pick(['array', 'object', 'mixed'] as const);
  const open: string[] = [];
  const close: string[] = [];
  for (let i = 0; i < depth; i++) {
    const asArray = kind === 'array' || (kind === 'mixed' && i % 2 === 0);
    open.push(asArray ? '[' : rng.chance(0.1) ? '{"__proto__":' : '{"a":');
    close.push(asArray ? ']' : '}');
  }
  return open.join('') + '1' + close.reverse().join('');
}

export function deepDepth(rng: FuzzRng): number {
  return rng.pick([64, 1000, 5000, 20_000, 100_000]);
}

/** A JSON number token at an edge (see WEIRD_NUMBER_TEXTS). */
export function weirdNumberText(rng: FuzzRng): string {
  return rng.pick(WEIRD_NUMBER_TEXTS);
}

/** A JSON string token with hostile content (lone surrogates and NUL escaped the way JSON allows). */
export function weirdStringText(rng: FuzzRng): string {
  if (rng.chance(0.15)) {
    // Escapes JSON.stringify would never write: a lone surrogate and NUL as \u escapes, mixed with text.
    return rng.pick(['"\\ud800"', '"a\\udc00b"', '"\\u0000"', '"x\\u0000\\ud83d"', '"\\udbff\\udbff"']);
  }
  return JSON.stringify(rng.pick(WEIRD_STRINGS));
}

// ---------------------------------------------------------------------------------------------------------------
// Raw bodies that are not valid UTF-8 or not JSON at all
// ---------------------------------------------------------------------------------------------------------------

const INVALID_UTF8: ReadonlyArray<readonly number[]> = [
  [0xff],
  [0xfe, 0xff],
  [0xc0, 0xaf], // overlong '/'
  [0xe0, 0x80, 0xaf], // overlong
  [0xed, 0xa0, 0x80], // a UTF-16 surrogate encoded in UTF-8
  [0xf4, 0x90, 0x80, 0x80], // above U+10FFFF
  [0x80], // lone continuation byte
  [0xe6, 0xb5], // truncated 3-byte sequence
  [0xf0, 0x9f, 0x98], // truncated 4-byte sequence
  [0xc3, 0x28],
  [0x00],
];

function ascii(text: string): number[] {
  return Array.from(new TextEncoder().encode(text));
}

/** A body sent with `content-type: application/json` that is not valid UTF-8 (inside or outside a string). */
export function invalidUtf8Body(rng: FuzzRng): Uint8Array {
  const bad = rng.pick(INVALID_UTF8);
  const shape = rng.int(5);
  if (shape === 0) return Uint8Array.from(bad);
  if (shape === 1) return Uint8Array.from([...ascii('{"name":"'), ...bad, ...ascii('"}')]);
  if (shape === 2) return Uint8Array.from([0xef, 0xbb, 0xbf, ...ascii('{"a":1}')]); // a BOM
  if (shape === 3) return Uint8Array.from([0xff, 0xfe, ...ascii('{\0"\0a\0"\0:\x001\0}\0')]); // UTF-16LE
  return Uint8Array.from([...ascii('{"'), ...bad, ...ascii('":'), ...bad, ...ascii('}')]);
}

/** Texts that are not JSON, or are JSON only in part. */
export const BROKEN_JSON_TEXTS: readonly string[] = [
  '',
  ' ',
  '{',
  '}',
  '[',
  '{"a":}',
  '{"a" 1}',
  '{a:1}',
  "{'a':1}",
  '{"a":1,}',
  '[1,]',
  '{"a":1}{"b":2}',
  '{"a":1} trailing',
  'NaN',
  'Infinity',
  '-Infinity',
  'undefined',
  '+1',
  '01',
  '.5',
  '0x10',
  '"unterminated',
  '"\\x41"',
  '"\\u12"',
  '/* comment */ {}',
  '\u0000',
  'null',
  'true',
  '1',
  '"string"',
  '{"a":1,"a":2}',
  '{"__proto__":1,"__proto__":2}',
];

// ---------------------------------------------------------------------------------------------------------------
// Valid samples from JSON Schema (the OpenAPI document and z.toJSONSchema of the socket schemas)
// ---------------------------------------------------------------------------------------------------------------

function idFor(name: string, ids: FuzzIds, rng: FuzzRng): string | null {
  const lower = name.toLowerCase();
  for (const [fragment, pool] of Object.entries(ids.byName)) {
    if (pool.length > 0 && lower.includes(fragment) && rng.chance(0.85)) return rng.pick(pool);
  }
  if (ids.any.length > 0 && rng.chance(0.3)) return rng.pick(ids.any);
  return null;
}

/** A string matching a simple regular expression (classes, groups, alternation, quantifiers), or null. */
export function sampleFromPattern(pattern: string, rng: FuzzRng, maxRepeat = 8): string | null {
  let pos = 0;
  const src = pattern;
  const fail = (): never => {
    throw new Error('unsupported pattern');
  };
  const classChars = (negated: boolean, members: string[]): string[] => {
    if (!negated) return members;
    const printable = Array.from({ length: 94 }, (_, i) => String.fromCharCode(33 + i));
    const excluded = new Set(members);
    return printable.filter((c) => !excluded.has(c));
  };
  const escape = (ch: string): string[] => {
    if (ch === 'd') return '0123456789'.split('');
    if (ch === 'w') return 'abcXYZ019_'.split('');
    if (ch === 's') return [' '];
    if (ch === 'S' || ch === 'W' || ch === 'D') return ['x'];
    if (ch === 'n') return ['\n'];
    if (ch === 't') return ['\t'];
    return [ch];
  };
  const parseClass = (): string[] => {
    pos++; // [
    let negated = false;
    if (src[pos] === '^') {
      negated = true;
      pos++;
    }
    const members: string[] = [];
    while (pos < src.length && src[pos] !== ']') {
      let ch = src[pos++]!;
      if (ch === '\\') {
        members.push(...escape(src[pos++] ?? fail()));
        continue;
      }
      if (src[pos] === '-' && src[pos + 1] !== undefined && src[pos + 1] !== ']') {
        pos++;
        let end = src[pos++]!;
        if (end === '\\') end = src[pos++] ?? fail();
        for (let c = ch.charCodeAt(0); c <= end.charCodeAt(0) && members.length < 400; c++)
          members.push(String.fromCharCode(c));
        continue;
      }
      if (ch === '\\') ch = src[pos++] ?? fail();
      members.push(ch);
    }
    if (src[pos] !== ']') fail();
    pos++;
    const chars = classChars(negated, members);
    return chars.length > 0 ? chars : fail();
  };
  type Node = () => string;
  const parseAlternation = (): Node => {
    const branches: Node[][] = [[]];
    while (pos < src.length && src[pos] !== ')') {
      if (src[pos] === '|') {
        pos++;
        branches.push([]);
        continue;
      }
      let atom: Node;
      const ch = src[pos]!;
      if (ch === '^' || ch === '$') {
        pos++;
        continue;
      } else if (ch === '(') {
        pos++;
        if (src.startsWith('?:', pos)) pos += 2;
        else if (src[pos] === '?') fail();
        const inner = parseAlternation();
        if (src[pos] !== ')') fail();
        pos++;
        atom = inner;
      } else if (ch === '[') {
        const chars = parseClass();
        atom = () => rng.pick(chars);
      } else if (ch === '\\') {
        const chars = escape(src[pos + 1] ?? fail());
        pos += 2;
        atom = () => rng.pick(chars);
      } else if (ch === '.') {
        pos++;
        atom = () => 'x';
      } else if ('*+?{'.includes(ch)) {
        return fail();
      } else {
        pos++;
        atom = () => ch;
      }
      let min = 1;
      let max = 1;
      const q = src[pos];
      if (q === '*' || q === '+' || q === '?') {
        pos++;
        min = q === '+' ? 1 : 0;
        max = q === '?' ? 1 : maxRepeat;
      } else if (q === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(src.slice(pos));
        if (!m) fail();
        pos += m![0].length;
        min = Number(m![1]);
        max = m![2] === undefined ? min : m![3] ? Number(m![3]) : min + maxRepeat;
      }
      if (src[pos] === '?') pos++; // lazy
      const lo = min;
      const hi = Math.min(max, Math.max(min, maxRepeat * 4));
      const base = atom;
      branches[branches.length - 1]!.push(() => {
        let s = '';
        for (let i = rng.range(lo, hi); i > 0; i--) s += base();
        return s;
      });
    }
    return () =>
      rng
        .pick(branches)
        .map((n) => n())
        .join('');
  };
  try {
    const node = parseAlternation();
    if (pos !== src.length) return null;
    return node();
  } catch {
    return null;
  }
}

function sampleString(schema: JsonSchema, name: string, rng: FuzzRng, ids: FuzzIds): string {
  const format = schema.format as string | undefined;
  if (format === 'uuid') return idFor(name, ids, rng) ?? randomUuid(rng);
  if (format === 'date-time') return new Date(Date.UTC(2026, rng.int(12), 1 + rng.int(28), rng.int(24))).toISOString();
  if (format === 'date') return `2026-0${1 + rng.int(9)}-1${rng.int(10)}`;
  if (format === 'email') return `user${rng.int(1000)}@example.com`;
  if (format === 'uri' || format === 'url') return `https://example.com/${rng.int(1000)}`;
  const pattern = schema.pattern as string | undefined;
  if (pattern) {
    const sampled = sampleFromPattern(pattern, rng);
    if (sampled !== null) return sampled;
  }
  if (/id$/i.test(name)) {
    const id = idFor(name, ids, rng);
    if (id) return id;
  }
  const min = (schema.minLength as number | undefined) ?? 0;
  const max = Math.min((schema.maxLength as number | undefined) ?? min + 12, min + 24);
  const len = rng.range(min, Math.max(min, max));
  let s = `${name.replace(/[^A-Za-z]/g, '').slice(0, 6) || 'v'}${rng.int(100000)}`;
  while (s.length < len) s += 'x';
  return s.slice(0, Math.max(len, min));
}

function sampleNumber(schema: JsonSchema, rng: FuzzRng): number {
  const integer = schema.type === 'integer';
  const min = (schema.minimum as number | undefined) ?? (schema.exclusiveMinimum as number | undefined) ?? 0;
  const max = (schema.maximum as number | undefined) ?? (schema.exclusiveMaximum as number | undefined) ?? min + 100;
  const lo = Math.max(min, -1e6);
  const hi = Math.min(max, lo + 1000);
  const v = lo + rng.float() * (hi - lo);
  return integer ? Math.min(Math.max(Math.ceil(v), Math.ceil(min)), Math.floor(max)) : v;
}

/**
 * A value that satisfies `schema` as far as a small sampler can (types, required properties, enums, consts,
 * formats, simple patterns, bounds). Used as the starting point for mutations and as the "valid" case.
 */
export function sampleFromSchema(schema: unknown, rng: FuzzRng, ids: FuzzIds = NO_IDS, name = '', depth = 0): unknown {
  if (typeof schema !== 'object' || schema === null || depth > 10) return null;
  const s = schema as JsonSchema;
  if ('const' in s) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0) return rng.pick(s.enum);
  const variants = (s.oneOf ?? s.anyOf) as unknown[] | undefined;
  if (Array.isArray(variants) && variants.length > 0) {
    const nonNull = variants.filter((v) => (v as JsonSchema | null)?.type !== 'null');
    return sampleFromSchema(
      rng.pick(nonNull.length > 0 && rng.chance(0.9) ? nonNull : variants),
      rng,
      ids,
      name,
      depth,
    );
  }
  if (Array.isArray(s.allOf) && s.allOf.length > 0) return sampleFromSchema(s.allOf[0], rng, ids, name, depth);
  let type = s.type as string | string[] | undefined;
  if (Array.isArray(type)) type = rng.pick(type);
  if (type === undefined) type = s.properties ? 'object' : s.items || s.prefixItems ? 'array' : undefined;
  switch (type) {
    case 'string':
      return sampleString(s, name, rng, ids);
    case 'number':
    case 'integer':
      return sampleNumber(s, rng);
    case 'boolean':
      return rng.chance(0.5);
    case 'null':
      return null;
    case 'array': {
      if (Array.isArray(s.prefixItems))
        return s.prefixItems.map((item) => sampleFromSchema(item, rng, ids, name, depth + 1));
      const min = (s.minItems as number | undefined) ?? 0;
      const max = Math.min((s.maxItems as number | undefined) ?? min + 3, min + 3);
      const n = rng.range(min, Math.max(min, max));
      const singular = name.replace(/s$/, '');
      return Array.from({ length: n }, () => sampleFromSchema(s.items ?? {}, rng, ids, singular, depth + 1));
    }
    case 'object': {
      const out: Record<string, unknown> = {};
      const properties = (s.properties ?? {}) as Record<string, unknown>;
      const required = new Set((s.required as string[] | undefined) ?? []);
      for (const [key, prop] of Object.entries(properties)) {
        if (required.has(key) || rng.chance(0.6)) out[key] = sampleFromSchema(prop, rng, ids, key, depth + 1);
      }
      const extra = s.additionalProperties;
      if (Object.keys(properties).length === 0 && typeof extra === 'object' && extra !== null && rng.chance(0.7)) {
        for (let i = rng.int(3); i > 0; i--)
          out[`k${rng.int(1000)}`] = sampleFromSchema(extra, rng, ids, name, depth + 1);
      }
      return out;
    }
    default:
      return rng.pick<unknown>(['x', 1, true, null]);
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Mutations of a valid value
// ---------------------------------------------------------------------------------------------------------------

type Path = Array<string | number>;

/** Every path into `value` (objects and arrays), the root included, breadth-bounded. */
function pathsOf(value: unknown, limit = 200): Path[] {
  const out: Path[] = [[]];
  const queue: Array<[unknown, Path]> = [[value, []]];
  while (queue.length > 0 && out.length < limit) {
    const [v, p] = queue.shift()!;
    const children: Array<[string | number, unknown]> = Array.isArray(v)
      ? v.map((item, i) => [i, item])
      : v && typeof v === 'object' && !(v instanceof RawJson)
        ? Object.entries(v)
        : [];
    for (const [k, item] of children) {
      out.push([...p, k]);
      queue.push([item, [...p, k]]);
    }
  }
  return out;
}

/** A JSON-text placeholder: the serialiser below splices raw text where a value holds one. */
class RawJson {
  constructor(readonly text: string) {}
}

/** JSON.stringify that keeps RawJson as raw text and `__proto__` own keys as keys. */
export function toJsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (value === undefined) return 'null';
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .map((k) => `${JSON.stringify(k)}:${toJsonText((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) return 'null';
  return JSON.stringify(value);
}

function clone(value: unknown): unknown {
  if (value instanceof RawJson) return value;
  if (Array.isArray(value)) return value.map(clone);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value)) defineOwn(out, k, clone((value as Record<string, unknown>)[k]));
    return out;
  }
  return value;
}

/** Sets an own property, even `__proto__`. */
function defineOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function getAt(root: unknown, path: Path): unknown {
  let v = root;
  for (const k of path) v = (v as Record<string | number, unknown>)[k];
  return v;
}

function setAt(root: unknown, path: Path, value: unknown): unknown {
  if (path.length === 0) return value;
  const parent = getAt(root, path.slice(0, -1)) as Record<string | number, unknown>;
  const key = path[path.length - 1]!;
  if (Array.isArray(parent)) parent[key as number] = value;
  else defineOwn(parent, String(key), value);
  return root;
}

function deleteAt(root: unknown, path: Path): unknown {
  if (path.length === 0) return new RawJson('{}');
  const parent = getAt(root, path.slice(0, -1)) as Record<string | number, unknown>;
  const key = path[path.length - 1]!;
  if (Array.isArray(parent)) parent.splice(key as number, 1);
  else delete parent[key];
  return root;
}

function typeOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

const POLLUTION_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

function pollutionValue(rng: FuzzRng): unknown {
  return rng.pick<unknown>([
    { isAdmin: true, role: 'admin', polluted: 1 },
    { prototype: { polluted: 1 } },
    null,
    'polluted',
    1,
    [],
  ]);
}

/** Adds `__proto__`, `constructor` and `prototype` keys at every object level of `value` (and wraps scalars). */
export function withPollutionKeys(value: unknown, rng: FuzzRng): unknown {
  const v = clone(value);
  const visit = (node: unknown, depth: number) => {
    if (depth > 12) return;
    if (Array.isArray(node)) node.forEach((n) => visit(n, depth + 1));
    else if (node && typeof node === 'object' && !(node instanceof RawJson)) {
      for (const child of Object.values(node)) visit(child, depth + 1);
      for (const key of POLLUTION_KEYS)
        if (rng.chance(0.6)) defineOwn(node as Record<string, unknown>, key, pollutionValue(rng));
    }
  };
  visit(v, 0);
  if (v && typeof v === 'object' && !Array.isArray(v)) return v;
  const wrapper: Record<string, unknown> = {};
  defineOwn(wrapper, '__proto__', pollutionValue(rng));
  defineOwn(wrapper, 'value', v);
  return wrapper;
}

export type Mutation =
  | 'drop-field'
  | 'wrong-type'
  | 'unknown-field'
  | 'weird-string'
  | 'weird-number'
  | 'huge-array'
  | 'null-field'
  | 'duplicate-key';

/** 1–3 mutations of a valid value: drop a field, change a field's type, add unknown fields, edge values. */
export function mutateValid(valid: unknown, rng: FuzzRng): { value: unknown; mutations: Mutation[] } {
  let root = clone(valid);
  const mutations: Mutation[] = [];
  for (let n = rng.range(1, 3); n > 0; n--) {
    const paths = pathsOf(root);
    const nonRoot = paths.filter((p) => p.length > 0);
    const m = rng.pick<Mutation>([
      'drop-field',
      'wrong-type',
      'wrong-type',
      'unknown-field',
      'weird-string',
      'weird-number',
      'huge-array',
      'null-field',
      'duplicate-key',
    ]);
    mutations.push(m);
    const target = nonRoot.length > 0 ? rng.pick(nonRoot) : [];
    const current = getAt(root, target);
    switch (m) {
      case 'drop-field':
        root = deleteAt(root, target);
        break;
      case 'wrong-type':
        root = setAt(root, target, new RawJson(wrongTypeText(rng, typeOf(current))));
        break;
      case 'null-field':
        root = setAt(root, target, rng.chance(0.5) ? null : new RawJson('""'));
        break;
      case 'weird-string':
        root = setAt(root, target, new RawJson(weirdStringText(rng)));
        break;
      case 'weird-number':
        root = setAt(root, target, new RawJson(weirdNumberText(rng)));
        break;
      case 'huge-array': {
        const n = rng.pick([1000, 10_000, 50_000]);
        const item =
          current === null || ['string', 'number', 'boolean'].includes(typeof current) ? toJsonText(current) : '{}';
        root = setAt(
          root,
          target,
          new RawJson(
            `[${Array<string>(n)
              .fill(item.length > 64 ? '1' : item)
              .join(',')}]`,
          ),
        );
        break;
      }
      case 'duplicate-key':
      case 'unknown-field': {
        const objects = paths.filter((p) => typeOf(getAt(root, p)) === 'object');
        if (objects.length === 0) {
          root = setAt(root, target, { unknownField: 1 });
          break;
        }
        const obj = getAt(root, rng.pick(objects)) as Record<string, unknown>;
        const keys = Object.keys(obj);
        if (m === 'duplicate-key' && keys.length > 0) {
          // Serialised as written, so the text holds the same key twice (the later one wins in JSON.parse).
          const key = rng.pick(keys);
          defineOwn(obj, `${key}\u0000dup`, new RawJson(wrongTypeText(rng)));
        } else {
          defineOwn(
            obj,
            rng.pick(['extra', 'isAdmin', 'role', 'id', 'userId', 'deleted', 'a'.repeat(300), '']),
            new RawJson(wrongTypeText(rng)),
          );
        }
        break;
      }
    }
  }
  return { value: root, mutations };
}

/** Serialises like toJsonText, turning the `key\0dup` marker of duplicate-key into a real duplicate key. */
function mutatedText(value: unknown): string {
  return toJsonText(value).replace(/"([^"\\]*)\\u0000dup"/g, '"$1"');
}

// ---------------------------------------------------------------------------------------------------------------
// Whole bodies
// ---------------------------------------------------------------------------------------------------------------

export type BodyKind =
  'valid' | 'mutation' | 'wrong-type' | 'huge' | 'deep' | 'utf8' | 'number' | 'proto' | 'broken-json' | 'content-type';

export interface FuzzBody {
  kind: BodyKind;
  /** What exactly was done, for the failure report. */
  detail: string;
  bytes: Uint8Array;
  contentType: string | null;
}

const encoder = new TextEncoder();

function jsonBody(
  kind: BodyKind,
  detail: string,
  text: string,
  contentType: string | null = 'application/json',
): FuzzBody {
  return { kind, detail, bytes: encoder.encode(text), contentType };
}

/** Replaces one leaf (or the root) of `valid` with raw JSON text. */
function injectRaw(valid: unknown, rng: FuzzRng, raw: string): string {
  const root = clone(valid);
  const leaves = pathsOf(root).filter((p) => p.length > 0);
  if (leaves.length === 0 || rng.chance(0.15)) return raw;
  return toJsonText(setAt(root, rng.pick(leaves), new RawJson(raw)));
}

/**
 * One request body for a route or event whose valid shape is `schema` (may be absent), of the given kind or a
 * randomly chosen one. `valid` overrides the sampled valid value (e.g. a real signed message envelope).
 */
export function generateBody(
  rng: FuzzRng,
  schema: unknown,
  ids: FuzzIds,
  options: { kind?: BodyKind; valid?: unknown; contentTypes?: readonly string[] } = {},
): FuzzBody {
  const kind =
    options.kind ??
    rng.weighted<BodyKind>([
      [10, 'valid'],
      [24, 'mutation'],
      [10, 'wrong-type'],
      [5, 'huge'],
      [6, 'deep'],
      [6, 'utf8'],
      [10, 'number'],
      [10, 'proto'],
      [6, 'broken-json'],
      [5, 'content-type'],
    ]);
  const valid = options.valid !== undefined ? options.valid : sampleFromSchema(schema ?? {}, rng, ids);
  switch (kind) {
    case 'valid':
      return jsonBody(kind, 'valid sample', toJsonText(valid));
    case 'mutation': {
      const { value, mutations } = mutateValid(valid, rng);
      return jsonBody(kind, mutations.join('+'), mutatedText(value));
    }
    case 'wrong-type':
      return jsonBody(kind, 'root', wrongTypeText(rng, typeOf(valid)));
    case 'huge': {
      const size = hugeSize(rng);
      return jsonBody(kind, `${size} B string`, injectRaw(valid, rng, hugeStringText(rng, size)));
    }
    case 'deep': {
      const depth = deepDepth(rng);
      return jsonBody(kind, `depth ${depth}`, injectRaw(valid, rng, deepNestingText(rng, depth)));
    }
    case 'utf8':
      if (rng.chance(0.4)) return jsonBody(kind, 'escaped surrogate/NUL', injectRaw(valid, rng, weirdStringText(rng)));
      return { kind, detail: 'invalid UTF-8 bytes', bytes: invalidUtf8Body(rng), contentType: 'application/json' };
    case 'number':
      return jsonBody(kind, 'edge number', injectRaw(valid, rng, weirdNumberText(rng)));
    case 'proto':
      return jsonBody(kind, 'pollution keys', toJsonText(withPollutionKeys(valid, rng)));
    case 'broken-json':
      return jsonBody(kind, 'not JSON', rng.pick(BROKEN_JSON_TEXTS));
    case 'content-type': {
      const types = [
        null,
        'text/plain',
        'application/x-www-form-urlencoded',
        'multipart/form-data; boundary=x',
        'application/json; charset=utf-16',
        'application/json; charset=koi8-r',
        'application/json; charset=',
        'application/jsonx',
        'application/scim+json',
        'application/offset+octet-stream',
        'text/csv',
        '*/*',
        ';;;',
        ...(options.contentTypes ?? []),
      ];
      const ct = rng.pick(types);
      const text = rng.pick([toJsonText(valid), 'a=1&b[__proto__][x]=1', 'a,b\n1,2\n"\n', '\u0000\u0001']);
      return jsonBody(kind, `content-type ${ct}`, text, ct);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Path parameters and query strings (already percent-encoded: they go into the request line as they are)
// ---------------------------------------------------------------------------------------------------------------

/** A path segment that is not a well-formed id. */
export function malformedPathSegment(rng: FuzzRng): string {
  return rng.pick([
    'x',
    '0',
    '-1',
    '1.5',
    '1e308',
    '9007199254740993',
    '99999999999999999999999999',
    'NaN',
    'Infinity',
    'null',
    'undefined',
    'true',
    '__proto__',
    'constructor',
    'prototype',
    '..',
    '.',
    '%2e%2e',
    '..%2f..%2f..%2fetc%2fpasswd',
    '%2e%2e%5c%2e%2e%5cwin.ini',
    '%00',
    'a%00b',
    '%zz',
    '%',
    '%E0%A4%A',
    '%ED%A0%80',
    '%F0%9F%98%80',
    '%C0%AF',
    '%FF%FE',
    '%20',
    '%0d%0aSet-Cookie:%20x=1',
    "'%20OR%201=1--",
    '%3Cscript%3E',
    'x'.repeat(300),
    'x'.repeat(8000),
    randomUuid(rng).toUpperCase(),
    randomUuid(rng).replace(/-/g, ''),
    `{${randomUuid(rng)}}`,
    `${randomUuid(rng)}%20`,
    `${randomUuid(rng)}x`,
    `${randomUuid(rng)},${randomUuid(rng)}`,
    '00000000-0000-0000-0000-000000000000',
    'ffffffff-ffff-ffff-ffff-ffffffffffff',
    '00000000-0000-0000-0000-00000000000g',
    randomUuid(rng),
  ]);
}

export interface QueryParam {
  name: string;
  schema?: unknown;
  /** Raw values to use most of the time instead of sampling the schema (e.g. SCIM filters). */
  examples?: readonly string[];
}

/** SCIM filters (`?filter=`) valid and hostile: NUL and surrogates inside the literal, operators, long chains. */
export const SCIM_FILTERS: readonly string[] = [
  'userName eq "alice"',
  'externalId eq "x"',
  'emails.value eq "a@example.com"',
  'urn:ietf:params:scim:schemas:core:2.0:User:userName eq "bob"',
  'displayName eq "fuzz group"',
  'userName eq "\\u0000"',
  'userName eq "a\\ud800"',
  'userName eq "\u0000"',
  'userName eq "x" or 1 eq 1',
  'userName eq null',
  'userName eq 1e308',
  'userName eq true',
  'userName co "a"',
  'userName pr',
  'userName eq',
  '(userName eq "a")',
  `${'('.repeat(900)}userName eq "a"${')'.repeat(90)}`,
  Array(60).fill('userName eq "a"').join(' and '),
  'userName eq "' + 'a'.repeat(990) + '"',
  'userName eq "\\"',
  'members[value eq "x"]',
];

/** encodeURIComponent that never throws: a lone surrogate becomes its (invalid) UTF-8 bytes, %ED%A0%80-style. */
export function enc(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const code = s.charCodeAt(i);
    const pair = code >= 0xd800 && code <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00;
    if (pair) {
      out += encodeURIComponent(s.slice(i, i + 2));
      i++;
    } else if (code >= 0xd800 && code <= 0xdfff) {
      out +=
        `%${(0xe0 | (code >> 12)).toString(16)}%${(0x80 | ((code >> 6) & 0x3f)).toString(16)}%${(0x80 | (code & 0x3f)).toString(16)}`.toUpperCase();
    } else {
      out += encodeURIComponent(s[i]!);
    }
  }
  return out;
}

/** A query string (without `?`) for the given parameters: valid, or broken in one of many ways. */
export function generateQuery(
  rng: FuzzRng,
  params: readonly QueryParam[],
  ids: FuzzIds,
  malformed: boolean,
): { text: string; detail: string } {
  const valid = params
    .filter(() => rng.chance(0.6))
    .map((p) => {
      if (p.examples && rng.chance(0.7)) return `${enc(p.name)}=${enc(rng.pick(p.examples))}`;
      const v = sampleFromSchema(p.schema ?? { type: 'string' }, rng, ids, p.name);
      return `${enc(p.name)}=${enc(typeof v === 'string' ? v : JSON.stringify(v))}`;
    });
  if (!malformed) return { text: valid.join('&'), detail: 'valid query' };
  const name = params.length > 0 ? enc(rng.pick(params).name) : 'q';
  const shape = rng.int(14);
  const junk: Array<[string, string]> = [
    [`${name}=${enc(wrongTypeText(rng))}`, 'wrong type'],
    [`${name}=${enc(weirdNumberText(rng).replace(/"/g, ''))}`, 'edge number'],
    [`${name}=1&${name}=2&${name}=x`, 'repeated'],
    [`${name}[]=1&${name}[]=2`, 'array syntax'],
    [`${name}[a][b][c][d][e][f][g]=1`, 'nested object'],
    [`__proto__[polluted]=1&${name}[__proto__][x]=1`, 'pollution'],
    [`constructor[prototype][polluted]=1&prototype=1`, 'pollution'],
    [`${name}=${'a'.repeat(rng.pick([1000, 10_000, 60_000]))}`, 'huge value'],
    [`${name}=%zz&${name}%=1&%=%`, 'bad percent-encoding'],
    [`${name}=%00%ED%A0%80%C0%AF`, 'NUL and invalid UTF-8'],
    [`${name}&${name}=&=${name}&&&`, 'empty parts'],
    [Array.from({ length: 1500 }, (_, i) => `p${i}=${i}`).join('&'), 'many params'],
    [`${name}=${enc(rng.pick(WEIRD_STRINGS))}`, 'weird string'],
    [`${'a['.repeat(200)}${']'.repeat(200)}=1`, 'deep brackets'],
  ];
  const [extra, detail] = junk[shape]!;
  return { text: [...valid, extra].join('&'), detail };
}

/** A non-JSON body for a route that reads raw bytes (CSV, XLSX, upload pieces, plain text). */
export function binaryBody(rng: FuzzRng, contentType: string): FuzzBody {
  const randomBytes = (n: number) => Uint8Array.from({ length: n }, () => rng.int(256));
  const text = (t: string) => encoder.encode(t);
  if (contentType === 'text/csv' || contentType === 'text/plain') {
    const cell = () =>
      rng.pick([...WEIRD_STRINGS.map((w) => `"${w.replace(/"/g, '""')}"`), '"unterminated', '=1+1', '@SUM(A1)']);
    const shape = rng.int(6);
    const detail = ['cells', 'many columns', 'long line', 'BOM + header only', 'bytes', 'many rows'][shape]!;
    if (shape === 0)
      return { kind: 'content-type', detail, bytes: text(`login,name\n${cell()},${cell()}\n`), contentType };
    if (shape === 1) return { kind: 'content-type', detail, bytes: text(Array(5000).fill('a').join(',')), contentType };
    if (shape === 2)
      return { kind: 'content-type', detail, bytes: text('x'.repeat(rng.pick([70_000, 300_000]))), contentType };
    if (shape === 3) return { kind: 'content-type', detail, bytes: text('\ufeffword,category,action\n'), contentType };
    if (shape === 4)
      return { kind: 'content-type', detail, bytes: randomBytes(rng.pick([0, 1, 100, 5000])), contentType };
    return {
      kind: 'content-type',
      detail,
      bytes: text(Array.from({ length: 20_000 }, (_, i) => `w${i},c,block`).join('\n')),
      contentType,
    };
  }
  if (contentType.includes('spreadsheetml')) {
    // A ZIP local-file header followed by junk, an empty file, or random bytes.
    const zip = [0x50, 0x4b, 0x03, 0x04];
    const shape = rng.int(3);
    const bytes =
      shape === 0
        ? Uint8Array.from([...zip, ...randomBytes(rng.pick([10, 500, 5000]))])
        : shape === 1
          ? new Uint8Array(0)
          : randomBytes(300);
    return { kind: 'content-type', detail: ['zip header + junk', 'empty', 'random'][shape]!, bytes, contentType };
  }
  return {
    kind: 'content-type',
    detail: 'random bytes',
    bytes: randomBytes(rng.pick([0, 1, 64, 4096, 70_000])),
    contentType,
  };
}
