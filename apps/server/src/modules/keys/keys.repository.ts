import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, In, IsNull, type Repository } from 'typeorm';
import { DeviceEntity } from './entities/device.entity.js';
import { OneTimePrekeyEntity } from './entities/one-time-prekey.entity.js';

export interface ClaimedPrekey {
  deviceId: string;
  keyId: number;
  publicKey: Buffer;
}

@Injectable()
export class KeysRepository {
  private readonly devices: Repository<DeviceEntity>;

  constructor(private readonly dataSource: DataSource) {
    this.devices = dataSource.getRepository(DeviceEntity);
  }

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  findDevice(id: string): Promise<DeviceEntity | null> {
    return this.devices.findOneBy({ id });
  }

  activeDevicesOf(userId: string): Promise<DeviceEntity[]> {
    return this.devices.find({ where: { userId, revokedAt: IsNull() }, order: { createdAt: 'ASC' } });
  }

  activeDevicesByIds(ids: string[]): Promise<DeviceEntity[]> {
    return this.devices.findBy({ id: In(ids), revokedAt: IsNull() });
  }

  /** Whether the account is a webhook's bot (its device keys are held by the server). */
  async isBot(userId: string): Promise<boolean> {
    const rows = (await this.devices.manager.query(`SELECT bot FROM users WHERE id = $1`, [userId])) as Array<{
      bot: boolean;
    }>;
    return rows[0]?.bot ?? false;
  }

  /** The bot accounts among these users. */
  async botsAmong(userIds: string[]): Promise<Set<string>> {
    if (userIds.length === 0) return new Set();
    const rows = (await this.devices.manager.query(`SELECT id FROM users WHERE id = ANY($1::uuid[]) AND bot`, [
      userIds,
    ])) as Array<{ id: string }>;
    return new Set(rows.map((r) => r.id));
  }

  countActiveDevices(userId: string, manager: EntityManager): Promise<number> {
    return manager.getRepository(DeviceEntity).countBy({ userId, revokedAt: IsNull() });
  }

  async insertDevice(device: DeviceEntity, manager: EntityManager): Promise<void> {
    await manager.getRepository(DeviceEntity).insert(device);
  }

  async updateDevice(id: string, patch: Partial<DeviceEntity>): Promise<void> {
    await this.devices.update({ id }, patch);
  }

  /** Adds one-time prekeys; ids already published are ignored (a retried refill is harmless). */
  async addPrekeys(
    deviceId: string,
    prekeys: Array<{ id: number; publicKey: Buffer }>,
    manager?: EntityManager,
  ): Promise<void> {
    if (prekeys.length === 0) return;
    await (manager ?? this.dataSource.manager)
      .createQueryBuilder()
      .insert()
      .into(OneTimePrekeyEntity)
      .values(prekeys.map((p) => ({ deviceId, keyId: String(p.id), publicKey: p.publicKey })))
      .orIgnore()
      .execute();
  }

  async countPrekeys(deviceIds: string[]): Promise<Map<string, number>> {
    if (deviceIds.length === 0) return new Map();
    const rows = (await this.dataSource.query(
      `SELECT device_id, count(*)::int AS n FROM one_time_prekeys WHERE device_id = ANY($1::uuid[]) GROUP BY device_id`,
      [deviceIds],
    )) as Array<{ device_id: string; n: number }>;
    return new Map(rows.map((r) => [r.device_id, r.n]));
  }

  /**
   * Takes one one-time prekey from each named device, atomically: the keys are deleted as they are returned, and
   * `SKIP LOCKED` makes concurrent claimers take different keys instead of waiting or sharing one.
   */
  async claimOnePerDevice(deviceIds: string[]): Promise<ClaimedPrekey[]> {
    if (deviceIds.length === 0) return [];
    // For a DELETE, TypeORM's query() answers [rows, rowCount].
    const [rows] = (await this.dataSource.query(
      `WITH picked AS (
         SELECT d.id AS device_id, k.key_id
         FROM unnest($1::uuid[]) AS d(id)
         CROSS JOIN LATERAL (
           SELECT key_id FROM one_time_prekeys o WHERE o.device_id = d.id
           ORDER BY key_id LIMIT 1 FOR UPDATE SKIP LOCKED
         ) k
       )
       DELETE FROM one_time_prekeys o USING picked p
       WHERE o.device_id = p.device_id AND o.key_id = p.key_id
       RETURNING o.device_id, o.key_id, o.public_key`,
      [deviceIds],
    )) as [Array<{ device_id: string; key_id: string; public_key: Buffer }>, number];
    return rows.map((r) => ({ deviceId: r.device_id, keyId: Number(r.key_id), publicKey: r.public_key }));
  }

  /** Revokes devices (all of a user's, or one) and drops their unclaimed prekeys; returns the ids revoked. */
  async revoke(userId: string, reason: string, onlyId?: string): Promise<string[]> {
    return this.dataSource.transaction(async (manager) => {
      const qb = manager
        .createQueryBuilder()
        .update(DeviceEntity)
        .set({ revokedAt: () => 'now()', revokeReason: reason })
        .where('user_id = :userId AND revoked_at IS NULL', { userId });
      if (onlyId) qb.andWhere('id = :onlyId', { onlyId });
      const result = await qb.returning(['id']).execute();
      const ids = (result.raw as Array<{ id: string }>).map((r) => r.id);
      if (ids.length > 0) await manager.getRepository(OneTimePrekeyEntity).delete({ deviceId: In(ids) });
      return ids;
    });
  }
}
