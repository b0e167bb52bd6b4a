import type { Response } from 'express';
import type { AppConfig } from '../../config/app-config.js';
import { OIDC_STATE_TTL_MS } from './oidc-sign-in.service.js';

/**
 * Binds a started sign-in to the browser that started it. SameSite=Lax (not Strict like the session cookie) because
 * it must come along on the provider's cross-site redirect back to the callback, a top-level GET.
 */
export const OIDC_BROWSER_COOKIE = 'miyu_oidc';
const COOKIE_PATH = '/api/auth/oidc';

export function setBrowserCookie(res: Response, config: AppConfig, value: string): void {
  res.cookie(OIDC_BROWSER_COOKIE, value, {
    httpOnly: true,
    sameSite: 'lax',
    secure: config.session.secureCookie,
    path: COOKIE_PATH,
    maxAge: OIDC_STATE_TTL_MS,
  });
}

export function clearBrowserCookie(res: Response, config: AppConfig): void {
  res.clearCookie(OIDC_BROWSER_COOKIE, {
    httpOnly: true,
    sameSite: 'lax',
    secure: config.session.secureCookie,
    path: COOKIE_PATH,
  });
}
