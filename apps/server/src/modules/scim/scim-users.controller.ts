import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBody } from '@nestjs/swagger';
import { type ScimListResponse, type ScimUser, scimPatchRequestSchema, scimUserInputSchema } from '@miyu/protocol';
import type { Response } from 'express';
import { jsonSchemaOf } from '../../common/validation/zod.js';
import { CurrentActor } from '../auth/auth.decorators.js';
import type { Actor } from '../auth/auth.types.js';
import { ScimEndpoint } from './scim-decorators.js';
import { patchRequest } from './scim-request.js';
import { parseListQuery } from './scim-resources.js';
import { ScimUsersService } from './scim-users.service.js';

@ScimEndpoint()
@Controller('scim/v2/Users')
export class ScimUsersController {
  constructor(private readonly users: ScimUsersService) {}

  @Get()
  list(@Query() query: Record<string, unknown>): Promise<ScimListResponse<ScimUser>> {
    return this.users.list(parseListQuery(query));
  }

  @Get(':id')
  get(@Param('id') id: string, @Query() query: Record<string, unknown>): Promise<ScimUser> {
    return this.users.get(id, parseListQuery(query));
  }

  @Post()
  @ApiBody({ schema: jsonSchemaOf(scimUserInputSchema) })
  async create(
    @CurrentActor() actor: Actor,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ScimUser> {
    const user = await this.users.create(actor, body);
    res.setHeader('Location', user.meta.location);
    return user;
  }

  @Put(':id')
  @ApiBody({ schema: jsonSchemaOf(scimUserInputSchema) })
  replace(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() body: unknown): Promise<ScimUser> {
    return this.users.replace(actor, id, body);
  }

  @Patch(':id')
  @ApiBody({ schema: jsonSchemaOf(scimPatchRequestSchema) })
  patch(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() body: unknown): Promise<ScimUser> {
    return this.users.patch(actor, id, patchRequest(body));
  }

  /** Disables the account (see ScimUsersService.remove). */
  @Delete(':id')
  @HttpCode(204)
  remove(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<void> {
    return this.users.remove(actor, id);
  }
}
