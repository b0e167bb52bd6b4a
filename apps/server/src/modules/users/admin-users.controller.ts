import { Controller, Get, HttpCode, Patch, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import {
  createUserRequestSchema,
  listUsersQuerySchema,
  type SessionDto,
  setPasswordRequestSchema,
  updateUserRequestSchema,
  type UserDto,
  type UserPage,
} from '@miyu/protocol';
import type { z } from 'zod';
import { UuidParam, ZodBody, ZodQuery } from '../../common/validation/zod.js';
import { CurrentActor, Roles } from '../auth/auth.decorators.js';
import type { Actor } from '../auth/auth.types.js';
import { UsersService } from './users.service.js';

@ApiTags('admin')
@Roles('admin')
@Controller('api/admin/users')
export class AdminUsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  list(
    @CurrentActor() actor: Actor,
    @ZodQuery(listUsersQuerySchema) query: z.output<typeof listUsersQuerySchema>,
  ): Promise<UserPage> {
    return this.users.list(actor, query);
  }

  @Post()
  create(
    @CurrentActor() actor: Actor,
    @ZodBody(createUserRequestSchema) body: z.output<typeof createUserRequestSchema>,
  ): Promise<UserDto> {
    return this.users.create(actor, body);
  }

  @Patch(':id')
  update(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @ZodBody(updateUserRequestSchema) body: z.output<typeof updateUserRequestSchema>,
  ): Promise<UserDto> {
    return this.users.update(actor, id, body);
  }

  @Post(':id/password')
  @HttpCode(204)
  setPassword(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @ZodBody(setPasswordRequestSchema) body: z.output<typeof setPasswordRequestSchema>,
  ): Promise<void> {
    return this.users.setPassword(actor, id, body.password);
  }

  @Get(':id/sessions')
  sessions(@CurrentActor() actor: Actor, @UuidParam('id') id: string): Promise<SessionDto[]> {
    return this.users.sessionsOf(actor, id);
  }

  @Post(':id/sessions/revoke')
  @HttpCode(200)
  async revokeSessions(@CurrentActor() actor: Actor, @UuidParam('id') id: string): Promise<{ revoked: number }> {
    return { revoked: await this.users.revokeSessionsOf(actor, id) };
  }
}
