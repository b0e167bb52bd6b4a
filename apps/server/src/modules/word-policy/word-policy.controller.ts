import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { filterHitReportSchema, type WordPolicyResponse } from '@miyu/protocol';
import type { z } from 'zod';
import { ZodBody } from '../../common/validation/zod.js';
import { CurrentActor, SignedIn } from '../auth/auth.decorators.js';
import type { Actor } from '../auth/auth.types.js';
import { HitLogService } from './hit-log.service.js';
import { WordPolicyService } from './word-policy.service.js';

/** What every signed-in client needs: the signed policy, and a place to file content-free hits. */
@ApiTags('word-policy')
@SignedIn()
@Controller('api/word-policy')
export class WordPolicyController {
  constructor(
    private readonly policy: WordPolicyService,
    private readonly hits: HitLogService,
  ) {}

  @Get()
  async current(): Promise<WordPolicyResponse> {
    return { policy: await this.policy.signed() };
  }

  @Post('hits')
  @HttpCode(200)
  report(
    @CurrentActor() actor: Actor,
    @ZodBody(filterHitReportSchema) body: z.output<typeof filterHitReportSchema>,
  ): Promise<{ filed: number }> {
    return this.hits.report(actor, null, body);
  }
}
