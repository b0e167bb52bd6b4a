import { Module } from '@nestjs/common';
import { BackupsController } from './backups.controller.js';
import { InboxGateway } from './inbox.gateway.js';
import { InboxRepository } from './inbox.repository.js';
import { InboxService } from './inbox.service.js';

@Module({
  controllers: [BackupsController],
  providers: [InboxRepository, InboxService, InboxGateway],
})
export class InboxModule {}
