import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { type ApiTokenScope, CSRF_HEADER, SESSION_COOKIE, type UserRole } from '@miyu/protocol';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { ForbiddenError } from '../../common/errors/domain-error.js';
import { originAllowed } from '../../common/http/origin.js';
import { currentRequestContext } from '../../common/logging/request-context.js';
import { constantTimeEqual } from '../../common/security/tokens.js';
import { AuthError } from './auth.errors.js';
import { ApiTokenError, ApiTokensService } from './api-tokens.service.js';
import { type AuthedRequest, PUBLIC_KEY, ROLES_KEY, TOKEN_SCOPES_KEY } from './auth.decorators.js';
import type { RequestAuth } from './auth.types.js';
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
    private readonly tokens: ApiTokensService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const unsafe = !SAFE_METHODS.has(req.method);
    if (unsafe && !originAllowed(req, this.config)) throw AuthError.csrf();

    const isPublic = this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, [ctx.getHandler(), ctx.getClass()]);
    if (isPublic) return true;

    const bearer = bearerToken(req.headers.authorization);
    const auth = bearer !== null ? await this.byToken(ctx, bearer) : await this.bySession(req, unsafe);
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

  private async bySession(req: AuthedRequest, unsafe: boolean): Promise<RequestAuth> {
    const cookies = (req.cookies ?? {}) as Record<string, string | undefined>;
    const auth = await this.sessions.authenticate(cookies[SESSION_COOKIE]);
    if (unsafe) {
      const header = req.headers[CSRF_HEADER];
      if (typeof header !== 'string' || !constantTimeEqual(header, auth.session.csrfToken)) throw AuthError.csrf();
    }
    return { ...auth, token: null };
  }

  /**
   * A bearer token is not an ambient credential (a browser never attaches it by itself), so no CSRF token is needed;
   * it is accepted only where the route names one of its scopes.
   */
  private async byToken(ctx: ExecutionContext, token: string): Promise<RequestAuth> {
    const wanted = this.reflector.getAllAndOverride<ApiTokenScope[] | undefined>(TOKEN_SCOPES_KEY, [
      ctx.getHandler(),
      ctx.getClass(),
    ]);
    const auth = await this.tokens.authenticate(token);
    if (!wanted || !wanted.some((s) => auth.scopes.includes(s))) throw ApiTokenError.scopeForbidden(wanted ?? []);
    return { user: auth.user, session: null, token: { id: auth.token.id, scopes: auth.scopes } };
  }
}

function bearerToken(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = /^Bearer (\S+)$/.exec(header);
  if (!match) throw AuthError.unauthenticated();
  return match[1]!;
}
