import { rateLimitedAck, SocketEventLimiter, TokenBucket } from './socket-rate-limit.js';

describe('TokenBucket', () => {
  it('lets a full burst through at once, then refuses with the time until the next token', () => {
    const bucket = new TokenBucket(100, 300, 0);
    for (let i = 0; i < 300; i++) expect(bucket.take(0)).toBe(0);
    expect(bucket.take(0)).toBe(10); // one token per 10 ms at 100/s
    expect(bucket.take(4)).toBe(6);
  });

  it('refills at the rate, never above the burst', () => {
    const bucket = new TokenBucket(100, 300, 0);
    for (let i = 0; i < 300; i++) bucket.take(0);
    // 50 ms at 100/s: 5 tokens.
    const passed = Array.from({ length: 10 }, () => bucket.take(50)).filter((wait) => wait === 0).length;
    expect(passed).toBe(5);
    // An hour idle fills the bucket to its size, not to 360 000.
    const later = 3_600_000;
    const afterIdle = Array.from({ length: 400 }, () => bucket.take(later)).filter((wait) => wait === 0).length;
    expect(afterIdle).toBe(300);
  });

  it('sustains exactly the rate under a constant flood', () => {
    const bucket = new TokenBucket(100, 300, 0);
    let passed = 0;
    // 1000 events per second for 10 seconds, one every millisecond.
    for (let t = 0; t < 10_000; t++) if (bucket.take(t) === 0) passed += 1;
    expect(passed).toBe(300 + 100 * 10 - 1); // the burst, plus what 9.999 s refill
  });

  it('does not hand out tokens when the clock goes backwards', () => {
    const bucket = new TokenBucket(1, 1, 1000);
    expect(bucket.take(1000)).toBe(0);
    expect(bucket.take(0)).toBe(1000);
    expect(bucket.take(500)).toBe(500);
  });
});

describe('SocketEventLimiter', () => {
  it('keeps one bucket per socket, does not limit sockets it does not track, and forgets on request', () => {
    const limiter = new SocketEventLimiter({ eventsPerSecond: 1, burst: 2 });
    limiter.open('a', 0);
    limiter.open('b', 0);
    limiter.open('a', 0); // opening again keeps the bucket (and its spent tokens)
    expect([limiter.take('a', 0), limiter.take('a', 0), limiter.take('a', 0)]).toEqual([0, 0, 1000]);
    expect(limiter.take('b', 0)).toBe(0);
    expect(limiter.take('unknown', 0)).toBe(0);
    expect(limiter.size).toBe(2);
    limiter.forget('a');
    limiter.forget('b');
    expect(limiter.size).toBe(0);
    expect(limiter.isOpen('a')).toBe(false);
  });
});

describe('rateLimitedAck', () => {
  it('is the typed RATE_LIMITED error ack with retryAfterMs', () => {
    expect(rateLimitedAck(25)).toEqual({
      ok: false,
      error: { code: 'RATE_LIMITED', message: expect.stringContaining('25 ms') as unknown, retryAfterMs: 25 },
    });
  });
});
