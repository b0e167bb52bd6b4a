import { Module } from '@nestjs/common';
import { OrgDirectoryModule } from '@miyu/org-directory';
import { SecretBox } from '../../common/security/secret-box.js';
import { AuthModule } from '../auth/auth.module.js';
import { UsersModule } from '../users/users.module.js';
import { LdapConfigService } from './ldap-config.service.js';
import { LdapScheduler } from './ldap-scheduler.js';
import { LdapSyncController } from './ldap-sync.controller.js';
import { LdapSyncService } from './ldap-sync.service.js';

/** LDAP / Active Directory sync (docs/integrations.md): admin configuration, preview, manual and scheduled sync. */
@Module({
  imports: [AuthModule, UsersModule, OrgDirectoryModule],
  controllers: [LdapSyncController],
  providers: [SecretBox, LdapConfigService, LdapSyncService, LdapScheduler],
  exports: [LdapScheduler],
})
export class LdapSyncModule {}
