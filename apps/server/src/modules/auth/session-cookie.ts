import { SESSION_COOKIE } from '@miyu/protocol';
import type { Response } from 'express';
import type { AppConfig } from '../../config/app-config.js';

export function setSessionCookie(res: Response, config: AppConfig, token: string): void {
  res.cookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    secure: config.session.secureCookie,
    path: '/',
    maxAge: config.session.ttlHours * 3_600_000,
  });
}

export function clearSessionCookie(res: Response, config: AppConfig): void {
  res.clearCookie(SESSION_COOKIE, {
    httpOnly: true,
    sameSite: 'strict',
    secure: config.session.secureCookie,
    path: '/',
  });
}

/** Reads one cookie from a raw Cookie header (used by the socket handshake, which has no cookie-parser). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) {
      try {
        return decodeURIComponent(part.slice(eq + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}
