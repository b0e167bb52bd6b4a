import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { DeviceInboxEntity } from './entities/device-inbox.entity.js';
import { HistoryBackupEntity } from './entities/history-backup.entity.js';

@Injectable()
export class InboxRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Active devices among `deviceIds` whose owner is the sender or shares an active conversation with them. */
  async writableDevices(senderUserId: string, deviceIds: string[]): Promise<Array<{ id: string; userId: string }>> {
    const rows = (await this.dataSource.query(
      `SELECT d.id, d.user_id FROM devices d
       WHERE d.id = ANY($2::uuid[]) AND d.revoked_at IS NULL
         -- A webhook bot's inbox takes nothing: its keys are held by the server (docs/integrations.md).
         AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = d.user_id AND u.bot)
         AND (d.user_id = $1 OR EXISTS (
           SELECT 1 FROM conversation_members a JOIN conversation_members b ON b.conversation_id = a.conversation_id
           WHERE a.user_id = $1 AND b.user_id = d.user_id AND a.left_at IS NULL AND b.left_at IS NULL))`,
      [senderUserId, deviceIds],
    )) as Array<{ id: string; user_id: string }>;
    return rows.map((r) => ({ id: r.id, userId: r.user_id }));
  }

  async enqueue(
    senderUserId: string,
    senderDeviceId: string,
    messages: Array<{ deviceId: string; payload: Buffer }>,
  ): Promise<DeviceInboxEntity[]> {
    if (messages.length === 0) return [];
    const rows = (await this.dataSource.query(
      `INSERT INTO device_inbox (device_id, id, sender_user_id, sender_device_id, payload)
       SELECT m.device_id, nextval('device_inbox_id_seq'), $1, $2, m.payload
       FROM unnest($3::uuid[], $4::bytea[]) WITH ORDINALITY AS m(device_id, payload, ord)
       ORDER BY m.ord
       RETURNING device_id, id, sender_user_id, sender_device_id, payload, created_at`,
      [senderUserId, senderDeviceId, messages.map((m) => m.deviceId), messages.map((m) => m.payload)],
    )) as Array<{
      device_id: string;
      id: string;
      sender_user_id: string;
      sender_device_id: string;
      payload: Buffer;
      created_at: Date;
    }>;
    return rows.map((r) =>
      Object.assign(new DeviceInboxEntity(), {
        deviceId: r.device_id,
        id: r.id,
        senderUserId: r.sender_user_id,
        senderDeviceId: r.sender_device_id,
        payload: r.payload,
        createdAt: r.created_at,
      }),
    );
  }

  fetch(deviceId: string, afterId: number, limit: number): Promise<DeviceInboxEntity[]> {
    return this.dataSource
      .getRepository(DeviceInboxEntity)
      .createQueryBuilder('m')
      .where('m.device_id = :deviceId AND m.id > :afterId', { deviceId, afterId: String(afterId) })
      .orderBy('m.id', 'ASC')
      .limit(limit)
      .getMany();
  }

  async ack(deviceId: string, upToId: number): Promise<number> {
    const result = await this.dataSource
      .getRepository(DeviceInboxEntity)
      .createQueryBuilder()
      .delete()
      .where('device_id = :deviceId AND id <= :upToId', { deviceId, upToId: String(upToId) })
      .execute();
    return result.affected ?? 0;
  }

  async deviceOwnedActive(userId: string, deviceId: string): Promise<boolean> {
    const rows = (await this.dataSource.query(
      `SELECT 1 FROM devices WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL`,
      [deviceId, userId],
    )) as unknown[];
    return rows.length > 0;
  }

  async putBackups(
    userId: string,
    deviceId: string,
    items: Array<{ keyId: Buffer; sessionId: Buffer; blob: Buffer }>,
  ): Promise<void> {
    await this.dataSource
      .createQueryBuilder()
      .insert()
      .into(HistoryBackupEntity)
      .values(
        items.map((i) => ({
          userId,
          deviceId,
          keyId: i.keyId,
          sessionId: i.sessionId,
          blob: i.blob,
          updatedAt: new Date(),
        })),
      )
      .orUpdate(['blob', 'updated_at'], ['user_id', 'key_id', 'session_id', 'device_id'])
      .execute();
  }

  listBackups(userId: string, keyId: Buffer, after: { sessionId: Buffer; deviceId: string } | null, limit: number) {
    const qb = this.dataSource
      .getRepository(HistoryBackupEntity)
      .createQueryBuilder('b')
      .where('b.user_id = :userId AND b.key_id = :keyId', { userId, keyId })
      .orderBy('b.session_id', 'ASC')
      .addOrderBy('b.device_id', 'ASC')
      .limit(limit);
    if (after) qb.andWhere('(b.session_id, b.device_id) > (:sessionId, :deviceId)', after);
    return qb.getMany();
  }
}
