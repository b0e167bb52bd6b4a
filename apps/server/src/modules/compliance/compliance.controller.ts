import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { ComplianceNotice, ConversationRetention } from '@miyu/protocol';
import { UuidParam } from '../../common/validation/zod.js';
import { CurrentActor, SignedIn, TokenScopes } from '../auth/auth.decorators.js';
import type { Actor } from '../auth/auth.types.js';
import { ComplianceNoticeService } from './compliance-notice.service.js';

/** What every member may see: the org's compliance keys and holds, and a conversation's retention. */
@ApiTags('compliance')
@SignedIn()
@Controller('api')
export class ComplianceController {
  constructor(private readonly notices: ComplianceNoticeService) {}

  /** The export tool reads it too, to check its private key against the listed keys. */
  @Get('compliance/notice')
  @TokenScopes('compliance:export')
  notice(): Promise<ComplianceNotice> {
    return this.notices.notice();
  }

  @Get('conversations/:id/retention')
  retention(@CurrentActor() actor: Actor, @UuidParam('id') id: string): Promise<ConversationRetention> {
    return this.notices.forConversation(actor, id);
  }
}
