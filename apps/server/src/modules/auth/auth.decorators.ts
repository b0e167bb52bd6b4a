import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { ApiTokenScope, UserRole } from '@miyu/protocol';
import type { Request } from 'express';
import { actorOf, type Actor, type AuthenticatedSession, type RequestAuth } from './auth.types.js';

export const PUBLIC_KEY = 'miyu:public';
export const SIGNED_IN_KEY = 'miyu:signed-in';
export const ROLES_KEY = 'miyu:roles';
export const TOKEN_SCOPES_KEY = 'miyu:token-scopes';

/*
 * Access is declared, never implied: every HTTP route and every socket handler carries exactly one of @Public(),
 * @SignedIn() or @Roles(...), on the method or on its class (not both). The guard refuses a handler with none or
 * with several, and access-declarations.int-spec.ts fails naming it.
 */

/** Marks an endpoint that needs no session (login, setup, health, signed webhooks). */
export const Public = () => SetMetadata(PUBLIC_KEY, true);

/** Any active signed-in user; the service checks access to the resource (membership, ownership). */
export const SignedIn = () => SetMetadata(SIGNED_IN_KEY, true);

/** Restricts an endpoint to roles; services check again (defence in depth). */
export const Roles = (...roles: UserRole[]) => SetMetadata(ROLES_KEY, roles);

export type AccessDeclaration = { kind: 'public' } | { kind: 'signed-in' } | { kind: 'roles'; roles: UserRole[] };

const reflector = new Reflector();

/** The access declarations found on a handler and on its class; anything but exactly one is a mistake. */
export function accessDeclarations(handler: object, controller: object): AccessDeclaration[] {
  const found: AccessDeclaration[] = [];
  for (const target of [handler, controller] as Array<() => unknown>) {
    if (reflector.get<boolean | undefined>(PUBLIC_KEY, target) === true) found.push({ kind: 'public' });
    if (reflector.get<boolean | undefined>(SIGNED_IN_KEY, target) === true) found.push({ kind: 'signed-in' });
    const roles = reflector.get<UserRole[] | undefined>(ROLES_KEY, target);
    if (roles !== undefined) found.push({ kind: 'roles', roles });
  }
  return found;
}

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
