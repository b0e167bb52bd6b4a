import type { AuditAction, AuditEntityType } from '@miyu/protocol';

/**
 * How a module records something in the audit log: emit AUDIT_EVENT with an AuditRecord (EventEmitter2, so no
 * module depends on the audit module). Emitted synchronously inside a request, the client's address and user agent
 * are taken from the request; a socket handler passes them in `actor`.
 */
export const AUDIT_EVENT = 'audit.record';

export interface AuditRecord {
  action: AuditAction;
  actor?: {
    userId?: string | null;
    deviceId?: string | null;
    ip?: string | null;
    userAgent?: string | null;
  };
  entity: { type: AuditEntityType; id?: string | null; name?: string | null };
  /** Before/after values and metadata (ids, sizes); never message content, passwords or secrets. */
  context?: Record<string, unknown> | null;
  /** Defaults to success. */
  result?: { ok: boolean; reason?: string | null };
}
