import { Injectable } from '@nestjs/common';
import type { SystemEvent } from '@miyu/protocol';
import { DataSource, type EntityManager, In, IsNull } from 'typeorm';
import { ConversationMemberEntity } from './entities/conversation-member.entity.js';
import { ConversationEntity } from './entities/conversation.entity.js';
import { MessageEntity } from './entities/message.entity.js';

export interface ConversationRow {
  conversation: ConversationEntity;
  memberCount: number;
  myRole: ConversationMemberEntity['role'];
  readSeq: number;
  unreadCount: number;
}

@Injectable()
export class ConversationsRepository {
  constructor(private readonly dataSource: DataSource) {}

  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  findById(id: string, manager: EntityManager = this.dataSource.manager): Promise<ConversationEntity | null> {
    return manager.getRepository(ConversationEntity).findOneBy({ id });
  }

  findByDirectKey(directKey: string): Promise<ConversationEntity | null> {
    return this.dataSource.getRepository(ConversationEntity).findOneBy({ directKey });
  }

  activeMembership(conversationId: string, userId: string, manager: EntityManager = this.dataSource.manager) {
    return manager.getRepository(ConversationMemberEntity).findOneBy({ conversationId, userId, leftAt: IsNull() });
  }

  activeMembers(conversationId: string): Promise<ConversationMemberEntity[]> {
    return this.dataSource
      .getRepository(ConversationMemberEntity)
      .find({ where: { conversationId, leftAt: IsNull() }, order: { joinedAt: 'ASC' }, take: 5000 });
  }

  async activeMemberIds(conversationId: string, manager: EntityManager = this.dataSource.manager): Promise<string[]> {
    const rows = await manager
      .getRepository(ConversationMemberEntity)
      .find({ select: { userId: true }, where: { conversationId, leftAt: IsNull() } });
    return rows.map((r) => r.userId);
  }

  async activeUserIds(userIds: string[], manager: EntityManager): Promise<string[]> {
    if (userIds.length === 0) return [];
    const rows = (await manager.query(`SELECT id FROM users WHERE id = ANY($1::uuid[]) AND status = 'active'`, [
      userIds,
    ])) as Array<{ id: string }>;
    return rows.map((r) => r.id);
  }

  async insert(conversation: ConversationEntity, manager: EntityManager): Promise<void> {
    await manager.getRepository(ConversationEntity).insert(conversation);
  }

  /** Adds (or re-adds) members; returns the user ids that were not already active members. */
  async addMembers(
    conversationId: string,
    members: Array<{ userId: string; role: ConversationMemberEntity['role'] }>,
    manager: EntityManager,
  ): Promise<string[]> {
    if (members.length === 0) return [];
    const rows = (await manager.query(
      `INSERT INTO conversation_members (conversation_id, user_id, role)
       SELECT $1, m.user_id, m.role FROM unnest($2::uuid[], $3::text[]) AS m(user_id, role)
       ON CONFLICT (conversation_id, user_id) DO UPDATE
         SET left_at = NULL, joined_at = now(), role = EXCLUDED.role
         WHERE conversation_members.left_at IS NOT NULL
       RETURNING user_id`,
      [conversationId, members.map((m) => m.userId), members.map((m) => m.role)],
    )) as Array<{ user_id: string }>;
    return rows.map((r) => r.user_id);
  }

  async markLeft(conversationId: string, userId: string, manager: EntityManager): Promise<boolean> {
    const result = await manager
      .getRepository(ConversationMemberEntity)
      .update({ conversationId, userId, leftAt: IsNull() }, { leftAt: new Date() });
    return (result.affected ?? 0) > 0;
  }

  async setRole(
    conversationId: string,
    userId: string,
    role: ConversationMemberEntity['role'],
    manager: EntityManager,
  ): Promise<void> {
    await manager
      .getRepository(ConversationMemberEntity)
      .update({ conversationId, userId, leftAt: IsNull() }, { role });
  }

  async setOwner(conversationId: string, ownerId: string | null, manager: EntityManager): Promise<void> {
    await manager.getRepository(ConversationEntity).update({ id: conversationId }, { ownerId });
  }

  async updateDetails(
    conversationId: string,
    patch: { name?: string; topic?: string | null },
    manager: EntityManager,
  ): Promise<void> {
    await manager.getRepository(ConversationEntity).update({ id: conversationId }, patch);
  }

  /** Who takes over a group whose owner leaves: the longest-standing admin, else the longest-standing member. */
  async successorOwner(conversationId: string, manager: EntityManager): Promise<string | null> {
    const rows = (await manager.query(
      `SELECT user_id FROM conversation_members WHERE conversation_id = $1 AND left_at IS NULL
        ORDER BY (role = 'admin') DESC, joined_at, user_id LIMIT 1`,
      [conversationId],
    )) as Array<{ user_id: string }>;
    return rows[0]?.user_id ?? null;
  }

  countActiveMembers(conversationId: string, manager: EntityManager): Promise<number> {
    return manager.getRepository(ConversationMemberEntity).countBy({ conversationId, leftAt: IsNull() });
  }

  /** Appends a server-authored timeline entry under the conversation's row lock; returns it. */
  async appendSystemEvent(conversationId: string, event: SystemEvent, manager: EntityManager): Promise<MessageEntity> {
    const [row] = (await manager.query(
      `UPDATE conversations SET last_seq = last_seq + 1 WHERE id = $1 RETURNING last_seq`,
      [conversationId],
    )) as [Array<{ last_seq: string }>, number];
    const message = Object.assign(new MessageEntity(), {
      conversationId,
      seq: row[0]!.last_seq,
      clientMsgId: null,
      senderUserId: null,
      senderDeviceId: null,
      envelope: null,
      system: event,
      serverTs: new Date(),
      recalledAt: null,
      recalledBy: null,
      mentionsAll: false,
    } satisfies MessageEntity);
    await manager.getRepository(MessageEntity).insert(message);
    return message;
  }

  async listForUser(userId: string): Promise<ConversationRow[]> {
    const rows = (await this.dataSource.query(
      `SELECT c.id, m.role AS my_role, m.read_seq,
              (SELECT count(*)::int FROM conversation_members x WHERE x.conversation_id = c.id AND x.left_at IS NULL) AS member_count,
              -- Messages from others after the read cursor: a range of messages_pkey, as long as the unread part.
              (SELECT count(*)::int FROM messages u
                WHERE u.conversation_id = c.id AND u.seq > m.read_seq AND u.envelope IS NOT NULL
                  AND u.recalled_at IS NULL AND u.sender_user_id IS DISTINCT FROM $1) AS unread_count
       FROM conversation_members m JOIN conversations c ON c.id = m.conversation_id
       WHERE m.user_id = $1 AND m.left_at IS NULL
       ORDER BY c.last_seq DESC, c.created_at DESC
       LIMIT 1000`,
      [userId],
    )) as Array<{
      id: string;
      my_role: ConversationMemberEntity['role'];
      member_count: number;
      read_seq: string;
      unread_count: number;
    }>;
    if (rows.length === 0) return [];
    const conversations = await this.dataSource
      .getRepository(ConversationEntity)
      .findBy({ id: In(rows.map((r) => r.id)) });
    const byId = new Map(conversations.map((c) => [c.id, c]));
    return rows.map((r) => ({
      conversation: byId.get(r.id)!,
      memberCount: r.member_count,
      myRole: r.my_role,
      readSeq: Number(r.read_seq),
      unreadCount: r.unread_count,
    }));
  }

  async lastSeqsForUser(userId: string): Promise<Array<{ id: string; lastSeq: number }>> {
    const rows = (await this.dataSource.query(
      `SELECT c.id, c.last_seq FROM conversation_members m JOIN conversations c ON c.id = m.conversation_id
       WHERE m.user_id = $1 AND m.left_at IS NULL`,
      [userId],
    )) as Array<{ id: string; last_seq: string }>;
    return rows.map((r) => ({ id: r.id, lastSeq: Number(r.last_seq) }));
  }
}
