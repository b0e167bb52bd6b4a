import type { NextFunction, Request, Response } from 'express';
import { ErrorCode } from '@miyu/protocol';
import { currentRequestContext } from '../logging/request-context.js';

export interface RateLimitOptions {
  /** Requests allowed per client IP per window. */
  limit: number;
  windowMs: number;
  /** Paths (prefixes) the limit applies to. */
  prefixes: string[];
}

/**
 * A per-process, per-IP fixed-window limit on API requests: a safety net against floods from one address.
 * Sign-in has its own stricter, cluster-wide limits (auth_throttle). Memory is bounded by sweeping old windows.
 */
export function apiRateLimit(options: RateLimitOptions) {
  const windows = new Map<string, { start: number; count: number }>();
  let lastSweep = Date.now();
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!options.prefixes.some((p) => req.path.startsWith(p))) return next();
    const now = Date.now();
    if (now - lastSweep > options.windowMs) {
      for (const [ip, w] of windows) if (now - w.start >= options.windowMs) windows.delete(ip);
      lastSweep = now;
    }
    const ip = req.ip ?? 'unknown';
    let w = windows.get(ip);
    if (!w || now - w.start >= options.windowMs) {
      w = { start: now, count: 0 };
      windows.set(ip, w);
    }
    w.count += 1;
    if (w.count <= options.limit) return next();
    const retryAfterSeconds = Math.max(1, Math.ceil((w.start + options.windowMs - now) / 1000));
    res.setHeader('Retry-After', String(retryAfterSeconds));
    res.status(429).json({
      error: {
        code: ErrorCode.RATE_LIMITED,
        message: 'Too many requests. Slow down and try again shortly.',
        retryAfterSeconds,
        requestId: currentRequestContext()?.requestId,
      },
    });
  };
}
