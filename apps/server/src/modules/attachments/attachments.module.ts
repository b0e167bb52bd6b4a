import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { MessagingModule } from '../messaging/messaging.module.js';
import { BLOB_STORE } from './blob-store.js';
import { AttachmentsController } from './attachments.controller.js';
import { AttachmentsRepository } from './attachments.repository.js';
import { AttachmentsService } from './attachments.service.js';
import { LocalDiskBlobStore } from './local-disk-blob-store.js';

@Module({
  imports: [MessagingModule],
  controllers: [AttachmentsController],
  providers: [
    AttachmentsRepository,
    AttachmentsService,
    {
      provide: BLOB_STORE,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new LocalDiskBlobStore(config.attachments.filesDir),
    },
  ],
})
export class AttachmentsModule {}
