import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, ILike, IsNull, Not, type Repository } from 'typeorm';
import { RecoveryCodeEntity } from './entities/recovery-code.entity.js';
import { UserEntity } from './entities/user.entity.js';

@Injectable()
export class UsersRepository {
  private readonly users: Repository<UserEntity>;

  constructor(private readonly dataSource: DataSource) {
    this.users = dataSource.getRepository(UserEntity);
  }

  findById(id: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ id });
  }

  findByLogin(login: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ login: login.toLowerCase() });
  }

  findByEmployeeNo(employeeNo: string): Promise<UserEntity | null> {
    return this.users.findOneBy({ employeeNo });
  }

  async insert(user: UserEntity, manager?: EntityManager): Promise<UserEntity> {
    await (manager ?? this.dataSource.manager).getRepository(UserEntity).insert(user);
    return user;
  }

  async update(id: string, patch: Partial<UserEntity>, manager?: EntityManager): Promise<void> {
    await (manager ?? this.dataSource.manager)
      .getRepository(UserEntity)
      .update({ id }, { ...patch, updatedAt: new Date() });
  }

  /** Any admin, active or disabled: once one exists, first-run setup is over. */
  adminExists(manager?: EntityManager): Promise<boolean> {
    return (manager ?? this.dataSource.manager).getRepository(UserEntity).existsBy({ role: 'admin' });
  }

  async page(query: { q?: string; limit: number; offset: number }): Promise<{ items: UserEntity[]; total: number }> {
    const pattern = query.q ? `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
    // Webhook bots are accounts, but not people to manage here (they come and go with their webhook).
    const where = pattern
      ? [
          { login: ILike(pattern), bot: false },
          { displayName: ILike(pattern), bot: false },
          { employeeNo: ILike(pattern), bot: false },
        ]
      : { bot: false };
    const [items, total] = await this.users.findAndCount({
      where,
      order: { createdAt: 'ASC', id: 'ASC' },
      take: query.limit,
      skip: query.offset,
    });
    return { items, total };
  }

  async replaceRecoveryCodes(
    userId: string,
    hashes: Buffer[],
    newId: () => string,
    manager: EntityManager,
  ): Promise<void> {
    const repo = manager.getRepository(RecoveryCodeEntity);
    await repo.delete({ userId });
    if (hashes.length > 0) {
      await repo.insert(hashes.map((codeHash) => ({ id: newId(), userId, codeHash, usedAt: null })));
    }
  }

  /** Marks one unused recovery code as used; true when one matched. Atomic, so a code works once. */
  async consumeRecoveryCode(userId: string, codeHash: Buffer): Promise<boolean> {
    const result = await this.dataSource
      .getRepository(RecoveryCodeEntity)
      .update({ userId, codeHash, usedAt: IsNull() }, { usedAt: new Date() });
    return (result.affected ?? 0) > 0;
  }

  async deleteRecoveryCodes(userId: string, manager?: EntityManager): Promise<void> {
    await (manager ?? this.dataSource.manager).getRepository(RecoveryCodeEntity).delete({ userId });
  }

  /** Accepts a TOTP time step only if it is newer than the last one accepted (no code reuse). */
  async advanceTotpStep(userId: string, step: number): Promise<boolean> {
    const result = await this.dataSource
      .createQueryBuilder()
      .update(UserEntity)
      .set({ totpLastStep: String(step) })
      .where('id = :userId AND (totp_last_step IS NULL OR totp_last_step < :step)', { userId, step })
      .execute();
    return (result.affected ?? 0) > 0;
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  otherActiveAdminExists(userId: string, manager: EntityManager): Promise<boolean> {
    return manager.getRepository(UserEntity).existsBy({ role: 'admin', status: 'active', id: Not(userId) });
  }
}
