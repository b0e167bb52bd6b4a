import { Controller, Get, Inject, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type AuthMethods, ErrorCode, OIDC_ERROR_PARAM } from '@miyu/protocol';
import type { Request, Response } from 'express';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { clientIp } from '../../common/http/origin.js';
import { logger } from '../../common/logging/json-logger.js';
import { Public } from '../auth/auth.decorators.js';
import { setSessionCookie } from '../auth/session-cookie.js';
import { clearBrowserCookie, OIDC_BROWSER_COOKIE, setBrowserCookie } from './oidc-browser-cookie.js';
import { OidcSignInService } from './oidc-sign-in.service.js';

/**
 * Browser-facing OIDC endpoints. The callback is reached by a cross-site redirect from the provider, so a
 * SameSite=Strict cookie set there would not be sent on a redirect that continues the same navigation: the callback
 * answers with a small page that moves on to the app by itself (a same-site navigation, which sends the cookie).
 */
@ApiTags('auth')
@Controller('api/auth')
export class OidcAuthController {
  constructor(
    private readonly signIn: OidcSignInService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Public()
  @Get('methods')
  methods(): Promise<AuthMethods> {
    return this.signIn.methods();
  }

  @Public()
  @Get('oidc/start')
  async start(@Res() res: Response): Promise<void> {
    try {
      const started = await this.signIn.start();
      setBrowserCookie(res, this.config, started.browserBinding);
      res.setHeader('Cache-Control', 'no-store');
      res.redirect(303, started.redirectTo.toString());
    } catch (err) {
      this.backToLogin(res, err);
    }
  }

  @Public()
  @Get('oidc/callback')
  async callback(@Req() req: Request, @Res() res: Response): Promise<void> {
    const query = new URLSearchParams(
      req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '',
    );
    const cookies = (req.cookies ?? {}) as Record<string, string | undefined>;
    clearBrowserCookie(res, this.config);
    try {
      const { token } = await this.signIn.callback(query, cookies[OIDC_BROWSER_COOKIE], {
        ip: clientIp(req),
        userAgent: req.headers['user-agent'] ?? null,
      });
      setSessionCookie(res, this.config, token);
      const app = new URL('/', this.config.publicUrl).toString();
      res
        .status(200)
        .setHeader('Cache-Control', 'no-store')
        .type('html')
        .send(
          `<!doctype html><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${app}">` +
            `<title>Miyu</title><p><a href="${app}">Continue to Miyu</a></p>`,
        );
    } catch (err) {
      this.backToLogin(res, err);
    }
  }

  /** Failures go back to the login screen, which shows the error code's message; unexpected ones are logged. */
  private backToLogin(res: Response, err: unknown): void {
    const code = err instanceof DomainError ? err.code : ErrorCode.INTERNAL;
    if (!(err instanceof DomainError)) logger.event('error', 'oidc', 'unhandled error', { err });
    const login = new URL('/login', this.config.publicUrl);
    login.searchParams.set(OIDC_ERROR_PARAM, code);
    res.setHeader('Cache-Control', 'no-store');
    res.redirect(303, login.toString());
  }
}
