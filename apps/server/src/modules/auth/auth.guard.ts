import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { WsException } from '@nestjs/websockets';
import { type ApiTokenScope, CSRF_HEADER, ErrorCode, SESSION_COOKIE, type UserRole } from '@miyu/protocol';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { ForbiddenError } from '../../common/errors/domain-error.js';
import { originAllowed } from '../../common/http/origin.js';
import { logger } from '../../common/logging/json-logger.js';
import { currentRequestContext } from '../../common/logging/request-context.js';
import { constantTimeEqual } from '../../common/security/tokens.js';
import { AuthError } from './auth.errors.js';
import { ApiTokenError, ApiTokensService } from './api-tokens.service.js';
import { type AccessDeclaration, accessDeclarations, type AuthedRequest, TOKEN_SCOPES_KEY } from './auth.decorators.js';
import type { RequestAuth } from './auth.types.js';
import { SessionsService } from './sessions.service.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Global guard. Every handler declares its access (@Public, @SignedIn or @Roles); one without exactly one declaration
 * is refused (fail closed) and logged. State-changing requests must come from our origin, and authenticated ones must
 * carry the session's CSRF token (synchronizer token, on top of the SameSite=Strict cookie). Sockets are
 * authenticated in the handshake (RealtimeGateway); here their handlers get the same declaration check.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly sessions: SessionsService,
    private readonly tokens: ApiTokensService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private readonly declarations = new WeakMap<object, AccessDeclaration[]>();

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const access = this.declaredAccess(ctx);
    if (ctx.getType() === 'ws') return socketAccess(ctx, access);
    if (ctx.getType() !== 'http') throw new ForbiddenError();
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const unsafe = !SAFE_METHODS.has(req.method);
    if (unsafe && !originAllowed(req, this.config)) throw AuthError.csrf();

    if (access.kind === 'public') return true;

    const bearer = bearerToken(req.headers.authorization);
    const auth = bearer !== null ? await this.byToken(ctx, bearer) : await this.bySession(req, unsafe);
    req.auth = auth;
    const context = currentRequestContext();
    if (context) context.userId = auth.user.id;

    if (access.kind === 'roles' && !access.roles.includes(auth.user.role)) throw new ForbiddenError();
    return true;
  }

  /** The handler's one access declaration, or FORBIDDEN (logged: it is a programming error, not a client's). */
  private declaredAccess(ctx: ExecutionContext): AccessDeclaration {
    const handler = ctx.getHandler();
    let declared = this.declarations.get(handler);
    if (!declared) {
      declared = accessDeclarations(handler, ctx.getClass());
      this.declarations.set(handler, declared);
    }
    if (declared.length === 1) return declared[0]!;
    logger.event('error', 'auth', 'handler refused: it needs exactly one of @Public, @SignedIn, @Roles', {
      handler: `${ctx.getClass().name}.${handler.name}`,
      declarations: declared.map((d) => d.kind),
    });
    if (ctx.getType() === 'ws') throw new WsException({ code: ErrorCode.FORBIDDEN, message: 'Access not declared.' });
    throw new ForbiddenError();
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

/**
 * A socket was authenticated in its handshake (socket.data); its handlers may still be limited to roles. The role is
 * the one of the handshake: a service that grants more to a role confirms it against the account (see recall).
 */
function socketAccess(ctx: ExecutionContext, access: AccessDeclaration): boolean {
  if (access.kind === 'public') return true;
  const data = ctx.switchToWs().getClient<{ data?: { userId?: string; role?: string } }>().data;
  if (!data?.userId) throw new WsException({ code: ErrorCode.UNAUTHENTICATED, message: 'Sign in first.' });
  if (access.kind === 'roles' && !access.roles.includes(data.role as UserRole)) {
    throw new WsException({ code: ErrorCode.FORBIDDEN, message: 'You are not allowed to do this.' });
  }
  return true;
}

function bearerToken(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = /^Bearer (\S+)$/.exec(header);
  if (!match) throw AuthError.unauthenticated();
  return match[1]!;
}
