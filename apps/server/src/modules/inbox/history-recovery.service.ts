import { Injectable } from '@nestjs/common';
import { ErrorCode, type HistoryRecoveryState, type PutHistoryRecoveryRequest } from '@miyu/protocol';
import { DataSource } from 'typeorm';
import { DomainError } from '../../common/errors/domain-error.js';
import { HistoryRecoveryEntity } from './entities/history-recovery.entity.js';

/**
 * The recovery wrap of a user's History Key. Only the user reads or writes their own. The first wrap fixes the
 * History Key: a wrap of a DIFFERENT key is refused (two first devices racing must not split the history); the
 * same key may be re-wrapped (a new recovery key).
 */
@Injectable()
export class HistoryRecoveryService {
  constructor(private readonly dataSource: DataSource) {}

  async get(actor: { userId: string }): Promise<HistoryRecoveryState> {
    const row = await this.dataSource.getRepository(HistoryRecoveryEntity).findOneBy({ userId: actor.userId });
    return {
      recovery: row
        ? {
            keyId: row.keyId.toString('base64url'),
            wrap: row.wrap.toString('base64url'),
            updatedAt: row.updatedAt.toISOString(),
          }
        : null,
    };
  }

  async put(actor: { userId: string }, request: PutHistoryRecoveryRequest): Promise<HistoryRecoveryState> {
    const keyId = Buffer.from(request.keyId, 'base64url');
    const wrap = Buffer.from(request.wrap, 'base64url');
    // INSERT … RETURNING returns the written row; the conflict branch writes nothing when the key differs.
    const written = (await this.dataSource.query(
      `INSERT INTO history_recovery (user_id, key_id, wrap) VALUES ($1, $2, $3)
       ON CONFLICT (user_id) DO UPDATE SET wrap = EXCLUDED.wrap, updated_at = now()
         WHERE history_recovery.key_id = EXCLUDED.key_id
       RETURNING user_id`,
      [actor.userId, keyId, wrap],
    )) as unknown[];
    if (written.length === 0) {
      throw new DomainError(
        ErrorCode.HISTORY_KEY_MISMATCH,
        'This account already has a different History Key; set this device up with the recovery key or by pairing.',
      );
    }
    return this.get(actor);
  }
}
