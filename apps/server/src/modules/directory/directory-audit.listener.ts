import { Injectable } from '@nestjs/common';
import { EventEmitter2, OnEvent } from '@nestjs/event-emitter';
import {
  type DepartmentCreatedEvent,
  type DepartmentDeletedEvent,
  type DepartmentGroupArchivedEvent,
  type DepartmentGroupCreatedEvent,
  type DepartmentMovedEvent,
  type DepartmentsReorderedEvent,
  type DepartmentUpdatedEvent,
  DirectoryEvents,
  type DirectoryImportedEvent,
  type GroupMembershipChangedEvent,
  type ManagerChangedEvent,
  type MembershipChangedEvent,
} from '@miyu/org-directory';
import { changedFields } from '../../common/audit/changed-fields.js';
import { AUDIT_EVENT, type AuditRecord } from '../audit/audit.events.js';

/**
 * Translates the directory's domain events into audit records. The events are emitted after the commit,
 * synchronously in the request that made the change, so the request gives the records their address and agent.
 * Department groups are conversations: their creation, archiving and directory-driven membership are audited as
 * `conversation.*` here.
 */
@Injectable()
export class DirectoryAuditListener {
  constructor(private readonly events: EventEmitter2) {}

  @OnEvent(DirectoryEvents.departmentCreated)
  onCreated({ actorId, department: d }: DepartmentCreatedEvent): void {
    this.audit(actorId, {
      action: 'department.created',
      entity: { type: 'department', id: d.id, name: d.name },
      context: { parentId: d.parentId, code: d.code, nameEn: d.nameEn, sortOrder: d.sortOrder },
    });
  }

  @OnEvent(DirectoryEvents.departmentUpdated)
  onUpdated({ actorId, department, before, changed }: DepartmentUpdatedEvent): void {
    const fields = changed.filter((k): k is keyof typeof department & string => k in department);
    this.audit(actorId, {
      action: 'department.updated',
      entity: { type: 'department', id: department.id, name: department.name },
      context: { changes: changedFields(before, department, fields) ?? {} },
    });
  }

  @OnEvent(DirectoryEvents.departmentsReordered)
  onReordered({ actorId, parentId, orderedIds }: DepartmentsReorderedEvent): void {
    orderedIds.forEach((id, sortOrder) =>
      this.audit(actorId, {
        action: 'department.updated',
        entity: { type: 'department', id },
        context: { changes: { sortOrder: { after: sortOrder } }, reordered: true, parentId },
      }),
    );
  }

  @OnEvent(DirectoryEvents.departmentMoved)
  onMoved({ actorId, departmentId, name, fromParentId, toParentId }: DepartmentMovedEvent): void {
    this.audit(actorId, {
      action: 'department.moved',
      entity: { type: 'department', id: departmentId, name },
      context: { fromParentId, toParentId },
    });
  }

  @OnEvent(DirectoryEvents.departmentDeleted)
  onDeleted({ actorId, departmentId, name }: DepartmentDeletedEvent): void {
    this.audit(actorId, { action: 'department.deleted', entity: { type: 'department', id: departmentId, name } });
  }

  /** A transfer is a removal from one department and an addition to another; an update is recorded as an addition. */
  @OnEvent(DirectoryEvents.membershipChanged)
  onMembership(e: MembershipChangedEvent): void {
    const details = {
      ...(e.primary !== undefined ? { primary: e.primary } : {}),
      ...(e.title !== undefined ? { title: e.title } : {}),
    };
    if (e.change === 'removed' || e.change === 'transferred')
      this.audit(e.actorId, {
        action: 'department.member_removed',
        entity: { type: 'department', id: e.change === 'removed' ? e.departmentId : (e.fromDepartmentId ?? null) },
        context: { userId: e.userId, ...(e.change === 'transferred' ? { transferredTo: e.departmentId } : {}) },
      });
    if (e.change !== 'removed')
      this.audit(e.actorId, {
        action: 'department.member_added',
        entity: { type: 'department', id: e.departmentId },
        context: {
          userId: e.userId,
          change: e.change,
          ...details,
          ...(e.change === 'transferred' ? { transferredFrom: e.fromDepartmentId ?? null } : {}),
        },
      });
  }

  @OnEvent(DirectoryEvents.managerChanged)
  onManager({ actorId, userId, managerId }: ManagerChangedEvent): void {
    this.audit(actorId, {
      action: 'user.updated',
      entity: { type: 'user', id: userId },
      context: { changes: { managerId: { after: managerId } }, source: 'directory' },
    });
  }

  @OnEvent(DirectoryEvents.imported)
  onImported({ actorId, report }: DirectoryImportedEvent): void {
    this.audit(actorId, {
      action: 'directory.imported',
      entity: { type: 'import' },
      context: {
        rows: report.rows,
        departmentsCreated: report.departmentsCreated,
        departmentsUpdated: report.departmentsUpdated,
        peopleCreated: report.peopleCreated,
        peopleUpdated: report.peopleUpdated,
        membershipsSet: report.membershipsSet,
      },
    });
  }

  @OnEvent(DirectoryEvents.groupCreated)
  onGroupCreated({ actorId, group }: DepartmentGroupCreatedEvent): void {
    this.audit(actorId, {
      action: 'conversation.created',
      entity: { type: 'conversation', id: group.id, name: group.name },
      context: {
        kind: 'department',
        departmentId: group.departmentId,
        includeSubdepartments: group.includeSubdepartments,
        members: group.memberCount,
      },
    });
  }

  @OnEvent(DirectoryEvents.groupArchived)
  onGroupArchived({ actorId, groupId }: DepartmentGroupArchivedEvent): void {
    this.audit(actorId, {
      action: 'conversation.updated',
      entity: { type: 'conversation', id: groupId },
      context: { changes: { archived: { before: false, after: true } } },
    });
  }

  /** Members of a department group follow the directory: the actor is whoever changed the directory. */
  @OnEvent(DirectoryEvents.groupMembershipChanged)
  onGroupMembership({ groupId, added, removed }: GroupMembershipChangedEvent): void {
    const entity = { type: 'conversation', id: groupId } as const;
    if (added.length > 0)
      this.audit(null, {
        action: 'conversation.member_added',
        entity,
        context: { userIds: added, source: 'directory' },
      });
    if (removed.length > 0)
      this.audit(null, {
        action: 'conversation.member_removed',
        entity,
        context: { userIds: removed, source: 'directory' },
      });
  }

  private audit(actorId: string | null, record: AuditRecord): void {
    this.events.emit(AUDIT_EVENT, actorId ? { ...record, actor: { userId: actorId } } : record);
  }
}
