import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import {
  type ConversationDto,
  type ConversationMemberDto,
  type CreateConversationRequest,
  MAX_GROUP_MEMBERS,
  type SystemEvent,
} from '@miyu/protocol';
import type { EntityManager } from 'typeorm';
import { logger } from '../../common/logging/json-logger.js';
import { uuidv7 } from '../../common/security/uuid.js';
import type { Actor } from '../auth/auth.types.js';
import { AUDIT_EVENT, type AuditRecord } from '../audit/audit.events.js';
import { ConversationsRepository } from './conversations.repository.js';
import { ConversationEntity } from './entities/conversation.entity.js';
import type { MessageEntity } from './entities/message.entity.js';
import { MessagingError } from './messaging.errors.js';
import {
  MEMBERSHIP_CHANGED_EVENT,
  type MembershipChangedEvent,
  TIMELINE_APPENDED_EVENT,
  type TimelineAppendedEvent,
} from './messaging.events.js';
import { TextFilterService } from '../word-policy/text-filter.service.js';
import { toConversationDto } from './timeline.mapper.js';

/** Conversations and their membership. Every method checks that the actor may see or change the conversation. */
@Injectable()
export class ConversationsService {
  constructor(
    private readonly conversations: ConversationsRepository,
    private readonly events: EventEmitter2,
    private readonly text: TextFilterService,
  ) {}

  async create(actor: Actor, request: CreateConversationRequest): Promise<ConversationDto> {
    if (request.kind === 'direct') return this.openDirect(actor, request.userId);
    const wanted = [...new Set(request.memberIds.filter((id) => id !== actor.userId))];
    if (wanted.length + 1 > MAX_GROUP_MEMBERS) throw MessagingError.full(MAX_GROUP_MEMBERS);
    // Group names and topics are plaintext the server keeps: the org's word policy applies to them here.
    const name = await this.text.check(request.name.trim(), 'group_name', actor);
    const topic = request.topic?.trim() ? await this.text.check(request.topic.trim(), 'group_topic', actor) : null;
    const conversation = Object.assign(new ConversationEntity(), {
      id: uuidv7(),
      kind: 'group' as const,
      directKey: null,
      name,
      topic,
      ownerId: actor.userId,
      lastSeq: '0',
      createdAt: new Date(),
    });
    const { entries, members } = await this.conversations.transaction(async (manager) => {
      const active = await this.conversations.activeUserIds(wanted, manager);
      await this.conversations.insert(conversation, manager);
      await this.conversations.addMembers(
        conversation.id,
        [{ userId: actor.userId, role: 'owner' }, ...active.map((userId) => ({ userId, role: 'member' as const }))],
        manager,
      );
      const created = await this.append(conversation.id, { type: 'conversation_created', by: actor.userId }, manager);
      const added = active.length
        ? [await this.append(conversation.id, { type: 'members_added', by: actor.userId, userIds: active }, manager)]
        : [];
      return { entries: [created, ...added], members: [actor.userId, ...active] };
    });
    this.announce(conversation.id, entries, members, { added: members, removed: [] });
    this.audit({
      action: 'conversation.created',
      entity: { type: 'conversation', id: conversation.id, name },
      context: { kind: 'group', memberIds: members, topic },
    });
    return toConversationDto({
      conversation: { ...conversation, lastSeq: String(entries.length) },
      memberCount: members.length,
      myRole: 'owner',
      readSeq: 0,
      unreadCount: 0,
    });
  }

  async list(actor: Actor): Promise<ConversationDto[]> {
    return (await this.conversations.listForUser(actor.userId)).map(toConversationDto);
  }

  async get(actor: Actor, conversationId: string): Promise<ConversationDto> {
    const row = (await this.conversations.listForUser(actor.userId)).find((r) => r.conversation.id === conversationId);
    if (!row) throw MessagingError.notFound();
    return toConversationDto(row);
  }

  async members(actor: Actor, conversationId: string): Promise<ConversationMemberDto[]> {
    await this.requireMember(actor, conversationId);
    const rows = await this.conversations.activeMembers(conversationId);
    return rows.map((m) => ({ userId: m.userId, role: m.role, joinedAt: m.joinedAt.toISOString() }));
  }

  async addMembers(actor: Actor, conversationId: string, userIds: string[]): Promise<ConversationDto> {
    const { conversation } = await this.requireManager(actor, conversationId);
    const result = await this.conversations.transaction(async (manager) => {
      await manager.query('SELECT 1 FROM conversations WHERE id = $1 FOR UPDATE', [conversation.id]);
      const active = await this.conversations.activeUserIds([...new Set(userIds)], manager);
      const count = await this.conversations.countActiveMembers(conversation.id, manager);
      const added = await this.conversations.addMembers(
        conversation.id,
        active.map((userId) => ({ userId, role: 'member' as const })),
        manager,
      );
      if (count + added.length > MAX_GROUP_MEMBERS) throw MessagingError.full(MAX_GROUP_MEMBERS);
      const entry = added.length
        ? await this.append(conversation.id, { type: 'members_added', by: actor.userId, userIds: added }, manager)
        : null;
      return { added, entry, members: await this.conversations.activeMemberIds(conversation.id, manager) };
    });
    if (result.entry) {
      this.announce(conversation.id, [result.entry], result.members, { added: result.added, removed: [] });
      this.audit({
        action: 'conversation.member_added',
        entity: { type: 'conversation', id: conversation.id, name: conversation.name },
        context: { userIds: result.added },
      });
    }
    return this.get(actor, conversationId);
  }

  /** Removes a member (owner/admin), or leaves (a member removing themselves). */
  async removeMember(actor: Actor, conversationId: string, userId: string): Promise<void> {
    const leaving = userId === actor.userId;
    const { conversation, membership } = leaving
      ? await this.requireMember(actor, conversationId)
      : await this.requireManager(actor, conversationId);
    if (conversation.kind !== 'group') throw MessagingError.managed();
    const result = await this.conversations.transaction(async (manager) => {
      await manager.query('SELECT 1 FROM conversations WHERE id = $1 FOR UPDATE', [conversation.id]);
      const target = await this.conversations.activeMembership(conversation.id, userId, manager);
      if (!target) throw MessagingError.notMember();
      // Admins remove members; only the owner (or an org admin) removes admins; nobody removes the owner.
      if (!leaving && target.role === 'owner') throw MessagingError.roleForbidden();
      if (!leaving && target.role === 'admin' && membership.role !== 'owner' && actor.role !== 'admin')
        throw MessagingError.roleForbidden();
      await this.conversations.markLeft(conversation.id, userId, manager);
      const event: SystemEvent = leaving
        ? { type: 'member_left', userId }
        : { type: 'member_removed', by: actor.userId, userId };
      const entries = [await this.append(conversation.id, event, manager)];
      let successor: string | null = null;
      if (target.role === 'owner') {
        // An owner who leaves hands the group to the longest-standing admin, else member.
        successor = await this.conversations.successorOwner(conversation.id, manager);
        await this.conversations.setOwner(conversation.id, successor, manager);
        if (successor) {
          await this.conversations.setRole(conversation.id, successor, 'owner', manager);
          entries.push(
            await this.append(
              conversation.id,
              { type: 'member_role_changed', by: null, userId: successor, role: 'owner' },
              manager,
            ),
          );
        }
      }
      return {
        entries,
        successor,
        role: target.role,
        members: await this.conversations.activeMemberIds(conversation.id, manager),
      };
    });
    this.announce(conversation.id, result.entries, [...result.members, userId], { added: [], removed: [userId] });
    const entity = { type: 'conversation', id: conversation.id, name: conversation.name } as const;
    this.audit({
      action: 'conversation.member_removed',
      entity,
      context: { userIds: [userId], left: leaving, role: result.role },
    });
    if (result.successor)
      this.audit({
        action: 'conversation.role_changed',
        entity,
        context: { userId: result.successor, after: 'owner', reason: 'owner_left' },
      });
  }

  /** Creates the conversation of a department group (same id as the group); idempotent. */
  async ensureDepartmentConversation(groupId: string, name: string): Promise<void> {
    const created = await this.conversations.transaction(async (manager) => {
      if (await this.conversations.findById(groupId, manager)) return null;
      const conversation = Object.assign(new ConversationEntity(), {
        id: groupId,
        kind: 'department' as const,
        directKey: null,
        name,
        topic: null,
        ownerId: null,
        lastSeq: '0',
        createdAt: new Date(),
      });
      await this.conversations.insert(conversation, manager);
      return conversation;
    });
    if (created) logger.event('info', 'messaging', 'department conversation created', { conversationId: groupId });
  }

  /** Applies a department group's membership change from the directory (the only way its members change). */
  async applyDirectoryMembership(groupId: string, added: string[], removed: string[]): Promise<void> {
    const result = await this.conversations.transaction(async (manager) => {
      const conversation = await this.conversations.findById(groupId, manager);
      if (!conversation || conversation.kind !== 'department') return null;
      await manager.query('SELECT 1 FROM conversations WHERE id = $1 FOR UPDATE', [groupId]);
      const joined = await this.conversations.addMembers(
        groupId,
        added.map((userId) => ({ userId, role: 'member' as const })),
        manager,
      );
      const left: string[] = [];
      for (const userId of removed) if (await this.conversations.markLeft(groupId, userId, manager)) left.push(userId);
      if (joined.length === 0 && left.length === 0) return null;
      const entry = await this.append(groupId, { type: 'directory_sync', added: joined, removed: left }, manager);
      return { entry, joined, left, members: await this.conversations.activeMemberIds(groupId, manager) };
    });
    if (result) {
      this.announce(groupId, [result.entry], [...result.members, ...result.left], {
        added: result.joined,
        removed: result.left,
      });
    }
  }

  /** Writes a device-list change into the timeline of every conversation the user is in. */
  async announceDevice(userId: string, event: SystemEvent): Promise<void> {
    const conversations = await this.conversations.lastSeqsForUser(userId);
    for (const { id } of conversations) {
      const result = await this.conversations.transaction(async (manager) => ({
        entry: await this.append(id, event, manager),
        members: await this.conversations.activeMemberIds(id, manager),
      }));
      this.events.emit(TIMELINE_APPENDED_EVENT, {
        conversationId: id,
        messages: [result.entry],
        recipientUserIds: result.members,
      } satisfies TimelineAppendedEvent);
    }
  }

  /** The actor's active membership, or CONVERSATION_NOT_FOUND (which does not reveal that it exists). */
  async requireMember(actor: Pick<Actor, 'userId'>, conversationId: string) {
    const [conversation, membership] = await Promise.all([
      this.conversations.findById(conversationId),
      this.conversations.activeMembership(conversationId, actor.userId),
    ]);
    if (!conversation || !membership) throw MessagingError.notFound();
    return { conversation, membership };
  }

  private async openDirect(actor: Actor, otherUserId: string): Promise<ConversationDto> {
    if (otherUserId === actor.userId) throw MessagingError.selfDirect();
    const directKey = [actor.userId, otherUserId].sort().join(':');
    const existing = await this.conversations.findByDirectKey(directKey);
    if (existing) return this.get(actor, existing.id);
    const conversation = Object.assign(new ConversationEntity(), {
      id: uuidv7(),
      kind: 'direct' as const,
      directKey,
      name: null,
      topic: null,
      ownerId: null,
      lastSeq: '0',
      createdAt: new Date(),
    });
    try {
      const entry = await this.conversations.transaction(async (manager) => {
        const active = await this.conversations.activeUserIds([otherUserId], manager);
        if (active.length === 0) throw MessagingError.notFound();
        await this.conversations.insert(conversation, manager);
        await this.conversations.addMembers(
          conversation.id,
          [
            { userId: actor.userId, role: 'member' },
            { userId: otherUserId, role: 'member' },
          ],
          manager,
        );
        return this.append(conversation.id, { type: 'conversation_created', by: actor.userId }, manager);
      });
      const members = [actor.userId, otherUserId];
      this.announce(conversation.id, [entry], members, { added: members, removed: [] });
      this.audit({
        action: 'conversation.created',
        entity: { type: 'conversation', id: conversation.id },
        context: { kind: 'direct', memberIds: members },
      });
    } catch (err) {
      // Two people opening the same direct chat at once: the unique direct_key decides; use the winner.
      if ((err as { driverError?: { code?: string } }).driverError?.code !== '23505') throw err;
    }
    const winner = await this.conversations.findByDirectKey(directKey);
    return this.get(actor, winner!.id);
  }

  private async requireManager(actor: Actor, conversationId: string) {
    const found = await this.requireMember(actor, conversationId);
    if (found.conversation.kind !== 'group') throw MessagingError.managed();
    if (found.membership.role === 'member' && actor.role !== 'admin') throw MessagingError.notMember();
    return found;
  }

  private audit(record: AuditRecord): void {
    this.events.emit(AUDIT_EVENT, record);
  }

  private append(conversationId: string, event: SystemEvent, manager: EntityManager): Promise<MessageEntity> {
    return this.conversations.appendSystemEvent(conversationId, event, manager);
  }

  private announce(
    conversationId: string,
    messages: MessageEntity[],
    recipientUserIds: string[],
    change: { added: string[]; removed: string[] },
  ): void {
    const appended: TimelineAppendedEvent = { conversationId, messages, recipientUserIds };
    this.events.emit(TIMELINE_APPENDED_EVENT, appended);
    const membership: MembershipChangedEvent = { conversationId, ...change };
    this.events.emit(MEMBERSHIP_CHANGED_EVENT, membership);
  }
}
