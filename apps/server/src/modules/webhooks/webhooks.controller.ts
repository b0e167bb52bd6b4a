import { Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type ConversationBots, type CreatedWebhook, createWebhookSchema, type WebhookDto } from '@miyu/protocol';
import type { z } from 'zod';
import { UuidParam, ZodBody } from '../../common/validation/zod.js';
import { CurrentActor, SignedIn } from '../auth/auth.decorators.js';
import type { Actor } from '../auth/auth.types.js';
import { WebhooksService } from './webhooks.service.js';

/** A group's incoming webhooks (its owner and admins; sessions only). The secret is returned on create/rotate only. */
@ApiTags('webhooks')
@SignedIn()
@Controller('api/conversations/:id/webhooks')
export class WebhooksController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Get()
  list(@CurrentActor() actor: Actor, @UuidParam('id') conversationId: string): Promise<WebhookDto[]> {
    return this.webhooks.list(actor, conversationId);
  }

  @Post()
  create(
    @CurrentActor() actor: Actor,
    @UuidParam('id') conversationId: string,
    @ZodBody(createWebhookSchema) body: z.output<typeof createWebhookSchema>,
  ): Promise<CreatedWebhook> {
    return this.webhooks.create(actor, conversationId, body);
  }

  @Post(':hookId/rotate-secret')
  @HttpCode(200)
  rotate(
    @CurrentActor() actor: Actor,
    @UuidParam('id') conversationId: string,
    @UuidParam('hookId') hookId: string,
  ): Promise<CreatedWebhook> {
    return this.webhooks.rotateSecret(actor, conversationId, hookId);
  }

  @Delete(':hookId')
  @HttpCode(204)
  async delete(
    @CurrentActor() actor: Actor,
    @UuidParam('id') conversationId: string,
    @UuidParam('hookId') hookId: string,
  ): Promise<void> {
    await this.webhooks.delete(actor, conversationId, hookId);
  }
}

/** The bots of a conversation (members only), so clients can badge their messages. */
@ApiTags('webhooks')
@SignedIn()
@Controller('api/conversations/:id/bots')
export class ConversationBotsController {
  constructor(private readonly webhooks: WebhooksService) {}

  @Get()
  list(@CurrentActor() actor: Actor, @UuidParam('id') conversationId: string): Promise<ConversationBots> {
    return this.webhooks.bots(actor, conversationId);
  }
}
