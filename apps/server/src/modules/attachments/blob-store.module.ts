import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { BLOB_STORE } from './blob-store.js';
import { LocalDiskBlobStore } from './local-disk-blob-store.js';

/** The attachment bytes (FILES_DIR), shared by attachments and the compliance export and deletion job. */
@Module({
  providers: [
    {
      provide: BLOB_STORE,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new LocalDiskBlobStore(config.attachments.filesDir),
    },
  ],
  exports: [BLOB_STORE],
})
export class BlobStoreModule {}
