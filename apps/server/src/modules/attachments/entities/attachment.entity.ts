import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { UserEntity } from '../../auth/entities/user.entity.js';
import { ConversationEntity } from '../../messaging/entities/conversation.entity.js';

/**
 * An encrypted blob uploaded into a conversation. The bytes live in the BlobStore under the id; this row holds what
 * the server needs to check access, resume uploads and verify completion. Nothing here reveals the file's content,
 * name or type (those travel inside the E2E message).
 */
@Entity({ name: 'attachments' })
@Index('attachments_conversation_idx', ['conversationId'])
@Index('attachments_incomplete_idx', ['createdAt'], { where: 'completed_at IS NULL' })
/** BRIN on created_at for the compliance deletion job (migration 1765300000000; TypeORM cannot describe BRIN). */
@Index('attachments_created_brin', { synchronize: false })
@Check('attachments_received_check', `received >= 0 AND received <= size`)
export class AttachmentEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('uuid', { name: 'conversation_id' })
  conversationId: string;

  @ManyToOne(() => ConversationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'conversation_id', foreignKeyConstraintName: 'attachments_conversation_id_fkey' })
  conversation?: ConversationEntity;

  @Column('uuid', { name: 'uploader_user_id' })
  uploaderUserId: string;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'uploader_user_id', foreignKeyConstraintName: 'attachments_uploader_user_id_fkey' })
  uploader?: UserEntity;

  /** Declared ciphertext size in bytes. */
  @Column('bigint')
  size: string;

  /** Bytes stored and acknowledged so far: the offset the next upload piece must start at. */
  @Column('bigint', { default: 0 })
  received: string;

  /** BLAKE2b-256 of the blob, when the client declared it; checked on completion. */
  @Column('bytea', { nullable: true })
  digest: Buffer | null;

  /** A random token held by the request currently writing, so two writers never interleave (any process). */
  @Column('uuid', { name: 'upload_lease', nullable: true })
  uploadLease: string | null;

  @Column('timestamptz', { name: 'upload_lease_until', nullable: true })
  uploadLeaseUntil: Date | null;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt: Date;

  @Column('timestamptz', { name: 'completed_at', nullable: true })
  completedAt: Date | null;
}
