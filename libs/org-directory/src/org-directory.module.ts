import { Module } from '@nestjs/common';

/** The org directory as a Nest module: departments, memberships and directory queries (filled in by its issue). */
@Module({})
export class OrgDirectoryModule {}
