import { Module } from '@nestjs/common';
import { BlobStoreModule } from '../attachments/blob-store.module.js';
import { ComplianceAdminController } from './compliance-admin.controller.js';
import { ComplianceAdminService } from './compliance-admin.service.js';
import { ComplianceController } from './compliance.controller.js';
import { ComplianceExportController } from './compliance-export.controller.js';
import { ComplianceExportRepository } from './compliance-export.repository.js';
import { ComplianceExportService } from './compliance-export.service.js';
import { ComplianceNoticeService } from './compliance-notice.service.js';
import { ComplianceRepository } from './compliance.repository.js';
import { RetentionJob } from './retention-job.js';
import { RetentionModule } from './retention.module.js';

/**
 * Compliance retention under E2E (issue 10, docs/compliance.md): the org compliance key, retention scopes and legal
 * holds, the deletion job, and the server's side of the offline export. The escrow check on every send lives in
 * RetentionModule, which messaging imports.
 */
@Module({
  imports: [RetentionModule, BlobStoreModule],
  controllers: [ComplianceAdminController, ComplianceController, ComplianceExportController],
  providers: [
    ComplianceRepository,
    ComplianceExportRepository,
    ComplianceAdminService,
    ComplianceNoticeService,
    ComplianceExportService,
    RetentionJob,
  ],
})
export class ComplianceModule {}
