import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from '../../auth/entities/user.entity.js';

/**
 * A device of a user (one browser profile) and its public keys. The device id is chosen by the client and signed
 * into its identity (libs/crypto DeviceIdentity), so the server cannot re-attribute keys. Removed devices are
 * kept (revoked) so that old messages still show who sent them.
 */
@Entity({ name: 'devices' })
@Index('devices_user_active_idx', ['userId'], { where: 'revoked_at IS NULL' })
export class DeviceEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('uuid', { name: 'user_id' })
  userId: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'devices_user_id_fkey' })
  user?: UserEntity;

  @Column('text')
  name: string;

  /** encodeDeviceIdentity(): user id, device id, Ed25519 signing key, X25519 identity key, signature. */
  @Column('bytea')
  identity: Buffer;

  @Column('bytea', { name: 'signing_key' })
  signingKey: Buffer;

  @Column('bigint', { name: 'signed_prekey_id' })
  signedPrekeyId: string;

  @Column('bytea', { name: 'signed_prekey' })
  signedPrekey: Buffer;

  @Column('bigint', { name: 'signed_prekey_created_at' })
  signedPrekeyCreatedAt: string;

  @Column('bytea', { name: 'signed_prekey_signature' })
  signedPrekeySignature: Buffer;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt: Date;

  @Column('timestamptz', { name: 'last_seen_at', default: () => 'now()' })
  lastSeenAt: Date;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt: Date | null;

  @Column('text', { name: 'revoke_reason', nullable: true })
  revokeReason: string | null;
}
