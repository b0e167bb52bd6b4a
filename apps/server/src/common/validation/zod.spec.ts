import { z } from 'zod';
import { ValidationError } from '../errors/domain-error.js';
import { parseOrThrow, pathToInvalidText } from './zod.js';

describe('parseOrThrow', () => {
  const schema = z.object({ name: z.string(), tags: z.array(z.string()), meta: z.record(z.string(), z.string()) });

  it('refuses NUL and unpaired surrogates anywhere in the parsed value, naming where', () => {
    const at = (value: unknown) => {
      try {
        parseOrThrow(schema, value);
        return null;
      } catch (err) {
        expect(err).toBeInstanceOf(ValidationError);
        return (err as ValidationError).extra.details![0]!.path;
      }
    };
    expect(at({ name: 'a\u0000b', tags: [], meta: {} })).toBe('name');
    expect(at({ name: 'a', tags: ['x', '\u0000'], meta: {} })).toBe('tags.1');
    expect(at({ name: 'a', tags: [], meta: { 'k\u0000': 'v' } })).toBe('meta.k\u0000');
    expect(at({ name: 'a\ud800', tags: [], meta: {} })).toBe('name');
    expect(at({ name: 'a', tags: ['\udc00x'], meta: {} })).toBe('tags.0');
    expect(at({ name: 'a\ud83d\ude00', tags: ['密语', '𠜎'], meta: { k: 'v' } })).toBeNull();
    expect(() => parseOrThrow(z.string(), '\u0000')).toThrow(ValidationError);
  });

  it('walks deep values without recursion', () => {
    let deep: unknown = 'x\u0000';
    for (let i = 0; i < 200_000; i++) deep = [deep];
    expect(pathToInvalidText(deep)).toMatch(/^0(\.0)+$/);
  });
});
