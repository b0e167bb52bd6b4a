import { Module } from '@nestjs/common';
import { OrgDirectoryModule } from '@miyu/org-directory';
import { AdminDirectoryController } from './admin-directory.controller.js';
import { DirectoryController } from './directory.controller.js';

/** HTTP surface of the org directory; the rules live in @miyu/org-directory. */
@Module({
  imports: [OrgDirectoryModule],
  controllers: [DirectoryController, AdminDirectoryController],
})
export class DirectoryModule {}
