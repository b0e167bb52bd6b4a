import { Module } from '@nestjs/common';
import { MessagingModule } from '../messaging/messaging.module.js';
import { PresenceGateway } from './presence.gateway.js';
import { PresenceService } from './presence.service.js';

@Module({ imports: [MessagingModule], providers: [PresenceService, PresenceGateway] })
export class PresenceModule {}
