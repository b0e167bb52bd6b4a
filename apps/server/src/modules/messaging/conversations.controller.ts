import { Controller, Delete, Get, HttpCode, Patch, Post, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  addMembersRequestSchema,
  type ConversationDto,
  type ConversationMemberDto,
  createConversationRequestSchema,
  historyQuerySchema,
  setMemberRoleRequestSchema,
  updateConversationRequestSchema,
  type TimelineMessage,
} from '@miyu/protocol';
import type { z } from 'zod';
import { UuidParam, ZodBody, ZodQuery } from '../../common/validation/zod.js';
import { CurrentActor, SignedIn } from '../auth/auth.decorators.js';
import type { Actor } from '../auth/auth.types.js';
import { ConversationsService } from './conversations.service.js';
import { GroupSettingsService } from './group-settings.service.js';
import { MessagesService } from './messages.service.js';

@ApiTags('conversations')
@SignedIn()
@Controller('api/conversations')
export class ConversationsController {
  constructor(
    private readonly conversations: ConversationsService,
    private readonly messages: MessagesService,
    private readonly groups: GroupSettingsService,
  ) {}

  @Get()
  list(@CurrentActor() actor: Actor): Promise<ConversationDto[]> {
    return this.conversations.list(actor);
  }

  @Post()
  create(
    @CurrentActor() actor: Actor,
    @ZodBody(createConversationRequestSchema) body: z.output<typeof createConversationRequestSchema>,
  ): Promise<ConversationDto> {
    return this.conversations.create(actor, body);
  }

  @Get(':id')
  get(@CurrentActor() actor: Actor, @UuidParam('id') id: string): Promise<ConversationDto> {
    return this.conversations.get(actor, id);
  }

  /** Owner or admins of a group: name and topic. */
  @Patch(':id')
  update(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @ZodBody(updateConversationRequestSchema) body: z.output<typeof updateConversationRequestSchema>,
  ): Promise<ConversationDto> {
    return this.groups.update(actor, id, body);
  }

  /** Owner only: admin / member, or `owner` to hand the group over. */
  @Put(':id/members/:userId/role')
  setRole(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @UuidParam('userId') userId: string,
    @ZodBody(setMemberRoleRequestSchema) body: z.output<typeof setMemberRoleRequestSchema>,
  ): Promise<ConversationMemberDto[]> {
    return this.groups.setRole(actor, id, userId, body.role);
  }

  @Get(':id/members')
  members(@CurrentActor() actor: Actor, @UuidParam('id') id: string): Promise<ConversationMemberDto[]> {
    return this.conversations.members(actor, id);
  }

  @Post(':id/members')
  @HttpCode(200)
  addMembers(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @ZodBody(addMembersRequestSchema) body: z.output<typeof addMembersRequestSchema>,
  ): Promise<ConversationDto> {
    return this.conversations.addMembers(actor, id, body.userIds);
  }

  @Delete(':id/members/:userId')
  @HttpCode(204)
  removeMember(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @UuidParam('userId') userId: string,
  ): Promise<void> {
    return this.conversations.removeMember(actor, id, userId);
  }

  /** History paging backwards (roaming: any device of a member can read everything, as ciphertext). */
  @Get(':id/messages')
  history(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @ZodQuery(historyQuerySchema) query: z.output<typeof historyQuerySchema>,
  ): Promise<TimelineMessage[]> {
    return this.messages.history(actor, id, query.before, query.limit);
  }
}
