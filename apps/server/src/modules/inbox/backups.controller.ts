import { Controller, Get, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type BackupPage, listBackupsQuerySchema, putBackupsRequestSchema } from '@miyu/protocol';
import type { z } from 'zod';
import { ZodBody, ZodQuery } from '../../common/validation/zod.js';
import { CurrentActor, SignedIn } from '../auth/auth.decorators.js';
import type { Actor } from '../auth/auth.types.js';
import { InboxService } from './inbox.service.js';

/** History backups (roaming): encrypted under the user's History Key, which the server never has. */
@ApiTags('history')
@SignedIn()
@Controller('api/history/backups')
export class BackupsController {
  constructor(private readonly inbox: InboxService) {}

  @Put()
  put(
    @CurrentActor() actor: Actor,
    @ZodBody(putBackupsRequestSchema) body: z.output<typeof putBackupsRequestSchema>,
  ): Promise<{ stored: number }> {
    return this.inbox.putBackups(actor, body.deviceId, body.items);
  }

  @Get()
  list(
    @CurrentActor() actor: Actor,
    @ZodQuery(listBackupsQuerySchema) query: z.output<typeof listBackupsQuerySchema>,
  ): Promise<BackupPage> {
    return this.inbox.listBackups(actor, query.keyId, query.after, query.limit);
  }
}
