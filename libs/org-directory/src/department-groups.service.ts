import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { randomUUID } from 'node:crypto';
import { DirectoryRepository } from './directory.repository.js';
import { assertAdmin } from './directory.service.js';
import { DirectoryError, uniqueViolation } from './errors.js';
import {
  type DepartmentGroup,
  type DirectoryActor,
  DirectoryEvents,
  type GroupMembershipChangedEvent,
  type PersonSummary,
} from './types.js';

interface GroupRow {
  id: string;
  department_id: string | null;
  name: string;
  include_subdepartments: boolean;
  archived_at: Date | null;
  member_count: number;
}

function toGroup(r: GroupRow): DepartmentGroup {
  return {
    id: r.id,
    departmentId: r.department_id ?? '',
    name: r.name,
    includeSubdepartments: r.include_subdepartments,
    archived: r.archived_at !== null,
    memberCount: r.member_count,
  };
}

/**
 * Department groups: a group whose membership is computed from the directory (a department, optionally with its
 * sub-departments) and follows every directory change (DirectoryRepository.syncGroups runs in the same
 * transaction as the change). Members cannot be added or removed by hand. Groups are archived, never deleted;
 * an archived group keeps its last members and stops following the directory.
 */
@Injectable()
export class DepartmentGroupsService {
  constructor(
    private readonly repo: DirectoryRepository,
    private readonly events: EventEmitter2,
  ) {}

  async create(
    actor: DirectoryActor,
    input: { departmentId: string; name?: string; includeSubdepartments: boolean },
  ): Promise<DepartmentGroup> {
    assertAdmin(actor);
    const emitted: GroupMembershipChangedEvent[] = [];
    const id = await this.repo.transaction(async (m) => {
      const dept = await this.repo.findDepartment(input.departmentId, m);
      if (!dept) throw DirectoryError.departmentNotFound();
      const groupId = randomUUID();
      try {
        await m.query(
          `INSERT INTO department_groups (id, department_id, name, include_subdepartments) VALUES ($1, $2, $3, $4)`,
          [groupId, dept.id, input.name ?? dept.name, input.includeSubdepartments],
        );
      } catch (err) {
        if (uniqueViolation(err) === 'department_groups_active_key') throw DirectoryError.groupExists();
        throw err;
      }
      emitted.push(...(await this.repo.syncGroups(m, [dept.path])));
      return groupId;
    });
    const group = await this.get(id);
    this.events.emit(DirectoryEvents.groupCreated, { actorId: actor.userId, group });
    for (const e of emitted) this.events.emit(DirectoryEvents.groupMembershipChanged, e);
    return group;
  }

  async list(actor: DirectoryActor, includeArchived: boolean): Promise<DepartmentGroup[]> {
    assertAdmin(actor);
    const rows = (await this.repo.manager().query(
      `SELECT g.*, (SELECT count(*)::int FROM department_group_members gm WHERE gm.group_id = g.id) AS member_count
         FROM department_groups g WHERE $1 OR g.archived_at IS NULL ORDER BY g.created_at, g.id`,
      [includeArchived],
    )) as GroupRow[];
    return rows.map(toGroup);
  }

  async members(actor: DirectoryActor, groupId: string): Promise<PersonSummary[]> {
    assertAdmin(actor);
    await this.get(groupId);
    const rows = (await this.repo.manager().query(
      `SELECT u.id, u.display_name, u.employee_no, pm.title FROM department_group_members gm
         JOIN users u ON u.id = gm.user_id
         LEFT JOIN department_members pm ON pm.user_id = u.id AND pm.is_primary
        WHERE gm.group_id = $1 ORDER BY u.display_name, u.id`,
      [groupId],
    )) as Array<{ id: string; display_name: string; employee_no: string | null; title: string | null }>;
    return rows.map((r) => ({ id: r.id, displayName: r.display_name, employeeNo: r.employee_no, title: r.title }));
  }

  async archive(actor: DirectoryActor, groupId: string): Promise<DepartmentGroup> {
    assertAdmin(actor);
    await this.get(groupId);
    await this.repo
      .manager()
      .query(`UPDATE department_groups SET archived_at = now() WHERE id = $1 AND archived_at IS NULL`, [groupId]);
    const group = await this.get(groupId);
    this.events.emit(DirectoryEvents.groupArchived, { actorId: actor.userId, groupId });
    return group;
  }

  /** The rule, exposed: a department group's members come from the directory only. */
  async addMemberManually(actor: DirectoryActor, groupId: string, _userId: string): Promise<never> {
    assertAdmin(actor);
    await this.get(groupId);
    throw DirectoryError.groupManaged();
  }

  async removeMemberManually(actor: DirectoryActor, groupId: string, _userId: string): Promise<never> {
    assertAdmin(actor);
    await this.get(groupId);
    throw DirectoryError.groupManaged();
  }

  private async get(groupId: string): Promise<DepartmentGroup> {
    const rows = (await this.repo.manager().query(
      `SELECT g.*, (SELECT count(*)::int FROM department_group_members gm WHERE gm.group_id = g.id) AS member_count
         FROM department_groups g WHERE g.id = $1`,
      [groupId],
    )) as GroupRow[];
    if (!rows[0]) throw DirectoryError.groupNotFound();
    return toGroup(rows[0]);
  }
}
