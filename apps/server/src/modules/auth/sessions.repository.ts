import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, IsNull, MoreThan, type Repository } from 'typeorm';
import { SessionEntity } from './entities/session.entity.js';

@Injectable()
export class SessionsRepository {
  private readonly sessions: Repository<SessionEntity>;

  constructor(private readonly dataSource: DataSource) {
    this.sessions = dataSource.getRepository(SessionEntity);
  }

  async insert(session: SessionEntity): Promise<void> {
    await this.sessions.insert(session);
  }

  findByTokenHash(tokenHash: Buffer): Promise<SessionEntity | null> {
    return this.sessions.findOneBy({ tokenHash });
  }

  findById(id: string): Promise<SessionEntity | null> {
    return this.sessions.findOneBy({ id });
  }

  listActiveForUser(userId: string, now: Date): Promise<SessionEntity[]> {
    return this.sessions.find({
      where: { userId, revokedAt: IsNull(), expiresAt: MoreThan(now) },
      order: { createdAt: 'DESC' },
      take: 200,
    });
  }

  async touch(id: string, at: Date): Promise<void> {
    await this.sessions.update({ id }, { lastSeenAt: at });
  }

  /** Revokes the active sessions of a user (optionally all but one); returns the ids revoked. */
  async revokeForUser(
    userId: string,
    reason: string,
    options: { exceptId?: string; onlyId?: string } = {},
    manager?: EntityManager,
  ): Promise<string[]> {
    const qb = (manager ?? this.dataSource.manager)
      .createQueryBuilder()
      .update(SessionEntity)
      .set({ revokedAt: () => 'now()', revokeReason: reason })
      .where('user_id = :userId AND revoked_at IS NULL', { userId });
    if (options.exceptId) qb.andWhere('id <> :exceptId', { exceptId: options.exceptId });
    if (options.onlyId) qb.andWhere('id = :onlyId', { onlyId: options.onlyId });
    const result = await qb.returning(['id']).execute();
    return (result.raw as Array<{ id: string }>).map((r) => r.id);
  }
}
