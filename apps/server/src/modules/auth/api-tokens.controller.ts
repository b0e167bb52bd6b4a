import { Controller, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type ApiTokenDto, type CreatedApiToken, createApiTokenSchema } from '@miyu/protocol';
import type { z } from 'zod';
import { UuidParam, ZodBody } from '../../common/validation/zod.js';
import { CurrentActor } from './auth.decorators.js';
import type { Actor } from './auth.types.js';
import { ApiTokensService } from './api-tokens.service.js';

/** The signed-in user's own API tokens (sessions only: a token cannot mint or list tokens). */
@ApiTags('api-tokens')
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
