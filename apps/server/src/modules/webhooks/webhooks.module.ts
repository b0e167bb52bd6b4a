import { Module } from '@nestjs/common';
import { SecretBox } from '../../common/security/secret-box.js';
import { AuthModule } from '../auth/auth.module.js';
import { RetentionModule } from '../compliance/retention.module.js';
import { InboxModule } from '../inbox/inbox.module.js';
import { KeysModule } from '../keys/keys.module.js';
import { MessagingModule } from '../messaging/messaging.module.js';
import { WordPolicyModule } from '../word-policy/word-policy.module.js';
import { BotMessagesController, HooksController } from './hooks.controller.js';
import { WebhookDeliveryService } from './webhook-delivery.service.js';
import { ConversationBotsController, WebhooksController } from './webhooks.controller.js';
import { WebhooksRepository } from './webhooks.repository.js';
import { WebhooksService } from './webhooks.service.js';

/** Incoming webhooks: management API for group owners, the public signed endpoint, and the server-side bot devices. */
@Module({
  imports: [AuthModule, KeysModule, InboxModule, MessagingModule, RetentionModule, WordPolicyModule],
  controllers: [WebhooksController, ConversationBotsController, HooksController, BotMessagesController],
  providers: [SecretBox, WebhooksRepository, WebhooksService, WebhookDeliveryService],
})
export class WebhooksModule {}
