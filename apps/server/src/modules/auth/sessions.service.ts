import { Inject, Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { SessionDto } from '@miyu/protocol';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { ForbiddenError } from '../../common/errors/domain-error.js';
import { randomToken, sha256 } from '../../common/security/tokens.js';
import { uuidv7 } from '../../common/security/uuid.js';
import { AuthError } from './auth.errors.js';
import {
  type Actor,
  type AuthenticatedSession,
  type ClientInfo,
  SESSIONS_REVOKED_EVENT,
  type SessionRevokeReason,
  type SessionsRevokedEvent,
} from './auth.types.js';
import { SessionEntity } from './entities/session.entity.js';
import type { UserEntity } from './entities/user.entity.js';
import { SessionsRepository } from './sessions.repository.js';
import { UsersRepository } from './users.repository.js';

/** Writing last_seen_at on every request would turn reads into writes; once a minute is plenty. */
const TOUCH_INTERVAL_MS = 60_000;

@Injectable()
export class SessionsService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly sessions: SessionsRepository,
    private readonly users: UsersRepository,
    private readonly events: EventEmitter2,
  ) {}

  /** Creates a server-side session; the returned token goes into the httpOnly cookie and nowhere else. */
  async create(user: UserEntity, client: ClientInfo): Promise<{ token: string; session: SessionEntity }> {
    const token = randomToken();
    const now = new Date();
    const session = Object.assign(new SessionEntity(), {
      id: uuidv7(),
      userId: user.id,
      tokenHash: sha256(token),
      csrfToken: randomToken(24),
      createdAt: now,
      lastSeenAt: now,
      expiresAt: new Date(now.getTime() + this.config.session.ttlHours * 3_600_000),
      ip: client.ip,
      userAgent: client.userAgent?.slice(0, 512) ?? null,
      revokedAt: null,
      revokeReason: null,
    });
    await this.sessions.insert(session);
    return { token, session };
  }

  /** Resolves a cookie token to an active session of an active user, or throws UNAUTHENTICATED / SESSION_EXPIRED. */
  async authenticate(token: string | undefined): Promise<AuthenticatedSession> {
    if (!token || token.length > 128) throw AuthError.unauthenticated();
    const session = await this.sessions.findByTokenHash(sha256(token));
    if (!session) throw AuthError.unauthenticated();
    const now = Date.now();
    const idleLimit = session.lastSeenAt.getTime() + this.config.session.idleHours * 3_600_000;
    if (session.revokedAt || session.expiresAt.getTime() <= now || idleLimit <= now) throw AuthError.sessionExpired();
    const user = await this.users.findById(session.userId);
    if (!user || user.status !== 'active') throw AuthError.sessionExpired();
    if (now - session.lastSeenAt.getTime() > TOUCH_INTERVAL_MS) {
      session.lastSeenAt = new Date(now);
      await this.sessions.touch(session.id, session.lastSeenAt);
    }
    return { user, session };
  }

  async list(actor: Actor, userId: string = actor.userId): Promise<SessionDto[]> {
    if (userId !== actor.userId && actor.role !== 'admin') throw new ForbiddenError();
    const rows = await this.sessions.listActiveForUser(userId, new Date());
    return rows.map((s) => toSessionDto(s, actor.sessionId));
  }

  /** Revokes one of the actor's own sessions (or any session, for an admin). */
  async revokeOne(actor: Actor, sessionId: string): Promise<void> {
    const session = await this.sessions.findById(sessionId);
    if (!session || session.revokedAt) throw AuthError.sessionNotFound();
    if (session.userId !== actor.userId && actor.role !== 'admin') throw AuthError.sessionNotFound();
    await this.revoke(session.userId, 'revoked', { onlyId: sessionId });
  }

  async revokeOthers(actor: Actor): Promise<number> {
    const ids = await this.revoke(actor.userId, 'revoked', { exceptId: actor.sessionId });
    return ids.length;
  }

  async signOut(actor: Actor): Promise<void> {
    await this.revoke(actor.userId, 'signed_out', { onlyId: actor.sessionId });
  }

  /** Revokes a user's sessions and tells every server process to drop their sockets. */
  async revoke(
    userId: string,
    reason: SessionRevokeReason,
    options: { exceptId?: string; onlyId?: string } = {},
  ): Promise<string[]> {
    const sessionIds = await this.sessions.revokeForUser(userId, reason, options);
    if (sessionIds.length > 0) {
      const event: SessionsRevokedEvent = { userId, sessionIds, reason };
      this.events.emit(SESSIONS_REVOKED_EVENT, event);
    }
    return sessionIds;
  }
}

export function toSessionDto(s: SessionEntity, currentSessionId: string): SessionDto {
  return {
    id: s.id,
    createdAt: s.createdAt.toISOString(),
    lastSeenAt: s.lastSeenAt.toISOString(),
    expiresAt: s.expiresAt.toISOString(),
    ip: s.ip,
    userAgent: s.userAgent,
    current: s.id === currentSessionId,
  };
}
