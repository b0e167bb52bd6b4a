import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type {
  ConversationDto,
  ConversationMemberDto,
  MemberRole,
  SystemEvent,
  UpdateConversationRequest,
} from '@miyu/protocol';
import type { EntityManager } from 'typeorm';
import { changedFields } from '../../common/audit/changed-fields.js';
import type { Actor } from '../auth/auth.types.js';
import { AUDIT_EVENT, type AuditRecord } from '../audit/audit.events.js';
import { TextFilterService } from '../word-policy/text-filter.service.js';
import { ConversationsRepository } from './conversations.repository.js';
import { ConversationsService } from './conversations.service.js';
import type { MessageEntity } from './entities/message.entity.js';
import { MessagingError } from './messaging.errors.js';
import { TIMELINE_APPENDED_EVENT, type TimelineAppendedEvent } from './messaging.events.js';

/**
 * A group's own settings: name and topic (owner and admins) and roles (owner only; `owner` hands the group
 * over). Each change is a system event in the timeline. Direct and department conversations have no such
 * settings. Org admins may do what an owner may (e.g. for a group whose owner has left the company).
 */
@Injectable()
export class GroupSettingsService {
  constructor(
    private readonly repo: ConversationsRepository,
    private readonly conversations: ConversationsService,
    private readonly events: EventEmitter2,
    private readonly text: TextFilterService,
  ) {}

  async update(actor: Actor, conversationId: string, patch: UpdateConversationRequest): Promise<ConversationDto> {
    const { conversation, membership } = await this.conversations.requireMember(actor, conversationId);
    if (conversation.kind !== 'group') throw MessagingError.managed();
    if (membership.role === 'member' && actor.role !== 'admin') throw MessagingError.notMember();
    const name =
      patch.name === undefined
        ? undefined
        : await this.text.check(patch.name.trim(), 'group_name', actor, conversationId);
    const topic =
      patch.topic === undefined
        ? undefined
        : await this.text.check(patch.topic.trim(), 'group_topic', actor, conversationId);
    await this.inTransaction(conversationId, async (manager, append) => {
      await this.repo.updateDetails(
        conversationId,
        { ...(name !== undefined ? { name } : {}), ...(topic !== undefined ? { topic: topic || null } : {}) },
        manager,
      );
      await append({
        type: 'conversation_updated',
        by: actor.userId,
        ...(name !== undefined ? { name } : {}),
        ...(topic !== undefined ? { topic } : {}),
      });
    });
    const after = { ...(name !== undefined ? { name } : {}), ...(topic !== undefined ? { topic: topic || null } : {}) };
    this.audit({
      action: 'conversation.updated',
      entity: { type: 'conversation', id: conversationId, name: name ?? conversation.name },
      context: { changes: changedFields(conversation, after, ['name', 'topic']) ?? {} },
    });
    return this.conversations.get(actor, conversationId);
  }

  async setRole(
    actor: Actor,
    conversationId: string,
    userId: string,
    role: MemberRole,
  ): Promise<ConversationMemberDto[]> {
    const { conversation, membership } = await this.conversations.requireMember(actor, conversationId);
    if (conversation.kind !== 'group') throw MessagingError.managed();
    if (membership.role !== 'owner' && actor.role !== 'admin') throw MessagingError.roleForbidden();
    if (role === 'owner' && userId === actor.userId && membership.role === 'owner')
      return this.conversations.members(actor, conversationId);
    const changes: Array<{ userId: string; before: MemberRole; after: MemberRole }> = [];
    await this.inTransaction(conversationId, async (manager, append) => {
      const target = await this.repo.activeMembership(conversationId, userId, manager);
      if (!target) throw MessagingError.notMember();
      if (target.role === role) return;
      // The owner's role changes only by handing the group to someone else.
      if (target.role === 'owner') throw MessagingError.roleForbidden();
      if (role === 'owner') {
        const ownerId = (await this.repo.findById(conversationId, manager))?.ownerId ?? null;
        const current = ownerId ? await this.repo.activeMembership(conversationId, ownerId, manager) : null;
        if (current) {
          await this.repo.setRole(conversationId, current.userId, 'admin', manager);
          await append({ type: 'member_role_changed', by: actor.userId, userId: current.userId, role: 'admin' });
          changes.push({ userId: current.userId, before: current.role, after: 'admin' });
        }
        await this.repo.setOwner(conversationId, userId, manager);
      }
      await this.repo.setRole(conversationId, userId, role, manager);
      await append({ type: 'member_role_changed', by: actor.userId, userId, role });
      changes.push({ userId, before: target.role, after: role });
    });
    for (const change of changes)
      this.audit({
        action: 'conversation.role_changed',
        entity: { type: 'conversation', id: conversationId, name: conversation.name },
        context: change,
      });
    return this.conversations.members(actor, conversationId);
  }

  private audit(record: AuditRecord): void {
    this.events.emit(AUDIT_EVENT, record);
  }

  /** Runs `work` under the conversation's row lock, then fans the appended entries out to the members. */
  private async inTransaction(
    conversationId: string,
    work: (manager: EntityManager, append: (event: SystemEvent) => Promise<void>) => Promise<void>,
  ): Promise<void> {
    const result = await this.repo.transaction(async (manager) => {
      await manager.query('SELECT 1 FROM conversations WHERE id = $1 FOR UPDATE', [conversationId]);
      const entries: MessageEntity[] = [];
      await work(manager, async (event) => {
        entries.push(await this.repo.appendSystemEvent(conversationId, event, manager));
      });
      return { entries, members: await this.repo.activeMemberIds(conversationId, manager) };
    });
    if (result.entries.length === 0) return;
    this.events.emit(TIMELINE_APPENDED_EVENT, {
      conversationId,
      messages: result.entries,
      recipientUserIds: result.members,
    } satisfies TimelineAppendedEvent);
  }
}
