import { canonicalJson } from './canonical-json.js';
import { expectCryptoError } from '../test/helpers.js';

describe('canonicalJson', () => {
  it('writes literals, safe integers and strings', () => {
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson(true)).toBe('true');
    expect(canonicalJson(false)).toBe('false');
    expect(canonicalJson(0)).toBe('0');
    expect(canonicalJson(-0)).toBe('0');
    expect(canonicalJson(42)).toBe('42');
    expect(canonicalJson(-7)).toBe('-7');
    expect(canonicalJson(Number.MAX_SAFE_INTEGER)).toBe('9007199254740991');
    expect(canonicalJson(Number.MIN_SAFE_INTEGER)).toBe('-9007199254740991');
    expect(canonicalJson(1e3)).toBe('1000');
    expect(canonicalJson('')).toBe('""');
    expect(canonicalJson('plain')).toBe('"plain"');
  });

  it('escapes strings exactly as JSON.stringify (and RFC 8785) do', () => {
    expect(canonicalJson('"\\/\b\f\n\r\t')).toBe('"\\"\\\\/\\b\\f\\n\\r\\t"');
    expect(canonicalJson('\u0000\u0001\u001f')).toBe('"\\u0000\\u0001\\u001f"');
    // DEL, non-ASCII, line/paragraph separators and astral characters stay literal.
    expect(canonicalJson('\u007f é € \u2028\u2029 😀')).toBe('"\u007f é € \u2028\u2029 😀"');
    let all = '';
    for (let c = 0; c < 0x3000; c += 1) if (c < 0xd800 || c > 0xdfff) all += String.fromCharCode(c);
    expect(canonicalJson(all)).toBe(JSON.stringify(all));
  });

  it('sorts keys by UTF-16 code units (the RFC 8785 §3.2.3 example), at every depth', () => {
    const value = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    expect(canonicalJson(value)).toBe(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
    expect(
      canonicalJson({ b: { z: 1, a: [{ y: 2, x: 1 }] }, a: null, '': true, A: 'upper', aa: 0, '10': 1, '9': 2 }),
    ).toBe('{"":true,"10":1,"9":2,"A":"upper","a":null,"aa":0,"b":{"a":[{"x":1,"y":2}],"z":1}}');
  });

  it('is independent of key insertion order and writes no whitespace', () => {
    const a = { id: 7, actor: { user: 'alice', device: 'd1' }, tags: ['x', 'y'], meta: { ok: true, n: null } };
    const b = { meta: { n: null, ok: true }, tags: ['x', 'y'], actor: { device: 'd1', user: 'alice' }, id: 7 };
    expect(canonicalJson(a)).toBe(canonicalJson(b));
    expect(canonicalJson(a)).toBe(
      '{"actor":{"device":"d1","user":"alice"},"id":7,"meta":{"n":null,"ok":true},"tags":["x","y"]}',
    );
    expect(canonicalJson({ tags: ['y', 'x'] })).not.toBe(canonicalJson({ tags: ['x', 'y'] }));
    expect(JSON.parse(canonicalJson(a))).toEqual(a);
  });

  it('writes nested arrays and objects, empty ones included', () => {
    expect(canonicalJson([])).toBe('[]');
    expect(canonicalJson({})).toBe('{}');
    expect(canonicalJson([[], {}, [[1, [2, [3]]]], { a: { b: { c: {} } } }])).toBe(
      '[[],{},[[1,[2,[3]]]],{"a":{"b":{"c":{}}}}]',
    );
    const shared = { k: 1 };
    expect(canonicalJson({ x: shared, y: [shared, shared] })).toBe('{"x":{"k":1},"y":[{"k":1},{"k":1}]}');
  });

  it('omits undefined properties, as JSON does, and accepts null-prototype objects', () => {
    expect(canonicalJson({ a: undefined, b: 1, c: undefined })).toBe('{"b":1}');
    expect(canonicalJson({ a: undefined })).toBe('{}');
    const bare = Object.create(null) as Record<string, unknown>;
    bare['z'] = 'last';
    bare['a'] = 'first';
    expect(canonicalJson(bare)).toBe('{"a":"first","z":"last"}');
  });

  it('agrees with JSON.stringify on inputs that are already canonical', () => {
    const value = {
      a: [1, -2, 'three', null, true, false, { b: 'ü\n', c: [] }],
      d: { e: { f: 'ünïcödé 🎉 \u0007' } },
      g: 9007199254740991,
    };
    expect(canonicalJson(value)).toBe(JSON.stringify(value));
  });

  it.each([
    ['a fraction', 1.5],
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['-Infinity', Number.NEGATIVE_INFINITY],
    ['an integer beyond 2^53', 2 ** 53],
    ['1e21', 1e21],
    ['a nested fraction', { a: [0.1] }],
    ['undefined', undefined],
    ['undefined in an array', [1, undefined]],
    ['a hole in an array', [1, , 3]], // eslint-disable-line no-sparse-arrays
    ['a function', () => 1],
    ['a function property', { f: () => 1 }],
    ['a toJSON method', { toJSON: () => 'x' }],
    ['a symbol', Symbol('s')],
    ['a symbol property', { s: Symbol('s') }],
    ['a bigint', 10n],
    ['a nested bigint', [{ n: 1n }]],
    ['a Date', new Date(0)],
    ['a Map', new Map([['a', 1]])],
    ['a Set', new Set([1])],
    ['a Uint8Array', new Uint8Array(2)],
    [
      'a class instance',
      new (class Point {
        x = 1;
      })(),
    ],
    ['a boxed string', Object('s')],
    ['a RegExp', /x/],
    ['an unpaired high surrogate', 'a\ud800b'],
    ['an unpaired low surrogate', '\udc00'],
    ['reversed surrogates', '\ude00\ud83d'],
    ['an unpaired surrogate in a key', { '\ud800': 1 }],
  ])('refuses %s with MALFORMED', (_label, value) => {
    expectCryptoError(() => canonicalJson(value), 'MALFORMED');
  });

  it('refuses circular structures, throwing getters and absurd nesting with MALFORMED', () => {
    const loop: Record<string, unknown> = { a: 1 };
    loop['self'] = loop;
    expectCryptoError(() => canonicalJson(loop), 'MALFORMED');
    const list: unknown[] = [1];
    list.push([list]);
    expectCryptoError(() => canonicalJson(list), 'MALFORMED');
    const getter = {
      get boom(): never {
        throw new Error('boom');
      },
    };
    expectCryptoError(() => canonicalJson(getter), 'MALFORMED');
    let deep: unknown = 0;
    for (let i = 0; i < 200_000; i += 1) deep = [deep];
    expectCryptoError(() => canonicalJson(deep), 'MALFORMED');
  });
});
