import { Module } from '@nestjs/common';
import { WordPolicyModule } from '../word-policy/word-policy.module.js';
import { RetentionModule } from '../compliance/retention.module.js';
import { ConversationsController } from './conversations.controller.js';
import { MessagingSettingsController } from './settings.controller.js';
import { ConversationsRepository } from './conversations.repository.js';
import { ConversationsService } from './conversations.service.js';
import { GroupSettingsService } from './group-settings.service.js';
import { MessagesRepository } from './messages.repository.js';
import { MessagesService } from './messages.service.js';
import { MessagingGateway } from './messaging.gateway.js';
import { MessagingListeners } from './messaging.listeners.js';

@Module({
  imports: [WordPolicyModule, RetentionModule],
  controllers: [ConversationsController, MessagingSettingsController],
  providers: [
    ConversationsRepository,
    ConversationsService,
    GroupSettingsService,
    MessagesRepository,
    MessagesService,
    MessagingGateway,
    MessagingListeners,
  ],
  exports: [ConversationsService, MessagesService],
})
export class MessagingModule {}
