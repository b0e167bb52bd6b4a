import { Module } from '@nestjs/common';
import { BackupsController } from './backups.controller.js';
import { HistoryRecoveryController } from './history-recovery.controller.js';
import { HistoryRecoveryService } from './history-recovery.service.js';
import { InboxGateway } from './inbox.gateway.js';
import { InboxRepository } from './inbox.repository.js';
import { InboxService } from './inbox.service.js';

@Module({
  controllers: [BackupsController, HistoryRecoveryController],
  providers: [InboxRepository, InboxService, InboxGateway, HistoryRecoveryService],
  exports: [InboxService],
})
export class InboxModule {}
