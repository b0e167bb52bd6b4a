import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBody } from '@nestjs/swagger';
import { type ScimListResponse, type ScimGroup, scimPatchRequestSchema, scimGroupInputSchema } from '@miyu/protocol';
import type { Response } from 'express';
import { jsonSchemaOf } from '../../common/validation/zod.js';
import { CurrentActor } from '../auth/auth.decorators.js';
import type { Actor } from '../auth/auth.types.js';
import { ScimEndpoint } from './scim-decorators.js';
import { patchRequest } from './scim-request.js';
import { parseListQuery } from './scim-resources.js';
import { ScimGroupsService } from './scim-groups.service.js';

@ScimEndpoint()
@Controller('scim/v2/Groups')
export class ScimGroupsController {
  constructor(private readonly groups: ScimGroupsService) {}

  @Get()
  list(@Query() query: Record<string, unknown>): Promise<ScimListResponse<ScimGroup>> {
    return this.groups.list(parseListQuery(query));
  }

  @Get(':id')
  get(@Param('id') id: string, @Query() query: Record<string, unknown>): Promise<ScimGroup> {
    return this.groups.get(id, parseListQuery(query));
  }

  @Post()
  @ApiBody({ schema: jsonSchemaOf(scimGroupInputSchema) })
  async create(
    @CurrentActor() actor: Actor,
    @Body() body: unknown,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ScimGroup> {
    const group = await this.groups.create(actor, body);
    res.setHeader('Location', group.meta.location);
    return group;
  }

  @Put(':id')
  @ApiBody({ schema: jsonSchemaOf(scimGroupInputSchema) })
  replace(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() body: unknown): Promise<ScimGroup> {
    return this.groups.replace(actor, id, body);
  }

  @Patch(':id')
  @ApiBody({ schema: jsonSchemaOf(scimPatchRequestSchema) })
  patch(@CurrentActor() actor: Actor, @Param('id') id: string, @Body() body: unknown): Promise<ScimGroup> {
    return this.groups.patch(actor, id, patchRequest(body));
  }

  /** Deletes the department (see ScimGroupsService.remove). */
  @Delete(':id')
  @HttpCode(204)
  remove(@CurrentActor() actor: Actor, @Param('id') id: string): Promise<void> {
    return this.groups.remove(actor, id);
  }
}
