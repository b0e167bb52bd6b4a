import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  type AuditConsistencyProof,
  auditConsistencyQuerySchema,
  type AuditEntryDto,
  auditExportQuerySchema,
  type AuditInclusionProof,
  auditInclusionQuerySchema,
  type AuditPage,
  auditQuerySchema,
  type SignedAuditCheckpoint,
} from '@miyu/protocol';
import type { Response } from 'express';
import { z } from 'zod';
import { ZodPipe, ZodQuery } from '../../common/validation/zod.js';
import { CurrentActor, Roles, TokenScopes } from '../auth/auth.decorators.js';
import type { Actor } from '../auth/auth.types.js';
import { AuditService } from './audit.service.js';
import { AuditExportService, sendAuditExport } from './audit-export.service.js';

type Out<S extends z.ZodType> = z.output<S>;
const seqSchema = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);

/** The audit log for admins and auditors: search, entries, the signed tree head and proofs. */
@ApiTags('audit')
@Roles('admin', 'auditor')
@TokenScopes('audit:read')
@Controller('api/audit')
export class AuditController {
  constructor(
    private readonly audit: AuditService,
    private readonly exports: AuditExportService,
  ) {}

  @Get('entries')
  list(
    @CurrentActor() actor: Actor,
    @ZodQuery(auditQuerySchema) query: Out<typeof auditQuerySchema>,
  ): Promise<AuditPage> {
    return this.audit.list(actor, query);
  }

  @Get('entries/:seq')
  get(@CurrentActor() actor: Actor, @Param('seq', new ZodPipe(seqSchema)) seq: number): Promise<AuditEntryDto> {
    return this.audit.get(actor, seq);
  }

  /** The latest signed checkpoint (tree size, root, time), with the audit public key. */
  @Get('checkpoint')
  @TokenScopes('audit:read', 'compliance:export')
  checkpoint(@CurrentActor() actor: Actor): Promise<SignedAuditCheckpoint> {
    return this.audit.checkpoint(actor);
  }

  @Get('proofs/inclusion')
  inclusion(
    @CurrentActor() actor: Actor,
    @ZodQuery(auditInclusionQuerySchema) query: Out<typeof auditInclusionQuerySchema>,
  ): Promise<AuditInclusionProof> {
    return this.audit.inclusion(actor, query.seq, query.size);
  }

  @Get('proofs/consistency')
  consistency(
    @CurrentActor() actor: Actor,
    @ZodQuery(auditConsistencyQuerySchema) query: Out<typeof auditConsistencyQuerySchema>,
  ): Promise<AuditConsistencyProof> {
    return this.audit.consistency(actor, query.from, query.to);
  }

  /**
   * A verifiable export (docs/audit-export.md): the latest signed checkpoint and every matching entry with its
   * inclusion proof, streamed as JSONL or as a zip (entries.csv + checkpoint.json). X-Audit-Export-Count gives the
   * number of entries before the body, for progress. Verify offline with `npm run audit:verify`.
   */
  @Get('export')
  async export(
    @CurrentActor() actor: Actor,
    @ZodQuery(auditExportQuerySchema) query: Out<typeof auditExportQuerySchema>,
    @Res() res: Response,
  ): Promise<void> {
    await sendAuditExport(res, await this.exports.open(actor, query));
  }
}
