import { Controller, Get, HttpCode, Post, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type LdapConfigDto, type LdapSyncResult, putLdapConfigRequestSchema } from '@miyu/protocol';
import type { z } from 'zod';
import { ZodBody } from '../../common/validation/zod.js';
import { CurrentActor, Roles } from '../auth/auth.decorators.js';
import type { Actor } from '../auth/auth.types.js';
import { LdapConfigService } from './ldap-config.service.js';
import { LdapSyncService } from './ldap-sync.service.js';

@ApiTags('admin')
@Roles('admin')
@Controller('api/admin/ldap')
export class LdapSyncController {
  constructor(
    private readonly config: LdapConfigService,
    private readonly sync: LdapSyncService,
  ) {}

  @Get()
  get(@CurrentActor() actor: Actor): Promise<LdapConfigDto> {
    return this.config.get(actor);
  }

  @Put()
  put(
    @CurrentActor() actor: Actor,
    @ZodBody(putLdapConfigRequestSchema) body: z.output<typeof putLdapConfigRequestSchema>,
  ): Promise<LdapConfigDto> {
    return this.config.put(actor, body);
  }

  /** The dry-run diff: reads the directory, changes nothing. */
  @Post('preview')
  @HttpCode(200)
  preview(@CurrentActor() actor: Actor): Promise<LdapSyncResult> {
    return this.sync.preview(actor);
  }

  @Post('sync')
  @HttpCode(200)
  run(@CurrentActor() actor: Actor): Promise<LdapSyncResult> {
    return this.sync.sync(actor);
  }
}
