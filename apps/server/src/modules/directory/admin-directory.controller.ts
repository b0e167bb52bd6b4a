import { Controller, Delete, Get, HttpCode, Patch, Post, Put, Req, Res, UseInterceptors } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { DepartmentGroupsService, DirectoryImportService, DirectoryService } from '@miyu/org-directory';
import {
  createDepartmentGroupRequestSchema,
  createDepartmentRequestSchema,
  type DepartmentDto,
  type DepartmentGroupDto,
  type DirectorySettingsDto,
  directorySettingsSchema,
  exportQuerySchema,
  groupMemberChangeRequestSchema,
  IMPORT_MAX_CSV_BYTES,
  IMPORT_MAX_XLSX_BYTES,
  importQuerySchema,
  type ImportReport,
  listGroupsQuerySchema,
  moveDepartmentRequestSchema,
  type PersonCardDto,
  type PersonSummaryDto,
  reorderDepartmentsRequestSchema,
  setManagerRequestSchema,
  setMembershipRequestSchema,
  transferPersonRequestSchema,
  updateDepartmentRequestSchema,
} from '@miyu/protocol';
import type { Request, Response } from 'express';
import type { z } from 'zod';
import { UuidParam, ZodBody, ZodQuery } from '../../common/validation/zod.js';
import { CurrentActor, Roles } from '../auth/auth.decorators.js';
import type { Actor } from '../auth/auth.types.js';
import { DirectoryErrorsInterceptor } from './directory-errors.interceptor.js';
import { readRawBody } from './raw-body.js';
import { RawBodyDoc } from '../../common/http/raw-body-doc.js';

type Out<S extends z.ZodType> = z.output<S>;

/** Directory administration (admins only; the services check again). */
@ApiTags('admin')
@Roles('admin')
@UseInterceptors(DirectoryErrorsInterceptor)
@Controller('api/admin/directory')
export class AdminDirectoryController {
  constructor(
    private readonly directory: DirectoryService,
    private readonly groups: DepartmentGroupsService,
    private readonly importer: DirectoryImportService,
  ) {}

  @Post('departments')
  create(
    @CurrentActor() actor: Actor,
    @ZodBody(createDepartmentRequestSchema) body: Out<typeof createDepartmentRequestSchema>,
  ): Promise<DepartmentDto> {
    return this.directory.createDepartment(actor, body);
  }

  @Patch('departments/:id')
  update(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @ZodBody(updateDepartmentRequestSchema) body: Out<typeof updateDepartmentRequestSchema>,
  ): Promise<DepartmentDto> {
    return this.directory.updateDepartment(actor, id, body);
  }

  @Post('departments/:id/move')
  @HttpCode(200)
  move(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @ZodBody(moveDepartmentRequestSchema) body: Out<typeof moveDepartmentRequestSchema>,
  ): Promise<DepartmentDto> {
    return this.directory.moveDepartment(actor, id, body);
  }

  @Post('departments/reorder')
  @HttpCode(200)
  reorder(
    @CurrentActor() actor: Actor,
    @ZodBody(reorderDepartmentsRequestSchema) body: Out<typeof reorderDepartmentsRequestSchema>,
  ): Promise<DepartmentDto[]> {
    return this.directory.reorderDepartments(actor, body);
  }

  @Delete('departments/:id')
  @HttpCode(204)
  remove(@CurrentActor() actor: Actor, @UuidParam('id') id: string): Promise<void> {
    return this.directory.deleteDepartment(actor, id);
  }

  @Put('departments/:id/members/:userId')
  setMembership(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @UuidParam('userId') userId: string,
    @ZodBody(setMembershipRequestSchema) body: Out<typeof setMembershipRequestSchema>,
  ): Promise<PersonCardDto> {
    return this.directory.setMembership(actor, id, userId, body);
  }

  @Delete('departments/:id/members/:userId')
  @HttpCode(204)
  removeMembership(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @UuidParam('userId') userId: string,
  ): Promise<void> {
    return this.directory.removeMembership(actor, id, userId);
  }

  @Post('people/:userId/transfer')
  @HttpCode(200)
  transfer(
    @CurrentActor() actor: Actor,
    @UuidParam('userId') userId: string,
    @ZodBody(transferPersonRequestSchema) body: Out<typeof transferPersonRequestSchema>,
  ): Promise<PersonCardDto> {
    return this.directory.transferPerson(actor, userId, body);
  }

  @Put('people/:userId/manager')
  setManager(
    @CurrentActor() actor: Actor,
    @UuidParam('userId') userId: string,
    @ZodBody(setManagerRequestSchema) body: Out<typeof setManagerRequestSchema>,
  ): Promise<PersonCardDto> {
    return this.directory.setManager(actor, userId, body.managerId);
  }

  @Get('settings')
  settings(@CurrentActor() actor: Actor): Promise<DirectorySettingsDto> {
    return this.directory.getSettings(actor);
  }

  @Put('settings')
  updateSettings(
    @CurrentActor() actor: Actor,
    @ZodBody(directorySettingsSchema.strict()) body: DirectorySettingsDto,
  ): Promise<DirectorySettingsDto> {
    return this.directory.updateSettings(actor, body);
  }

  /** Body: the raw file (`Content-Type: text/csv` or the XLSX type); `?format=csv|xlsx&dryRun=true|false`. */
  @Post('import')
  @HttpCode(200)
  @RawBodyDoc(['text/csv', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'], 'The CSV or XLSX file')
  async import(
    @CurrentActor() actor: Actor,
    @ZodQuery(importQuerySchema) query: Out<typeof importQuerySchema>,
    @Req() req: Request,
  ): Promise<ImportReport> {
    const data = await readRawBody(req, query.format === 'csv' ? IMPORT_MAX_CSV_BYTES : IMPORT_MAX_XLSX_BYTES);
    return this.importer.importFile(actor, query.format, data, query.dryRun);
  }

  @Get('export')
  async export(
    @CurrentActor() actor: Actor,
    @ZodQuery(exportQuerySchema) query: Out<typeof exportQuerySchema>,
    @Res() res: Response,
  ): Promise<void> {
    const file = await this.importer.exportFile(actor, query.format);
    res.setHeader(
      'content-type',
      query.format === 'csv'
        ? 'text/csv; charset=utf-8'
        : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    res.setHeader('content-disposition', `attachment; filename="directory.${query.format}"`);
    res.send(file);
  }

  @Get('groups')
  listGroups(
    @CurrentActor() actor: Actor,
    @ZodQuery(listGroupsQuerySchema) query: Out<typeof listGroupsQuerySchema>,
  ): Promise<DepartmentGroupDto[]> {
    return this.groups.list(actor, query.includeArchived);
  }

  @Post('groups')
  createGroup(
    @CurrentActor() actor: Actor,
    @ZodBody(createDepartmentGroupRequestSchema) body: Out<typeof createDepartmentGroupRequestSchema>,
  ): Promise<DepartmentGroupDto> {
    return this.groups.create(actor, body);
  }

  @Get('groups/:id/members')
  groupMembers(@CurrentActor() actor: Actor, @UuidParam('id') id: string): Promise<PersonSummaryDto[]> {
    return this.groups.members(actor, id);
  }

  @Post('groups/:id/archive')
  @HttpCode(200)
  archiveGroup(@CurrentActor() actor: Actor, @UuidParam('id') id: string): Promise<DepartmentGroupDto> {
    return this.groups.archive(actor, id);
  }

  /** Always refused (DEPARTMENT_GROUP_MANAGED): members follow the directory. */
  @Post('groups/:id/members')
  addGroupMember(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @ZodBody(groupMemberChangeRequestSchema) body: Out<typeof groupMemberChangeRequestSchema>,
  ): Promise<never> {
    return this.groups.addMemberManually(actor, id, body.userId);
  }

  /** Always refused (DEPARTMENT_GROUP_MANAGED): members follow the directory. */
  @Delete('groups/:id/members/:userId')
  removeGroupMember(
    @CurrentActor() actor: Actor,
    @UuidParam('id') id: string,
    @UuidParam('userId') userId: string,
  ): Promise<never> {
    return this.groups.removeMemberManually(actor, id, userId);
  }
}
