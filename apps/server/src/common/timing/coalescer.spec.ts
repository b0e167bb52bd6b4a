import { Coalescer } from './coalescer.js';

describe('Coalescer', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('sends the first value at once, merges a burst into the newest, and never loses the last', () => {
    const sent: Array<[string, number]> = [];
    const c = new Coalescer<string, number>(1000, (k, v) => sent.push([k, v]));
    for (let i = 1; i <= 500; i++) c.push('a', i);
    c.push('b', 7);
    expect(sent).toEqual([
      ['a', 1],
      ['b', 7],
    ]);
    jest.advanceTimersByTime(1000);
    expect(sent).toEqual([
      ['a', 1],
      ['b', 7],
      ['a', 500],
    ]);
    jest.advanceTimersByTime(1000); // nothing new for either key: they are released
    expect(sent).toHaveLength(3);
    expect(c.size).toBe(0);
    c.push('a', 501);
    expect(sent[3]).toEqual(['a', 501]);
  });

  it('bounds a long stream to one emission per interval, and flushes what is pending', () => {
    const sent: number[] = [];
    const c = new Coalescer<string, number>(1000, (_k, v) => sent.push(v));
    for (let ms = 0; ms < 5000; ms += 10) {
      c.push('a', ms);
      jest.advanceTimersByTime(10);
    }
    expect(sent.length).toBeLessThanOrEqual(6);
    c.push('a', 9999);
    c.flush();
    expect(sent[sent.length - 1]).toBe(9999);
    expect(c.size).toBe(0);
  });
});
