import { Controller, Get, StreamableFile } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  complianceExportFilterSchema,
  type ExportConversationsResult,
  type ExportEscrowSession,
  type ExportMessagesPage,
  exportMessagesQuerySchema,
  exportSessionsQuerySchema,
} from '@miyu/protocol';
import type { z } from 'zod';
import { UuidParam, ZodQuery } from '../../common/validation/zod.js';
import { CurrentActor, Roles, TokenScopes } from '../auth/auth.decorators.js';
import type { Actor } from '../auth/auth.types.js';
import { ComplianceExportService } from './compliance-export.service.js';

type Out<S extends z.ZodType> = z.output<S>;

/** Ciphertext and escrow wraps for the offline export tool (auditors; session or `compliance:export` token). */
@ApiTags('compliance')
@Roles('auditor')
@TokenScopes('compliance:export')
@Controller('api/compliance/export')
export class ComplianceExportController {
  constructor(private readonly exports: ComplianceExportService) {}

  @Get('conversations')
  conversations(
    @CurrentActor() actor: Actor,
    @ZodQuery(complianceExportFilterSchema) query: Out<typeof complianceExportFilterSchema>,
  ): Promise<ExportConversationsResult> {
    return this.exports.conversations(actor, query);
  }

  @Get('messages')
  messages(
    @CurrentActor() actor: Actor,
    @ZodQuery(exportMessagesQuerySchema) query: Out<typeof exportMessagesQuerySchema>,
  ): Promise<ExportMessagesPage> {
    return this.exports.messages(actor, query);
  }

  @Get('sessions')
  sessions(
    @CurrentActor() actor: Actor,
    @ZodQuery(exportSessionsQuerySchema) query: Out<typeof exportSessionsQuerySchema>,
  ): Promise<{ sessions: ExportEscrowSession[] }> {
    return this.exports.sessions(actor, query.conversationId);
  }

  @Get('attachments/:id')
  async attachment(@CurrentActor() actor: Actor, @UuidParam('id') id: string): Promise<StreamableFile> {
    const { size, stream } = await this.exports.attachment(actor, id);
    return new StreamableFile(stream, { type: 'application/octet-stream', length: size, disposition: 'attachment' });
  }
}
