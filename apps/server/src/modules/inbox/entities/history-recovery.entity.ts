import { Column, Entity, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from '../../auth/entities/user.entity.js';

/** The History Key wrapped under the user's recovery key (or passphrase): opaque to the server. */
@Entity({ name: 'history_recovery' })
export class HistoryRecoveryEntity {
  @PrimaryColumn('uuid', { name: 'user_id' })
  userId: string;

  @OneToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'history_recovery_user_id_fkey' })
  user?: UserEntity;

  /** historyKeyId(HK): which History Key this wraps (backups are filed under the same id). */
  @Column('bytea', { name: 'key_id' })
  keyId: Buffer;

  @Column('bytea')
  wrap: Buffer;

  @Column('timestamptz', { name: 'updated_at', default: () => 'now()' })
  updatedAt: Date;
}
