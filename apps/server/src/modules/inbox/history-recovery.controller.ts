import { Controller, Get, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type HistoryRecoveryState, putHistoryRecoveryRequestSchema } from '@miyu/protocol';
import type { z } from 'zod';
import { ZodBody } from '../../common/validation/zod.js';
import { CurrentActor, SignedIn } from '../auth/auth.decorators.js';
import type { Actor } from '../auth/auth.types.js';
import { HistoryRecoveryService } from './history-recovery.service.js';

/** The caller's own History Key recovery wrap (see HistoryRecoveryService). */
@ApiTags('history')
@SignedIn()
@Controller('api/history/recovery')
export class HistoryRecoveryController {
  constructor(private readonly recovery: HistoryRecoveryService) {}

  @Get()
  get(@CurrentActor() actor: Actor): Promise<HistoryRecoveryState> {
    return this.recovery.get(actor);
  }

  @Put()
  put(
    @CurrentActor() actor: Actor,
    @ZodBody(putHistoryRecoveryRequestSchema) body: z.output<typeof putHistoryRecoveryRequestSchema>,
  ): Promise<HistoryRecoveryState> {
    return this.recovery.put(actor, body);
  }
}
