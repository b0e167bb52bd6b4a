import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { AuthedRequest } from '../auth/auth.decorators.js';
import { ScimError } from './scim-errors.js';

/**
 * SCIM answers service tokens only: a signed-in browser session (cookie) is refused with 401, so a page that a
 * person has open can never provision accounts on their behalf, with or without a CSRF token.
 */
@Injectable()
export class ScimTokenGuard implements CanActivate {
  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    if (!req.auth?.token) throw ScimError.unauthenticated();
    return true;
  }
}
