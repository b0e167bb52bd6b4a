import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { DeviceEntity } from '../../keys/entities/device.entity.js';

/** One queued to-device message; deleted when the recipient device acks it (or when the device is removed). */
@Entity({ name: 'device_inbox' })
export class DeviceInboxEntity {
  @PrimaryColumn('uuid', { name: 'device_id' })
  deviceId: string;

  /** From the sequence `device_inbox_id_seq`: increasing, so per-device order is insertion order. */
  @PrimaryColumn('bigint')
  id: string;

  @ManyToOne(() => DeviceEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'device_id', foreignKeyConstraintName: 'device_inbox_device_id_fkey' })
  device?: DeviceEntity;

  @Column('uuid', { name: 'sender_user_id' })
  senderUserId: string;

  @Column('uuid', { name: 'sender_device_id' })
  senderDeviceId: string;

  @Column('bytea')
  payload: Buffer;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt: Date;
}
