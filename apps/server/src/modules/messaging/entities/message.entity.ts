import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { SystemEvent } from '@miyu/protocol';
import { ConversationEntity } from './conversation.entity.js';

/**
 * One timeline entry, keyed by (conversation_id, seq) so the table can be partitioned or distributed by
 * conversation. Messages hold the opaque E2E envelope (libs/crypto binary encoding) and nothing readable;
 * system entries hold membership metadata.
 */
@Entity({ name: 'messages' })
@Index('messages_client_msg_id_key', ['conversationId', 'clientMsgId'], {
  unique: true,
  where: 'client_msg_id IS NOT NULL',
})
/** BRIN on server_ts for the compliance deletion job (migration 1765300000000; TypeORM cannot describe BRIN). */
@Index('messages_server_ts_brin', { synchronize: false })
export class MessageEntity {
  @PrimaryColumn('uuid', { name: 'conversation_id' })
  conversationId: string;

  @PrimaryColumn('bigint')
  seq: string;

  @ManyToOne(() => ConversationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'conversation_id', foreignKeyConstraintName: 'messages_conversation_id_fkey' })
  conversation?: ConversationEntity;

  @Column('uuid', { name: 'client_msg_id', nullable: true })
  clientMsgId: string | null;

  @Column('uuid', { name: 'sender_user_id', nullable: true })
  senderUserId: string | null;

  @Column('uuid', { name: 'sender_device_id', nullable: true })
  senderDeviceId: string | null;

  @Column('bytea', { nullable: true })
  envelope: Buffer | null;

  @Column('jsonb', { nullable: true })
  system: SystemEvent | null;

  @Column('timestamptz', { name: 'server_ts', default: () => 'now()' })
  serverTs: Date;

  @Column('timestamptz', { name: 'recalled_at', nullable: true })
  recalledAt: Date | null;

  @Column('uuid', { name: 'recalled_by', nullable: true })
  recalledBy: string | null;

  /** The sender mentioned everyone, and was allowed to (checked at send). */
  @Column('boolean', { name: 'mentions_all', default: false })
  mentionsAll: boolean;
}
