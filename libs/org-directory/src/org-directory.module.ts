import { Module } from '@nestjs/common';
import { DepartmentGroupsService } from './department-groups.service.js';
import { DirectoryImportService } from './directory-import.service.js';
import { DirectoryRepository } from './directory.repository.js';
import { DirectoryService } from './directory.service.js';

/**
 * The org directory as a Nest module: departments, memberships, directory queries, department groups and the
 * import/export. Needs a `DataSource` and `EventEmitter2` from the host application (both global in the server).
 */
@Module({
  providers: [DirectoryRepository, DirectoryService, DepartmentGroupsService, DirectoryImportService],
  exports: [DirectoryService, DepartmentGroupsService, DirectoryImportService, DirectoryRepository],
})
export class OrgDirectoryModule {}
