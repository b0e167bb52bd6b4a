import { TypingLimiter } from './typing-limiter.js';

describe('TypingLimiter', () => {
  it('lets one event per conversation per interval through, per socket', () => {
    const limiter = new TypingLimiter(1000);
    expect(limiter.allow('s1', 'c1', 0)).toBe(true);
    expect(limiter.allow('s1', 'c1', 500)).toBe(false);
    expect(limiter.retryAfterMs('s1', 'c1', 500)).toBe(500);
    expect(limiter.allow('s1', 'c2', 500)).toBe(true);
    expect(limiter.allow('s2', 'c1', 500)).toBe(true);
    expect(limiter.allow('s1', 'c1', 1000)).toBe(true);
  });

  it('forgets a socket and stays bounded per socket', () => {
    const limiter = new TypingLimiter(1000, 2);
    expect(limiter.allow('s', 'a', 0)).toBe(true);
    expect(limiter.allow('s', 'b', 0)).toBe(true);
    expect(limiter.allow('s', 'c', 10)).toBe(false);
    expect(limiter.allow('s', 'c', 1000)).toBe(true);
    limiter.forget('s');
    expect(limiter.allow('s', 'c', 1001)).toBe(true);
  });
});
