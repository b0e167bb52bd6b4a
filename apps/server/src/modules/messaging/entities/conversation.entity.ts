import { Check, Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { ConversationKind } from '@miyu/protocol';

@Entity({ name: 'conversations' })
@Index('conversations_direct_key_key', ['directKey'], { unique: true, where: 'direct_key IS NOT NULL' })
@Check('conversations_kind_check', `kind IN ('direct', 'group', 'department')`)
export class ConversationEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('text')
  kind: ConversationKind;

  /** For direct conversations: the two user ids, sorted and joined, so a pair has exactly one. */
  @Column('text', { name: 'direct_key', nullable: true })
  directKey: string | null;

  @Column('text', { nullable: true })
  name: string | null;

  @Column('text', { nullable: true })
  topic: string | null;

  @Column('uuid', { name: 'owner_id', nullable: true })
  ownerId: string | null;

  /** The last assigned per-conversation sequence number; the row lock on it serialises sends. */
  @Column('bigint', { name: 'last_seq', default: 0 })
  lastSeq: string;

  @Column('timestamptz', { name: 'created_at', default: () => 'now()' })
  createdAt: Date;
}
