import { Injectable } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import { AUDIT_EVENT, type AuditRecord } from '../audit/audit.events.js';
import { SESSIONS_REVOKED_EVENT, type SessionsRevokedEvent } from './auth.types.js';

/**
 * Audits session revocations (one `session.revoked` per session, with why: revoked by the user or an admin, the
 * account disabled, the password changed). A sign-out is `auth.sign_out`, recorded by AuthService. Runs at emit
 * time, inside the request that revoked.
 */
@Injectable()
export class AuthAuditListener {
  constructor(private readonly events: EventEmitter2) {}

  @OnEvent(SESSIONS_REVOKED_EVENT)
  onSessionsRevoked(event: SessionsRevokedEvent): void {
    if (event.reason === 'signed_out') return;
    for (const sessionId of event.sessionIds)
      this.events.emit(AUDIT_EVENT, {
        action: 'session.revoked',
        entity: { type: 'session', id: sessionId },
        context: { userId: event.userId, reason: event.reason },
      } satisfies AuditRecord);
  }
}
