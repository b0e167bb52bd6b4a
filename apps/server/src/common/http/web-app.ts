import { existsSync } from 'node:fs';
import { join } from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';

const SERVER_PREFIXES = ['/api/', '/health/', '/metrics', '/socket.io/', '/hooks/', '/scim/'];

/**
 * Serves the built web client on the same origin: hashed assets cached for a year, index.html never cached,
 * and client-side routes (e.g. /setup, /chats/...) answered with index.html.
 */
export function webApp(distDir: string | null) {
  const index = distDir ? join(distDir, 'index.html') : null;
  if (!distDir || !index || !existsSync(index)) return null;
  const assets = express.static(distDir, {
    index: false,
    setHeaders(res, path) {
      res.setHeader('Cache-Control', path.includes('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (SERVER_PREFIXES.some((p) => req.path.startsWith(p) || req.path === p.replace(/\/$/, ''))) return next();
    assets(req, res, () => {
      if (req.path.startsWith('/assets/') || /\.[a-z0-9]+$/i.test(req.path)) return next();
      res.setHeader('Cache-Control', 'no-cache');
      res.sendFile(index);
    });
  };
}
