import { Injectable } from '@nestjs/common';
import { OnEvent } from '@nestjs/event-emitter';
import { currentRequestContext } from '../../common/logging/request-context.js';
import { logger } from '../../common/logging/json-logger.js';
import { AUDIT_EVENT, type AuditRecord } from './audit.events.js';
import { AuditWriter } from './audit-writer.js';
import { AuditTree } from './audit-tree.js';

/**
 * Turns every module's AUDIT_EVENT into an audit entry. Runs synchronously in the emitter's context, so the request
 * a record was made in gives its client address and user agent; the append itself is batched and awaited off the
 * request path (a failure is logged, never thrown into the action that was audited).
 */
@Injectable()
export class AuditListener {
  constructor(
    private readonly writer: AuditWriter,
    private readonly tree: AuditTree,
  ) {}

  @OnEvent(AUDIT_EVENT)
  onRecord(record: AuditRecord): void {
    const request = currentRequestContext();
    const actor = {
      userId: record.actor?.userId ?? request?.userId ?? null,
      deviceId: record.actor?.deviceId ?? null,
      ip: record.actor?.ip ?? request?.ip ?? null,
      userAgent: record.actor?.userAgent ?? request?.userAgent ?? null,
    };
    const context = request?.via ? { ...record.context, via: request.via } : record.context;
    void this.writer
      .record({ ...record, actor, context, at: new Date() })
      .then(({ checkpointDue }) => (checkpointDue ? this.tree.checkpointIfDue(1) : null))
      .catch((error: unknown) =>
        logger.event('error', 'audit', 'append failed', {
          action: record.action,
          error: error instanceof Error ? error.message : String(error),
        }),
      );
  }
}
