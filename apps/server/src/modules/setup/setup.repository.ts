import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, MoreThan } from 'typeorm';
import { SetupTokenEntity } from './setup-token.entity.js';

@Injectable()
export class SetupRepository {
  constructor(private readonly dataSource: DataSource) {}

  async addToken(tokenHash: Buffer, expiresAt: Date): Promise<void> {
    await this.dataSource.getRepository(SetupTokenEntity).upsert({ tokenHash, expiresAt }, ['tokenHash']);
  }

  tokenValid(tokenHash: Buffer, manager: EntityManager): Promise<boolean> {
    return manager.getRepository(SetupTokenEntity).existsBy({ tokenHash, expiresAt: MoreThan(new Date()) });
  }

  async clearTokens(manager: EntityManager): Promise<void> {
    await manager.getRepository(SetupTokenEntity).createQueryBuilder().delete().execute();
  }
}
