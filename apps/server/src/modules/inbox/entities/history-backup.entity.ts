import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from '../../auth/entities/user.entity.js';

/**
 * A user's history backup (libs/crypto history.ts): one encrypted sender-key session export per (history key,
 * session, uploading device). Restoring devices merge the items of a session and keep the earliest index, which
 * the server cannot see.
 */
@Entity({ name: 'history_backups' })
export class HistoryBackupEntity {
  @PrimaryColumn('uuid', { name: 'user_id' })
  userId: string;

  @PrimaryColumn('bytea', { name: 'key_id' })
  keyId: Buffer;

  @PrimaryColumn('bytea', { name: 'session_id' })
  sessionId: Buffer;

  @PrimaryColumn('uuid', { name: 'device_id' })
  deviceId: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'history_backups_user_id_fkey' })
  user?: UserEntity;

  @Column('bytea')
  blob: Buffer;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt: Date;
}
