import { Module } from '@nestjs/common';
import { MessagingModule } from '../messaging/messaging.module.js';
import { ReceiptsController } from './receipts.controller.js';
import { ReceiptsGateway } from './receipts.gateway.js';
import { ReceiptsRepository } from './receipts.repository.js';
import { ReceiptsService } from './receipts.service.js';

/** Read receipts (issue 7): cursors, their events, and the sender's read/unread lists. */
@Module({
  imports: [MessagingModule],
  controllers: [ReceiptsController],
  providers: [ReceiptsRepository, ReceiptsService, ReceiptsGateway],
})
export class ReceiptsModule {}
