import { Controller, Get, HttpCode, Post, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type AuditPurgeResult, type AuditSettings, auditSettingsUpdateSchema } from '@miyu/protocol';
import type { z } from 'zod';
import { ZodBody } from '../../common/validation/zod.js';
import { CurrentActor, Roles } from '../auth/auth.decorators.js';
import type { Actor } from '../auth/auth.types.js';
import { AuditRetention } from './audit-retention.js';

/** Audit log retention: auditors may read it; admins set it and may purge now (archived first, audited). */
@ApiTags('audit')
@Controller('api/audit/settings')
export class AuditSettingsController {
  constructor(private readonly retention: AuditRetention) {}

  @Get()
  @Roles('admin', 'auditor')
  get(@CurrentActor() actor: Actor): Promise<AuditSettings> {
    return this.retention.settings(actor);
  }

  @Put()
  @Roles('admin')
  update(
    @CurrentActor() actor: Actor,
    @ZodBody(auditSettingsUpdateSchema) body: z.output<typeof auditSettingsUpdateSchema>,
  ): Promise<AuditSettings> {
    return this.retention.update(actor, body);
  }

  @Post('purge')
  @Roles('admin')
  @HttpCode(200)
  purge(@CurrentActor() actor: Actor): Promise<AuditPurgeResult> {
    return this.retention.purgeNow(actor);
  }
}
