import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { DeviceEntity } from './device.entity.js';

/** A published one-time prekey; claiming deletes it, so each is handed out once. */
@Entity({ name: 'one_time_prekeys' })
export class OneTimePrekeyEntity {
  @PrimaryColumn('uuid', { name: 'device_id' })
  deviceId: string;

  @PrimaryColumn('bigint', { name: 'key_id' })
  keyId: string;

  @ManyToOne(() => DeviceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'device_id', foreignKeyConstraintName: 'one_time_prekeys_device_id_fkey' })
  device?: DeviceEntity;

  @Column('bytea', { name: 'public_key' })
  publicKey: Buffer;
}
