import { Controller, Get, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type OidcConfig, oidcConfigUpdateSchema } from '@miyu/protocol';
import type { z } from 'zod';
import { ZodBody } from '../../common/validation/zod.js';
import { CurrentActor, Roles } from '../auth/auth.decorators.js';
import type { Actor } from '../auth/auth.types.js';
import { OidcSettingsService } from './oidc-settings.service.js';

@ApiTags('oidc')
@Controller('api/admin/oidc')
export class OidcAdminController {
  constructor(private readonly settings: OidcSettingsService) {}

  @Get()
  @Roles('admin')
  get(@CurrentActor() actor: Actor): Promise<OidcConfig> {
    return this.settings.get(actor);
  }

  @Put()
  @Roles('admin')
  update(
    @CurrentActor() actor: Actor,
    @ZodBody(oidcConfigUpdateSchema) body: z.output<typeof oidcConfigUpdateSchema>,
  ): Promise<OidcConfig> {
    return this.settings.update(actor, body);
  }
}
