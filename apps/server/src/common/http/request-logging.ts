import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { logger } from '../logging/json-logger.js';
import { type RequestContext, runWithRequestContext } from '../logging/request-context.js';

export interface RequestObserver {
  observe(method: string, route: string, status: number, seconds: number): void;
}

const REQUEST_ID = /^[A-Za-z0-9._-]{8,128}$/;

/**
 * Gives every request an id (from a trusted X-Request-Id or a new one), runs the rest of the request inside that
 * context so log lines carry it, and logs one line per request: method, route, status, duration. Never bodies,
 * query strings, cookies or headers, which may hold secrets.
 */
export function requestLogging(observer: RequestObserver) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const incoming = req.headers['x-request-id'];
    const requestId = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
    res.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    // Read now: once the socket is detached (client gone), req.ip throws inside the finish listener.
    const ip = req.ip ?? null;
    const userAgent = req.headers['user-agent'];
    const context: RequestContext = {
      requestId,
      ip,
      userAgent: typeof userAgent === 'string' ? userAgent.slice(0, 300) : null,
    };
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = routeOf(req);
      observer.observe(req.method, route, res.statusCode, seconds);
      if (route === '/health/live' || route === '/health/ready' || route === '/metrics') return;
      runWithRequestContext(context, () =>
        logger.event(res.statusCode >= 500 ? 'error' : 'info', 'http', 'request', {
          method: req.method,
          path: req.path.slice(0, 200),
          route,
          status: res.statusCode,
          ms: Math.round(seconds * 1000),
          ip,
        }),
      );
    });
    runWithRequestContext(context, next);
  };
}

/** A low-cardinality route label: the matched route pattern, or a coarse bucket. */
function routeOf(req: Request): string {
  const matched = (req as Request & { route?: { path?: string } }).route?.path;
  if (typeof matched === 'string') return `${req.baseUrl}${matched}`;
  if (req.path.startsWith('/api/')) return '/api/(unmatched)';
  if (req.path.startsWith('/assets/')) return '/assets';
  return req.path === '/' ? '/' : '/(web)';
}
