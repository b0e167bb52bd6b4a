/**
 * Types of the lib's API. They mirror the DTOs of @miyu/protocol (libs/protocol/src/directory.ts) structurally; the
 * server's controllers are typed with the protocol DTOs, so a mismatch fails the server's type check.
 */
export interface DirectoryActor {
  userId: string;
  role: 'member' | 'admin' | 'auditor';
}

export interface Department {
  id: string;
  parentId: string | null;
  name: string;
  nameEn: string | null;
  code: string | null;
  sortOrder: number;
  depth: number;
  headUserId: string | null;
  hidden: boolean;
}

export interface DepartmentNode extends Department {
  memberCount: number;
  recursiveMemberCount: number;
  hasChildren: boolean;
}

export interface PersonSummary {
  id: string;
  displayName: string;
  employeeNo: string | null;
  title: string | null;
}

export interface DepartmentPage {
  department: Department;
  breadcrumbs: Array<{ id: string; name: string }>;
  head: PersonSummary | null;
  children: DepartmentNode[];
  memberCount: number;
  recursiveMemberCount: number;
  /** The department's active group chat (its members join it automatically), or null. */
  group: { id: string; name: string } | null;
}

export interface DepartmentMember extends PersonSummary {
  departmentId: string;
  primary: boolean;
  /** Only admins are shown disabled people (they still hold memberships until removed). */
  disabled: boolean;
}

export interface Membership {
  departmentId: string;
  departmentName: string;
  title: string | null;
  primary: boolean;
}

export interface PersonCard {
  id: string;
  displayName: string;
  employeeNo: string | null;
  email: string | null;
  phone: string | null;
  title: string | null;
  departments: Membership[];
  manager: PersonSummary | null;
}

export interface SearchHit extends PersonSummary {
  match: 'exact' | 'prefix' | 'contains';
  primaryDepartment: { id: string; name: string } | null;
}

export interface DepartmentGroup {
  id: string;
  departmentId: string;
  name: string;
  includeSubdepartments: boolean;
  archived: boolean;
  memberCount: number;
}

export interface DirectorySettings {
  showContactInfo: boolean;
}

export type ImportRowErrorReason =
  | 'missing_field'
  | 'bad_value'
  | 'bad_email'
  | 'unknown_parent'
  | 'unknown_department'
  | 'unknown_manager'
  | 'duplicate_code'
  | 'duplicate_employee_no'
  | 'employee_no_taken'
  | 'duplicate_login'
  | 'cycle'
  | 'too_deep'
  | 'primary'
  | 'too_many_departments';

export interface ImportRowError {
  row: number;
  column: string | null;
  reason: ImportRowErrorReason;
  message: string;
}

export interface ImportReport {
  dryRun: boolean;
  ok: boolean;
  rows: number;
  departmentsCreated: number;
  departmentsUpdated: number;
  peopleCreated: number;
  peopleUpdated: number;
  membershipsSet: number;
  errors: ImportRowError[];
}

/** Domain events (EventEmitter2), named like DIRECTORY_EVENTS in @miyu/protocol. */
export const DirectoryEvents = {
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

export interface GroupMembershipChangedEvent {
  groupId: string;
  added: string[];
  removed: string[];
}

/** Payloads of DirectoryEvents: emitted after the commit, synchronously in the request that made the change. */
export interface DepartmentCreatedEvent {
  actorId: string;
  department: Department;
}

export interface DepartmentUpdatedEvent {
  actorId: string;
  department: Department;
  before: Department;
  changed: string[];
}

export interface DepartmentMovedEvent {
  actorId: string;
  departmentId: string;
  name: string;
  fromParentId: string | null;
  toParentId: string | null;
}

export interface DepartmentsReorderedEvent {
  actorId: string;
  parentId: string | null;
  orderedIds: string[];
}

export interface DepartmentDeletedEvent {
  actorId: string;
  departmentId: string;
  name: string;
}

export interface MembershipChangedEvent {
  actorId: string;
  userId: string;
  departmentId: string;
  change: 'added' | 'updated' | 'removed' | 'transferred';
  /** For a transfer: the department the person left. */
  fromDepartmentId?: string;
  primary?: boolean;
  title?: string | null;
}

export interface ManagerChangedEvent {
  actorId: string;
  userId: string;
  managerId: string | null;
}

export interface DirectorySettingsChangedEvent {
  actorId: string;
  settings: DirectorySettings;
}

export interface DirectoryImportedEvent {
  actorId: string;
  report: ImportReport;
}

export interface DepartmentGroupCreatedEvent {
  actorId: string;
  group: DepartmentGroup;
}

export interface DepartmentGroupArchivedEvent {
  actorId: string;
  groupId: string;
}
