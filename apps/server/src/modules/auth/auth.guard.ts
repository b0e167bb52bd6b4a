import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { CSRF_HEADER, SESSION_COOKIE, type UserRole } from '@miyu/protocol';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { ForbiddenError } from '../../common/errors/domain-error.js';
import { originAllowed } from '../../common/http/origin.js';
import { currentRequestContext } from '../../common/logging/request-context.js';
import { constantTimeEqual } from '../../common/security/tokens.js';
import { AuthError } from './auth.errors.js';
import { type AuthedRequest, PUBLIC_KEY, ROLES_KEY } from './auth.decorators.js';
import { SessionsService } from './sessions.service.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Global guard: every route is authenticated unless marked @Public(). State-changing requests must come from our
 * origin, and authenticated ones must carry the session's CSRF token (synchronizer token, on top of the
 * SameSite=Strict cookie).
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const unsafe = !SAFE_METHODS.has(req.method);
    if (unsafe && !originAllowed(req, this.config)) throw AuthError.csrf();

    const isPublic = this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, [ctx.getHandler(), ctx.getClass()]);
    if (isPublic) return true;

    const cookies = (req.cookies ?? {}) as Record<string, string | undefined>;
    const auth = await this.sessions.authenticate(cookies[SESSION_COOKIE]);
    if (unsafe) {
      const header = req.headers[CSRF_HEADER];
      if (typeof header !== 'string' || !constantTimeEqual(header, auth.session.csrfToken)) throw AuthError.csrf();
    }
    req.auth = auth;
    const context = currentRequestContext();
    if (context) context.userId = auth.user.id;

    const roles = this.reflector.getAllAndOverride<UserRole[] | undefined>(ROLES_KEY, [
      ctx.getHandler(),
      ctx.getClass(),
    ]);
    if (roles && !roles.includes(auth.user.role)) throw new ForbiddenError();
    return true;
  }
}
