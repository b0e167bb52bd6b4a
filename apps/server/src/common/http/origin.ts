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
