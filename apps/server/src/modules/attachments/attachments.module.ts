import { Module } from '@nestjs/common';
import { MessagingModule } from '../messaging/messaging.module.js';
import { AttachmentsController } from './attachments.controller.js';
import { AttachmentsRepository } from './attachments.repository.js';
import { AttachmentsService } from './attachments.service.js';
import { BlobStoreModule } from './blob-store.module.js';

@Module({
  imports: [MessagingModule, BlobStoreModule],
  controllers: [AttachmentsController],
  providers: [AttachmentsRepository, AttachmentsService],
})
export class AttachmentsModule {}
