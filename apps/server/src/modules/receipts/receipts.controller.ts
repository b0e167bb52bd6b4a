import { Controller, Get, Param, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  type ReceiptListPage,
  receiptListQuerySchema,
  type ReceiptSummary,
  receiptSummaryQuerySchema,
} from '@miyu/protocol';
import { z } from 'zod';
import { UuidParam, ZodBody, ZodPipe, ZodQuery } from '../../common/validation/zod.js';
import { CurrentActor, SignedIn } from '../auth/auth.decorators.js';
import type { Actor } from '../auth/auth.types.js';
import { ReceiptsService } from './receipts.service.js';

const seqSchema = z.coerce.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const hideRequestSchema = z.strictObject({ hideReadReceipts: z.boolean() });

@ApiTags('receipts')
@SignedIn()
@Controller('api')
export class ReceiptsController {
  constructor(private readonly receipts: ReceiptsService) {}

  /** The sender's ring: read counts of some of their own messages (`?seqs=1,2,3`). */
  @Get('conversations/:id/receipts')
  summary(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @ZodQuery(receiptSummaryQuerySchema) query: z.output<typeof receiptSummaryQuerySchema>,
  ): Promise<ReceiptSummary> {
    return this.receipts.summary(actor, id, query.seqs);
  }

  /** Who has read (`state=read`) or not (`state=unread`) one of the sender's messages, by name, paged. */
  @Get('conversations/:id/messages/:seq/receipts')
  list(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @Param('seq', new ZodPipe(seqSchema)) seq: number,
    @ZodQuery(receiptListQuerySchema) query: z.output<typeof receiptListQuerySchema>,
  ): Promise<ReceiptListPage> {
    return this.receipts.list(actor, id, seq, query);
  }

  @Get('me/read-receipts')
  getHidden(@CurrentActor() actor: Actor): Promise<{ hideReadReceipts: boolean }> {
    return this.receipts.getHidden(actor);
  }

  /** The person's own choice to hide their read receipts (honoured when the org makes them optional). */
  @Put('me/read-receipts')
  setHidden(
    @CurrentActor() actor: Actor,
    @ZodBody(hideRequestSchema) body: z.output<typeof hideRequestSchema>,
  ): Promise<{ hideReadReceipts: boolean }> {
    return this.receipts.setHidden(actor, body.hideReadReceipts);
  }
}
