import { Module } from '@nestjs/common';
import { OrgDirectoryModule } from '@miyu/org-directory';
import { AdminDirectoryController } from './admin-directory.controller.js';
import { DirectoryController } from './directory.controller.js';
import { DirectoryListener } from './directory.listener.js';

/** HTTP surface of the org directory (and its reaction to account status); the rules live in @miyu/org-directory. */
@Module({
  imports: [OrgDirectoryModule],
  controllers: [DirectoryController, AdminDirectoryController],
  providers: [DirectoryListener],
})
export class DirectoryModule {}
