import { JSON_MAX_DEPTH, jsonDepthExceeds } from './json-body.js';

describe('jsonDepthExceeds', () => {
  const nested = (levels: number): unknown => JSON.parse('['.repeat(levels) + ']'.repeat(levels));

  it('allows bodies up to the limit and refuses deeper ones, arrays and objects alike', () => {
    expect(jsonDepthExceeds({ a: [1, { b: 'x' }] }, JSON_MAX_DEPTH)).toBe(false);
    expect(jsonDepthExceeds(nested(JSON_MAX_DEPTH), JSON_MAX_DEPTH)).toBe(false);
    expect(jsonDepthExceeds(nested(JSON_MAX_DEPTH + 1), JSON_MAX_DEPTH)).toBe(true);
    expect(jsonDepthExceeds(JSON.parse('{"a":'.repeat(100) + '1' + '}'.repeat(100)), JSON_MAX_DEPTH)).toBe(true);
    expect(jsonDepthExceeds('text', 0)).toBe(false);
  });

  it('handles nesting far deeper than the stack without recursion', () => {
    expect(jsonDepthExceeds(nested(100_000), JSON_MAX_DEPTH)).toBe(true);
  });
});
