import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { MemberRole } from '@miyu/protocol';
import { UserEntity } from '../../auth/entities/user.entity.js';
import { ConversationEntity } from './conversation.entity.js';

@Entity({ name: 'conversation_members' })
@Index('conversation_members_user_active_idx', ['userId', 'conversationId'], { where: 'left_at IS NULL' })
@Check('conversation_members_role_check', `role IN ('owner', 'admin', 'member')`)
@Check('conversation_members_cursors_check', 'read_seq >= 0 AND delivered_seq >= read_seq')
@Index('conversation_members_read_idx', ['conversationId', 'readSeq'], { where: 'left_at IS NULL' })
export class ConversationMemberEntity {
  @PrimaryColumn('uuid', { name: 'conversation_id' })
  conversationId: string;

  @PrimaryColumn('uuid', { name: 'user_id' })
  userId: string;

  @ManyToOne(() => ConversationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'conversation_id', foreignKeyConstraintName: 'conversation_members_conversation_id_fkey' })
  conversation?: ConversationEntity;

  @ManyToOne(() => UserEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'conversation_members_user_id_fkey' })
  user?: UserEntity;

  @Column('text', { default: 'member' })
  role: MemberRole;

  @Column('timestamptz', { name: 'joined_at', default: () => 'now()' })
  joinedAt: Date;

  @Column('timestamptz', { name: 'left_at', nullable: true })
  leftAt: Date | null;

  /** The highest seq any of the member's devices has shown (read receipts; never goes back). */
  @Column('bigint', { name: 'read_seq', default: 0 })
  readSeq: string;

  /** The highest seq any of the member's devices has received. */
  @Column('bigint', { name: 'delivered_seq', default: 0 })
  deliveredSeq: string;
}
