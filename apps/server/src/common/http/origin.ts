import type { IncomingMessage } from 'node:http';
import type { Request } from 'express';
import type { AppConfig } from '../../config/app-config.js';

/**
 * Browsers send Origin on every state-changing request. We accept the configured public origin and the origin
 * the request was addressed to (dev proxies keep Host); anything else is another site. Requests without Origin
 * come from non-browser clients, which cannot carry our SameSite=Strict cookie across sites anyway.
 */
export function originAllowed(req: Request, config: AppConfig): boolean {
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  if (origin === config.publicUrl.origin) return true;
  const host = req.headers.host;
  return host !== undefined && (origin === `http://${host}` || origin === `https://${host}`);
}

export function clientIp(req: Request): string | null {
  return req.ip ?? req.socket.remoteAddress ?? null;
}

/**
 * The client address of a request Express did not see (a socket.io handshake), read as Express reads `req.ip` under
 * TRUST_PROXY: false trusts no proxy, a number trusts that many hops of X-Forwarded-For, true the whole header.
 */
export function forwardedClientIp(req: IncomingMessage, trustProxy: boolean | number): string | null {
  const remote = req.socket.remoteAddress ?? null;
  if (trustProxy === false || trustProxy === 0) return remote;
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean)
    .reverse();
  const chain = [remote, ...forwarded];
  const index = trustProxy === true ? chain.length - 1 : Math.min(trustProxy, chain.length - 1);
  return chain[index] ?? remote;
}
