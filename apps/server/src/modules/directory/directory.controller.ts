import { Controller, Get, UseInterceptors } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { DirectoryService } from '@miyu/org-directory';
import {
  departmentMembersQuerySchema,
  type DepartmentMemberPage,
  type DepartmentNodeDto,
  type DepartmentPageDto,
  listChildrenQuerySchema,
  type PersonCardDto,
  type SearchPage,
  searchQuerySchema,
} from '@miyu/protocol';
import type { z } from 'zod';
import { UuidParam, ZodQuery } from '../../common/validation/zod.js';
import { CurrentActor, SignedIn, TokenScopes } from '../auth/auth.decorators.js';
import type { Actor } from '../auth/auth.types.js';
import { DirectoryErrorsInterceptor } from './directory-errors.interceptor.js';

/**
 * The org directory for every signed-in person: org chart, department pages, person cards, search. Read-only, so
 * service tokens with `directory:read` may call it too (as the admin who created them).
 */
@ApiTags('directory')
@UseInterceptors(DirectoryErrorsInterceptor)
@TokenScopes('directory:read')
@SignedIn()
@Controller('api/directory')
export class DirectoryController {
  constructor(private readonly directory: DirectoryService) {}

  @Get('departments')
  children(
    @CurrentActor() actor: Actor,
    @ZodQuery(listChildrenQuerySchema) query: z.output<typeof listChildrenQuerySchema>,
  ): Promise<DepartmentNodeDto[]> {
    return this.directory.listChildren(actor, query.parentId ?? null);
  }

  @Get('departments/:id')
  department(@CurrentActor() actor: Actor, @UuidParam('id') id: string): Promise<DepartmentPageDto> {
    return this.directory.departmentPage(actor, id);
  }

  @Get('departments/:id/members')
  members(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @ZodQuery(departmentMembersQuerySchema) query: z.output<typeof departmentMembersQuerySchema>,
  ): Promise<DepartmentMemberPage> {
    return this.directory.departmentMembers(actor, id, query);
  }

  @Get('people/:id')
  person(@CurrentActor() actor: Actor, @UuidParam('id') id: string): Promise<PersonCardDto> {
    return this.directory.personCard(actor, id);
  }

  @Get('search')
  search(
    @CurrentActor() actor: Actor,
    @ZodQuery(searchQuerySchema) query: z.output<typeof searchQuerySchema>,
  ): Promise<SearchPage> {
    return this.directory.search(actor, query);
  }
}
