import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { ApiTokenScope, UserRole } from '@miyu/protocol';
import type { Request } from 'express';
import { actorOf, type Actor, type AuthenticatedSession, type RequestAuth } from './auth.types.js';

export const PUBLIC_KEY = 'miyu:public';
export const ROLES_KEY = 'miyu:roles';
export const TOKEN_SCOPES_KEY = 'miyu:token-scopes';

/** Marks an endpoint that needs no session (login, setup, health). Everything else is authenticated by default. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** Restricts an endpoint to roles; services check again (defence in depth). */
export const Roles = (...roles: UserRole[]) => SetMetadata(ROLES_KEY, roles);

/**
 * Lets an API token (`Authorization: Bearer miyu_pat_…`) with one of these scopes call the endpoint. Endpoints without
 * it accept sessions only. Roles still apply to the token's user.
 */
export const TokenScopes = (...scopes: ApiTokenScope[]) => SetMetadata(TOKEN_SCOPES_KEY, scopes);

export interface AuthedRequest extends Request {
  auth?: RequestAuth;
}

export const CurrentActor = createParamDecorator((_data: unknown, ctx: ExecutionContext): Actor => {
  const req = ctx.switchToHttp().getRequest<AuthedRequest>();
  if (!req.auth) throw new Error('CurrentActor used on a public route');
  return actorOf(req.auth);
});

export const CurrentAuth = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthenticatedSession => {
  const req = ctx.switchToHttp().getRequest<AuthedRequest>();
  if (!req.auth) throw new Error('CurrentAuth used on a public route');
  // Only routes that accept API tokens see a request without a session, and none of them asks for the session.
  if (!req.auth.session) throw new Error('CurrentAuth used on a route that accepts API tokens');
  return { user: req.auth.user, session: req.auth.session };
});
