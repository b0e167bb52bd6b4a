import { Controller, Delete, Get, HttpCode, Post, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  type ComplianceKeyDto,
  type ComplianceOverview,
  type ComplianceSettings,
  complianceSettingsUpdateSchema,
  createRetentionScopeSchema,
  type RetentionPolicyDto,
  type RetentionRunDto,
  type RetentionScopeDto,
  setRetentionPolicySchema,
  uploadComplianceKeySchema,
} from '@miyu/protocol';
import type { z } from 'zod';
import { UuidParam, ZodBody } from '../../common/validation/zod.js';
import { CurrentActor, Roles } from '../auth/auth.decorators.js';
import type { Actor } from '../auth/auth.types.js';
import { ComplianceAdminService } from './compliance-admin.service.js';
import { RetentionJob } from './retention-job.js';

type Out<S extends z.ZodType> = z.output<S>;

/** Compliance administration: key, scopes, deletion policies (admins only; the services check again). */
@ApiTags('compliance')
@Roles('admin')
@Controller('api/compliance')
export class ComplianceAdminController {
  constructor(
    private readonly admin: ComplianceAdminService,
    private readonly job: RetentionJob,
  ) {}

  @Get('overview')
  overview(@CurrentActor() actor: Actor): Promise<ComplianceOverview> {
    return this.admin.overview(actor);
  }

  @Put('settings')
  settings(
    @CurrentActor() actor: Actor,
    @ZodBody(complianceSettingsUpdateSchema) body: Out<typeof complianceSettingsUpdateSchema>,
  ): Promise<ComplianceSettings> {
    return this.admin.updateSettings(actor, body);
  }

  @Post('keys')
  uploadKey(
    @CurrentActor() actor: Actor,
    @ZodBody(uploadComplianceKeySchema) body: Out<typeof uploadComplianceKeySchema>,
  ): Promise<ComplianceKeyDto> {
    return this.admin.uploadKey(actor, body);
  }

  @Post('scopes')
  addScope(
    @CurrentActor() actor: Actor,
    @ZodBody(createRetentionScopeSchema) body: Out<typeof createRetentionScopeSchema>,
  ): Promise<RetentionScopeDto> {
    return this.admin.addScope(actor, body);
  }

  @Delete('scopes/:id')
  endScope(@CurrentActor() actor: Actor, @UuidParam('id') id: string): Promise<RetentionScopeDto> {
    return this.admin.endScope(actor, id);
  }

  @Put('policies')
  setPolicy(
    @CurrentActor() actor: Actor,
    @ZodBody(setRetentionPolicySchema) body: Out<typeof setRetentionPolicySchema>,
  ): Promise<RetentionPolicyDto> {
    return this.admin.setPolicy(actor, body);
  }

  @Delete('policies/:id')
  @HttpCode(204)
  async removePolicy(@CurrentActor() actor: Actor, @UuidParam('id') id: string): Promise<void> {
    await this.admin.removePolicy(actor, id);
  }

  @Post('retention/run')
  @HttpCode(200)
  run(@CurrentActor() actor: Actor): Promise<RetentionRunDto> {
    return this.job.runNow(actor);
  }
}
