import { Module } from '@nestjs/common';
import { OrgDirectoryModule } from '@miyu/org-directory';
import { AdminDirectoryController } from './admin-directory.controller.js';
import { DirectoryAuditListener } from './directory-audit.listener.js';
import { DirectoryController } from './directory.controller.js';
import { DirectoryListener } from './directory.listener.js';

/**
 * HTTP surface of the org directory (its reaction to account status, and its audit records); the rules live in
 * @miyu/org-directory.
 */
@Module({
  imports: [OrgDirectoryModule],
  controllers: [DirectoryController, AdminDirectoryController],
  providers: [DirectoryListener, DirectoryAuditListener],
})
export class DirectoryModule {}
