import { ErrorCode } from '@miyu/protocol';

/** Inbound events one socket may send: `eventsPerSecond` on average, up to `burst` at once. */
export interface SocketEventLimit {
  eventsPerSecond: number;
  burst: number;
}

/**
 * A token bucket: it holds up to `capacity` tokens, refills at `ratePerSecond`, and every event takes one. Time is
 * monotonic (performance.now), so a wall-clock change neither blocks a socket nor hands it a fresh burst.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly capacity: number,
    now = performance.now(),
  ) {
    this.tokens = capacity;
    this.updatedAt = now;
  }

  /** Takes a token: 0 when the event may pass; otherwise the milliseconds until a token is back (none is taken). */
  take(now = performance.now()): number {
    const elapsed = Math.max(0, now - this.updatedAt);
    this.tokens = Math.min(this.capacity, this.tokens + (elapsed * this.ratePerSecond) / 1000);
    this.updatedAt = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - this.tokens) * 1000) / this.ratePerSecond));
  }
}

/**
 * One bucket per connected socket, in memory: a socket lives on one process, and the limit is a guard against one
 * connection flooding the server, not an accounting. A bucket exists from `open` until `forget` (on disconnect).
 */
export class SocketEventLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly limit: SocketEventLimit) {}

  open(socketId: string, now?: number): void {
    if (!this.buckets.has(socketId))
      this.buckets.set(socketId, new TokenBucket(this.limit.eventsPerSecond, this.limit.burst, now));
  }

  isOpen(socketId: string): boolean {
    return this.buckets.has(socketId);
  }

  /** 0 when the socket's event may run; else the milliseconds to wait. A socket without a bucket is not limited. */
  take(socketId: string, now?: number): number {
    return this.buckets.get(socketId)?.take(now) ?? 0;
  }

  forget(socketId: string): void {
    this.buckets.delete(socketId);
  }

  /** Sockets currently tracked (for tests and diagnostics). */
  get size(): number {
    return this.buckets.size;
  }
}

/** The ack of an event refused by the limit; its handler did not run. */
export function rateLimitedAck(retryAfterMs: number) {
  return {
    ok: false as const,
    error: {
      code: ErrorCode.RATE_LIMITED,
      message: `Too many events on this connection. Slow down and retry in ${retryAfterMs} ms.`,
      retryAfterMs,
    },
  };
}
