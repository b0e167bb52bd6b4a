import { Controller, Delete, Get, HttpCode, Patch, Post, Put, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  filterExportQuerySchema,
  filterHitExportQuerySchema,
  filterHitQuerySchema,
  filterHitStatsQuerySchema,
  type FilterHitDto,
  type FilterHitStats,
  filterImportPreviewQuerySchema,
  type FilterImportPreview,
  type FilterImportResult,
  filterImportSchema,
  filterOptionsPatchSchema,
  filterRuleInputSchema,
  filterRuleListQuerySchema,
  type FilterRulePage,
  filterTestSchema,
  type FilterTestResult,
  whitelistInputSchema,
  WORD_LIST_MAX_BYTES,
  type WordPolicyStatus,
} from '@miyu/protocol';
import type { Request, Response } from 'express';
import type { z } from 'zod';
import { UuidParam, ZodBody, ZodQuery } from '../../common/validation/zod.js';
import { CurrentActor, Roles } from '../auth/auth.decorators.js';
import type { Actor } from '../auth/auth.types.js';
import { readRawBody } from '../directory/raw-body.js';
import { HitLogService } from './hit-log.service.js';
import { WordPolicyService } from './word-policy.service.js';
import { RawBodyDoc } from '../../common/http/raw-body-doc.js';

type Out<S extends z.ZodType> = z.output<S>;
type Published = { version: number };

/** Sensitive-word policy administration and the hit log (admins only; the services check again). */
@ApiTags('admin')
@Roles('admin')
@Controller('api/admin/word-policy')
export class AdminWordPolicyController {
  constructor(
    private readonly policy: WordPolicyService,
    private readonly hits: HitLogService,
  ) {}

  @Get()
  status(@CurrentActor() actor: Actor): Promise<WordPolicyStatus> {
    return this.policy.status(actor);
  }

  @Get('rules')
  rules(
    @CurrentActor() actor: Actor,
    @ZodQuery(filterRuleListQuerySchema) query: Out<typeof filterRuleListQuerySchema>,
  ): Promise<FilterRulePage> {
    return this.policy.listRules(actor, query);
  }

  @Post('rules')
  addRule(
    @CurrentActor() actor: Actor,
    @ZodBody(filterRuleInputSchema) body: Out<typeof filterRuleInputSchema>,
  ): Promise<Published & { id: string }> {
    return this.policy.addRule(actor, body);
  }

  @Put('rules/:id')
  updateRule(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @ZodBody(filterRuleInputSchema) body: Out<typeof filterRuleInputSchema>,
  ): Promise<Published & { id: string }> {
    return this.policy.updateRule(actor, id, body);
  }

  @Delete('rules/:id')
  deleteRule(@CurrentActor() actor: Actor, @UuidParam('id') id: string): Promise<Published> {
    return this.policy.deleteRule(actor, id);
  }

  @Get('whitelist')
  whitelist(@CurrentActor() actor: Actor): Promise<Array<{ id: string; phrase: string }>> {
    return this.policy.whitelist(actor);
  }

  @Post('whitelist')
  addWhitelist(
    @CurrentActor() actor: Actor,
    @ZodBody(whitelistInputSchema) body: Out<typeof whitelistInputSchema>,
  ): Promise<Published & { id: string }> {
    return this.policy.addWhitelist(actor, body.phrase);
  }

  @Delete('whitelist/:id')
  deleteWhitelist(@CurrentActor() actor: Actor, @UuidParam('id') id: string): Promise<Published> {
    return this.policy.deleteWhitelist(actor, id);
  }

  @Patch('options')
  setOptions(
    @CurrentActor() actor: Actor,
    @ZodBody(filterOptionsPatchSchema) body: Out<typeof filterOptionsPatchSchema>,
  ): Promise<Published> {
    return this.policy.setOptions(actor, body);
  }

  /** Body: the raw TXT, CSV or XLSX file; `?fileName=` names it. Nothing is saved. */
  @Post('import/preview')
  @HttpCode(200)
  @RawBodyDoc(
    ['text/plain', 'text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'],
    'The TXT, CSV or XLSX word list',
  )
  async previewImport(
    @CurrentActor() actor: Actor,
    @ZodQuery(filterImportPreviewQuerySchema) query: Out<typeof filterImportPreviewQuerySchema>,
    @Req() req: Request,
  ): Promise<FilterImportPreview> {
    return this.policy.previewImport(actor, query.fileName, await readRawBody(req, WORD_LIST_MAX_BYTES));
  }

  @Post('import')
  @HttpCode(200)
  commitImport(
    @CurrentActor() actor: Actor,
    @ZodBody(filterImportSchema) body: Out<typeof filterImportSchema>,
  ): Promise<FilterImportResult> {
    return this.policy.commitImport(actor, body);
  }

  @Get('export')
  async export(
    @CurrentActor() actor: Actor,
    @ZodQuery(filterExportQuerySchema) query: Out<typeof filterExportQuerySchema>,
    @Res() res: Response,
  ): Promise<void> {
    const file = await this.policy.exportRules(actor, query.format);
    res.setHeader(
      'content-type',
      query.format === 'csv'
        ? 'text/csv; charset=utf-8'
        : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    res.setHeader('content-disposition', `attachment; filename="sensitive-words.${query.format}"`);
    res.send(typeof file === 'string' ? file : Buffer.from(file));
  }

  @Post('test')
  @HttpCode(200)
  test(
    @CurrentActor() actor: Actor,
    @ZodBody(filterTestSchema) body: Out<typeof filterTestSchema>,
  ): Promise<FilterTestResult> {
    return this.policy.test(actor, body.text);
  }

  @Get('hits')
  listHits(
    @CurrentActor() actor: Actor,
    @ZodQuery(filterHitQuerySchema) query: Out<typeof filterHitQuerySchema>,
  ): Promise<{ items: FilterHitDto[]; total: number }> {
    return this.hits.list(actor, query);
  }

  @Get('hits/stats')
  stats(
    @CurrentActor() actor: Actor,
    @ZodQuery(filterHitStatsQuerySchema) query: Out<typeof filterHitStatsQuerySchema>,
  ): Promise<FilterHitStats> {
    return this.hits.stats(actor, query);
  }

  /** The hit log as CSV, streamed a page at a time. */
  @Get('hits/export')
  async exportHits(
    @CurrentActor() actor: Actor,
    @ZodQuery(filterHitExportQuerySchema) query: Out<typeof filterHitExportQuerySchema>,
    @Res() res: Response,
  ): Promise<void> {
    const lines = this.hits.exportCsv(actor, query);
    const first = await lines.next(); // authorisation errors surface before any header is sent
    res.setHeader('content-type', 'text/csv; charset=utf-8');
    res.setHeader('content-disposition', 'attachment; filename="sensitive-word-hits.csv"');
    if (!first.done) res.write(first.value);
    for await (const chunk of lines) if (!res.write(chunk)) await new Promise((r) => res.once('drain', r));
    res.end();
  }
}
