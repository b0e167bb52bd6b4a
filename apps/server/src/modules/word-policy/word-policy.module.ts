import { Module } from '@nestjs/common';
import { SigningKeys } from '../../common/security/signing-keys.js';
import { AdminWordPolicyController } from './admin-word-policy.controller.js';
import { CurrentWordPolicy } from './current-policy.js';
import { HitLogRepository } from './hit-log.repository.js';
import { HitLogService } from './hit-log.service.js';
import { TextFilterService } from './text-filter.service.js';
import { WordPolicyController } from './word-policy.controller.js';
import { WordPolicyRepository } from './word-policy.repository.js';
import { WordPolicyService } from './word-policy.service.js';

/**
 * Sensitive-word filtering (issue 8): the signed policy clients enforce before encrypting, its administration,
 * the hit log, and the checks on plaintext the server handles. Other modules use CurrentWordPolicy (the version a
 * send must be checked under) and TextFilterService.
 */
@Module({
  controllers: [WordPolicyController, AdminWordPolicyController],
  providers: [
    WordPolicyRepository,
    HitLogRepository,
    SigningKeys,
    CurrentWordPolicy,
    WordPolicyService,
    HitLogService,
    TextFilterService,
  ],
  exports: [CurrentWordPolicy, TextFilterService],
})
export class WordPolicyModule {}
