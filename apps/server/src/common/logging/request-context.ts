import { AsyncLocalStorage } from 'node:async_hooks';

export interface RequestContext {
  requestId: string;
  userId?: string;
  /** The client's address and user agent, for audit entries (never logged with bodies). */
  ip?: string | null;
  userAgent?: string | null;
  /** The integration a request came through (e.g. 'scim'): added to the context of every audit entry it makes. */
  via?: string;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runWithRequestContext<T>(context: RequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

export function currentRequestContext(): RequestContext | undefined {
  return storage.getStore();
}
