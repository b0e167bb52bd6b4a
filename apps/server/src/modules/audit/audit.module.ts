import { Module } from '@nestjs/common';
import { SigningKeys } from '../../common/security/signing-keys.js';
import { AuditController } from './audit.controller.js';
import { AuditExportService } from './audit-export.service.js';
import { AuditRetention } from './audit-retention.js';
import { AuditSettingsController } from './audit-settings.controller.js';
import { AuditListener } from './audit.listener.js';
import { AuditRepository } from './audit.repository.js';
import { AuditService } from './audit.service.js';
import { AuditTree } from './audit-tree.js';
import { AuditWriter } from './audit-writer.js';

/**
 * The tamper-evident audit log (issue 9). Other modules record through AUDIT_EVENT (audit.events.ts) and never
 * import this module.
 */
@Module({
  controllers: [AuditController, AuditSettingsController],
  providers: [
    SigningKeys,
    AuditRepository,
    AuditWriter,
    AuditTree,
    AuditService,
    AuditListener,
    AuditExportService,
    AuditRetention,
  ],
})
export class AuditModule {}
