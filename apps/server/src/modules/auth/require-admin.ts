import { ForbiddenError } from '../../common/errors/domain-error.js';
import type { Actor } from './auth.types.js';

/** Admin-only service methods check the role themselves too: the route's @Roles is the first check, not the only one. */
export function requireAdmin(actor: Pick<Actor, 'role'>): void {
  if (actor.role !== 'admin') throw new ForbiddenError();
}
