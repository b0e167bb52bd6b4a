import { z } from 'zod';
import { singleLine } from './common.js';

/**
 * Org directory: departments (a tree), memberships (a person in 1–50 departments, exactly one primary), the
 * person card, search, department groups, and the admin import/export. See docs/directory.md.
 */
export const MAX_DEPARTMENT_DEPTH = 25;
export const MAX_MEMBERSHIPS_PER_PERSON = 50;
export const IMPORT_MAX_CSV_BYTES = 50 * 1024 * 1024;
export const IMPORT_MAX_XLSX_BYTES = 20 * 1024 * 1024;
export const IMPORT_MAX_ROWS = 200_000;

export const departmentNameSchema = singleLine(1, 100).refine((s) => !s.includes('/'), {
  message: 'must not contain /',
});
export const departmentCodeSchema = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, { message: 'letters, digits, dot, underscore and dash only' });
export const titleSchema = singleLine(1, 100);
const sortOrderSchema = z.number().int().min(0).max(1_000_000);

const pageQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
};

// ---- shapes returned by the API ----

export const departmentSchema = z.object({
  id: z.uuid(),
  parentId: z.uuid().nullable(),
  name: z.string(),
  nameEn: z.string().nullable(),
  code: z.string().nullable(),
  sortOrder: z.number().int(),
  depth: z.number().int(),
  headUserId: z.uuid().nullable(),
  hidden: z.boolean(),
});
export type DepartmentDto = z.infer<typeof departmentSchema>;

/** A node of the lazy org chart: a department with its direct and recursive (distinct people) member counts. */
export const departmentNodeSchema = departmentSchema.extend({
  memberCount: z.number().int(),
  recursiveMemberCount: z.number().int(),
  hasChildren: z.boolean(),
});
export type DepartmentNodeDto = z.infer<typeof departmentNodeSchema>;

export const personSummarySchema = z.object({
  id: z.uuid(),
  displayName: z.string(),
  employeeNo: z.string().nullable(),
  title: z.string().nullable(),
});
export type PersonSummaryDto = z.infer<typeof personSummarySchema>;

export const departmentPageSchema = z.object({
  department: departmentSchema,
  /** Root first, the department itself last. */
  breadcrumbs: z.array(z.object({ id: z.uuid(), name: z.string() })),
  head: personSummarySchema.nullable(),
  children: z.array(departmentNodeSchema),
  memberCount: z.number().int(),
  recursiveMemberCount: z.number().int(),
  /** The department's active group chat, or null. */
  group: z.object({ id: z.uuid(), name: z.string() }).nullable(),
});
export type DepartmentPageDto = z.infer<typeof departmentPageSchema>;

export const departmentMemberSchema = personSummarySchema.extend({
  departmentId: z.uuid(),
  primary: z.boolean(),
  /** A disabled account that still holds the membership; only admins are shown these. */
  disabled: z.boolean(),
});
export type DepartmentMemberDto = z.infer<typeof departmentMemberSchema>;

export const departmentMemberPageSchema = z.object({ items: z.array(departmentMemberSchema), total: z.number().int() });
export type DepartmentMemberPage = z.infer<typeof departmentMemberPageSchema>;

export const membershipSchema = z.object({
  departmentId: z.uuid(),
  departmentName: z.string(),
  title: z.string().nullable(),
  primary: z.boolean(),
});
export type MembershipDto = z.infer<typeof membershipSchema>;

export const personCardSchema = z.object({
  id: z.uuid(),
  displayName: z.string(),
  employeeNo: z.string().nullable(),
  /** Null when the org hides contact details from employees (admins always see them). */
  email: z.string().nullable(),
  phone: z.string().nullable(),
  title: z.string().nullable(),
  departments: z.array(membershipSchema),
  manager: personSummarySchema.nullable(),
});
export type PersonCardDto = z.infer<typeof personCardSchema>;

export const searchMatchSchema = z.enum(['exact', 'prefix', 'contains']);
export const searchHitSchema = personSummarySchema.extend({
  match: searchMatchSchema,
  primaryDepartment: z.object({ id: z.uuid(), name: z.string() }).nullable(),
});
export type SearchHitDto = z.infer<typeof searchHitSchema>;
export const searchPageSchema = z.object({ items: z.array(searchHitSchema), hasMore: z.boolean() });
export type SearchPage = z.infer<typeof searchPageSchema>;

export const departmentGroupSchema = z.object({
  id: z.uuid(),
  departmentId: z.uuid(),
  name: z.string(),
  includeSubdepartments: z.boolean(),
  archived: z.boolean(),
  memberCount: z.number().int(),
});
export type DepartmentGroupDto = z.infer<typeof departmentGroupSchema>;

export const directorySettingsSchema = z.object({
  /** Whether employees see each other's email and phone on person cards. */
  showContactInfo: z.boolean(),
});
export type DirectorySettingsDto = z.infer<typeof directorySettingsSchema>;

export const importRowErrorSchema = z.object({
  /** 1-based row number in the file, the header being row 1. */
  row: z.number().int(),
  column: z.string().nullable(),
  reason: z.enum([
    'missing_field',
    'bad_value',
    'bad_email',
    'unknown_parent',
    'unknown_department',
    'unknown_manager',
    'duplicate_code',
    'duplicate_employee_no',
    'employee_no_taken',
    'duplicate_login',
    'cycle',
    'too_deep',
    'primary',
    'too_many_departments',
  ]),
  message: z.string(),
});
export type ImportRowError = z.infer<typeof importRowErrorSchema>;

export const importReportSchema = z.object({
  dryRun: z.boolean(),
  ok: z.boolean(),
  rows: z.number().int(),
  departmentsCreated: z.number().int(),
  departmentsUpdated: z.number().int(),
  peopleCreated: z.number().int(),
  peopleUpdated: z.number().int(),
  membershipsSet: z.number().int(),
  /** Every row error, in row order; a real import writes nothing unless this is empty. */
  errors: z.array(importRowErrorSchema),
});
export type ImportReport = z.infer<typeof importReportSchema>;

// ---- requests ----

export const createDepartmentRequestSchema = z.strictObject({
  name: departmentNameSchema,
  nameEn: singleLine(1, 100).nullable().optional(),
  code: departmentCodeSchema.nullable().optional(),
  parentId: z.uuid().nullable().default(null),
  sortOrder: sortOrderSchema.optional(),
});
export type CreateDepartmentRequest = z.infer<typeof createDepartmentRequestSchema>;

export const updateDepartmentRequestSchema = z
  .strictObject({
    name: departmentNameSchema.optional(),
    nameEn: singleLine(1, 100).nullable().optional(),
    code: departmentCodeSchema.nullable().optional(),
    sortOrder: sortOrderSchema.optional(),
    headUserId: z.uuid().nullable().optional(),
    /** Hidden departments (and their sub-departments and people) are invisible to employees outside them. */
    hidden: z.boolean().optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: 'nothing to change' });
export type UpdateDepartmentRequest = z.infer<typeof updateDepartmentRequestSchema>;

export const moveDepartmentRequestSchema = z.strictObject({
  parentId: z.uuid().nullable(),
  sortOrder: sortOrderSchema.optional(),
});
export type MoveDepartmentRequest = z.infer<typeof moveDepartmentRequestSchema>;

/** Sets the sibling order of (some of) a parent's children: the listed ids get 0, 1, 2, … in that order. */
export const reorderDepartmentsRequestSchema = z.strictObject({
  parentId: z.uuid().nullable(),
  orderedIds: z.array(z.uuid()).min(1).max(10_000),
});
export type ReorderDepartmentsRequest = z.infer<typeof reorderDepartmentsRequestSchema>;

export const setMembershipRequestSchema = z.strictObject({
  title: titleSchema.nullable().optional(),
  /** Making a membership primary demotes the person's other primary membership. */
  primary: z.boolean().optional(),
});
export type SetMembershipRequest = z.infer<typeof setMembershipRequestSchema>;

export const transferPersonRequestSchema = z.strictObject({
  fromDepartmentId: z.uuid(),
  toDepartmentId: z.uuid(),
  title: titleSchema.nullable().optional(),
});
export type TransferPersonRequest = z.infer<typeof transferPersonRequestSchema>;

export const setManagerRequestSchema = z.strictObject({ managerId: z.uuid().nullable() });
export type SetManagerRequest = z.infer<typeof setManagerRequestSchema>;

export const createDepartmentGroupRequestSchema = z.strictObject({
  departmentId: z.uuid(),
  name: singleLine(1, 100).optional(),
  includeSubdepartments: z.boolean().default(false),
});
export type CreateDepartmentGroupRequest = z.infer<typeof createDepartmentGroupRequestSchema>;

export const groupMemberChangeRequestSchema = z.strictObject({ userId: z.uuid() });

export const listChildrenQuerySchema = z.strictObject({ parentId: z.uuid().optional() });
export const departmentMembersQuerySchema = z.strictObject({
  ...pageQuery,
  recursive: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});
export const searchQuerySchema = z.strictObject({
  q: z.string().trim().min(1).max(64),
  ...pageQuery,
  limit: z.coerce.number().int().min(1).max(100).default(20),
});
export const importQuerySchema = z.strictObject({
  format: z.enum(['csv', 'xlsx']),
  dryRun: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
});
export const exportQuerySchema = z.strictObject({ format: z.enum(['csv', 'xlsx']) });
export const listGroupsQuerySchema = z.strictObject({
  includeArchived: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
});

/** Events the server emits (domain events, for the audit log and department groups). */
export const DIRECTORY_EVENTS = {
  departmentCreated: 'directory.department.created',
  departmentUpdated: 'directory.department.updated',
  departmentMoved: 'directory.department.moved',
  departmentsReordered: 'directory.department.reordered',
  departmentDeleted: 'directory.department.deleted',
  membershipChanged: 'directory.membership.changed',
  managerChanged: 'directory.manager.changed',
  settingsChanged: 'directory.settings.changed',
  imported: 'directory.imported',
  groupCreated: 'directory.department-group.created',
  groupArchived: 'directory.department-group.archived',
  groupMembershipChanged: 'directory.department-group.membership-changed',
} as const;
