import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { UserRole } from '@miyu/protocol';
import type { Request } from 'express';
import { actorOf, type Actor, type AuthenticatedSession } from './auth.types.js';

export const PUBLIC_KEY = 'miyu:public';
export const ROLES_KEY = 'miyu:roles';

/** Marks an endpoint that needs no session (login, setup, health). Everything else is authenticated by default. */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** Restricts an endpoint to roles; services check again (defence in depth). */
export const Roles = (...roles: UserRole[]) => SetMetadata(ROLES_KEY, roles);

export interface AuthedRequest extends Request {
  auth?: AuthenticatedSession;
}

export const CurrentActor = createParamDecorator((_data: unknown, ctx: ExecutionContext): Actor => {
  const req = ctx.switchToHttp().getRequest<AuthedRequest>();
  if (!req.auth) throw new Error('CurrentActor used on a public route');
  return actorOf(req.auth);
});

export const CurrentAuth = createParamDecorator((_data: unknown, ctx: ExecutionContext): AuthenticatedSession => {
  const req = ctx.switchToHttp().getRequest<AuthedRequest>();
  if (!req.auth) throw new Error('CurrentAuth used on a public route');
  return req.auth;
});
