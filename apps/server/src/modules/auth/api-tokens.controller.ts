import { Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type ApiTokenDto, type CreatedApiToken, createApiTokenSchema, createServiceTokenSchema } from '@miyu/protocol';
import type { z } from 'zod';
import { UuidParam, ZodBody } from '../../common/validation/zod.js';
import { CurrentActor, Roles, SignedIn } from './auth.decorators.js';
import type { Actor } from './auth.types.js';
import { ApiTokensService } from './api-tokens.service.js';

/** The signed-in user's own API tokens (sessions only: a token cannot mint or list tokens). */
@ApiTags('api-tokens')
@SignedIn()
@Controller('api/tokens')
export class ApiTokensController {
  constructor(private readonly tokens: ApiTokensService) {}

  @Get()
  list(@CurrentActor() actor: Actor): Promise<ApiTokenDto[]> {
    return this.tokens.list(actor);
  }

  @Post()
  create(
    @CurrentActor() actor: Actor,
    @ZodBody(createApiTokenSchema) body: z.output<typeof createApiTokenSchema>,
  ): Promise<CreatedApiToken> {
    return this.tokens.create(actor, body);
  }

  @Delete(':id')
  @HttpCode(204)
  async revoke(@CurrentActor() actor: Actor, @UuidParam('id') id: string): Promise<void> {
    await this.tokens.revoke(actor, id);
  }
}

/** Service tokens for other systems (admins only; sessions only). */
@ApiTags('api-tokens')
@Roles('admin')
@Controller('api/admin/service-tokens')
export class ServiceTokensController {
  constructor(private readonly tokens: ApiTokensService) {}

  @Get()
  list(@CurrentActor() actor: Actor): Promise<ApiTokenDto[]> {
    return this.tokens.listService(actor);
  }

  @Post()
  create(
    @CurrentActor() actor: Actor,
    @ZodBody(createServiceTokenSchema) body: z.output<typeof createServiceTokenSchema>,
  ): Promise<CreatedApiToken> {
    return this.tokens.createService(actor, body);
  }

  @Delete(':id')
  @HttpCode(204)
  async revoke(@CurrentActor() actor: Actor, @UuidParam('id') id: string): Promise<void> {
    await this.tokens.revoke(actor, id);
  }
}
