import { Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { MAX_DEPARTMENT_DEPTH } from './department-path.js';
import { activePathsOf, applyPersonDelta, departmentsOnPaths, recountDepartments } from './directory-counts.js';
import { DepartmentEntity, DirectorySettingsEntity } from './entities.js';
import { DirectoryError, uniqueViolation } from './errors.js';
import {
  type DepartmentRow,
  DirectoryRepository,
  type HiddenPatterns,
  pathSegment,
  subtree,
  toDepartment,
} from './directory.repository.js';
import { escapeLike, normaliseQuery } from './search-terms.js';
import {
  type Department,
  type DepartmentMember,
  type DepartmentNode,
  type DepartmentPage,
  type DirectoryActor,
  DirectoryEvents,
  type DirectorySettings,
  type GroupMembershipChangedEvent,
  type PersonCard,
  type SearchHit,
} from './types.js';

export const MAX_MEMBERSHIPS = 50;

export function assertAdmin(actor: DirectoryActor): void {
  if (actor.role !== 'admin') throw DirectoryError.forbidden();
}

/** 32 hex digits back to the canonical UUID form. */
export function uuidOfSegment(seg: string): string {
  return `${seg.slice(0, 8)}-${seg.slice(8, 12)}-${seg.slice(12, 16)}-${seg.slice(16, 20)}-${seg.slice(20)}`;
}

type Emit = Array<[string, unknown]>;

/**
 * The org directory: the department tree, memberships, manager, browsing and search. Every method takes the
 * acting person and checks access itself; admin-only methods refuse everyone else. Changes emit `directory.*`
 * events after their transaction commits.
 */
@Injectable()
export class DirectoryService implements OnApplicationBootstrap {
  constructor(
    private readonly repo: DirectoryRepository,
    private readonly events: EventEmitter2,
  ) {}

  /** Runs `work` in a transaction and emits the events it collected only after the commit. */
  private async write<T>(work: (m: EntityManager, emit: Emit) => Promise<T>): Promise<T> {
    const emit: Emit = [];
    const result = await this.repo.transaction((m) => work(m, emit));
    for (const [name, payload] of emit) this.events.emit(name, payload);
    return result;
  }

  private static groupEvents(emit: Emit, changes: GroupMembershipChangedEvent[]): void {
    for (const c of changes) emit.push([DirectoryEvents.groupMembershipChanged, c]);
  }

  // ---------- department tree (admin) ----------

  async createDepartment(
    actor: DirectoryActor,
    input: { name: string; nameEn?: string | null; code?: string | null; parentId: string | null; sortOrder?: number },
  ): Promise<Department> {
    assertAdmin(actor);
    return this.write(async (m, emit) => {
      await this.repo.lockTree(m);
      const parent = input.parentId ? await this.repo.findDepartment(input.parentId, m) : null;
      if (input.parentId && !parent) throw DirectoryError.departmentNotFound();
      if ((parent?.depth ?? 0) + 1 > MAX_DEPARTMENT_DEPTH) throw DirectoryError.tooDeep(MAX_DEPARTMENT_DEPTH);
      const id = randomUUID();
      const sortOrder = input.sortOrder ?? (await this.nextSortOrder(m, input.parentId));
      const dept = Object.assign(new DepartmentEntity(), {
        id,
        parentId: parent?.id ?? null,
        path: parent ? `${parent.path}.${pathSegment(id)}` : pathSegment(id),
        depth: (parent?.depth ?? 0) + 1,
        name: input.name,
        nameEn: input.nameEn ?? null,
        code: input.code ?? null,
        sortOrder,
        headUserId: null,
        hidden: false,
        createdAt: new Date(),
        updatedAt: new Date(),
      } satisfies DepartmentEntity);
      try {
        await m.getRepository(DepartmentEntity).insert(dept);
      } catch (err) {
        if (uniqueViolation(err) === 'departments_code_key') throw DirectoryError.codeTaken();
        throw err;
      }
      const result = toDepartment(dept);
      emit.push([DirectoryEvents.departmentCreated, { actorId: actor.userId, department: result }]);
      return result;
    });
  }

  private async nextSortOrder(m: EntityManager, parentId: string | null): Promise<number> {
    const rows = (await m.query(
      parentId
        ? `SELECT coalesce(max(sort_order) + 1, 0)::int AS n FROM departments WHERE parent_id = $1`
        : `SELECT coalesce(max(sort_order) + 1, 0)::int AS n FROM departments WHERE parent_id IS NULL`,
      parentId ? [parentId] : [],
    )) as Array<{ n: number }>;
    return rows[0]?.n ?? 0;
  }

  async updateDepartment(
    actor: DirectoryActor,
    id: string,
    patch: {
      name?: string;
      nameEn?: string | null;
      code?: string | null;
      sortOrder?: number;
      headUserId?: string | null;
      hidden?: boolean;
    },
  ): Promise<Department> {
    assertAdmin(actor);
    return this.write(async (m, emit) => {
      const dept = await m
        .getRepository(DepartmentEntity)
        .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!dept) throw DirectoryError.departmentNotFound();
      if (patch.headUserId && !(await this.repo.userExists(patch.headUserId, m))) throw DirectoryError.userNotFound();
      const before = toDepartment(dept);
      const update: Partial<DepartmentEntity> = { updatedAt: new Date() };
      if (patch.name !== undefined) update.name = patch.name;
      if (patch.nameEn !== undefined) update.nameEn = patch.nameEn;
      if (patch.code !== undefined) update.code = patch.code;
      if (patch.sortOrder !== undefined) update.sortOrder = patch.sortOrder;
      if (patch.headUserId !== undefined) update.headUserId = patch.headUserId;
      if (patch.hidden !== undefined) update.hidden = patch.hidden;
      try {
        await m.getRepository(DepartmentEntity).update({ id }, update);
      } catch (err) {
        if (uniqueViolation(err) === 'departments_code_key') throw DirectoryError.codeTaken();
        throw err;
      }
      const result = toDepartment(Object.assign(dept, update));
      emit.push([
        DirectoryEvents.departmentUpdated,
        { actorId: actor.userId, department: result, before, changed: Object.keys(patch) },
      ]);
      return result;
    });
  }

  /** Moves a department and its whole subtree under a new parent (null: to the top level). */
  async moveDepartment(
    actor: DirectoryActor,
    id: string,
    input: { parentId: string | null; sortOrder?: number },
  ): Promise<Department> {
    assertAdmin(actor);
    return this.write(async (m, emit) => {
      await this.repo.lockTree(m);
      const dept = await this.repo.findDepartment(id, m);
      if (!dept) throw DirectoryError.departmentNotFound();
      const parent = input.parentId ? await this.repo.findDepartment(input.parentId, m) : null;
      if (input.parentId && !parent) throw DirectoryError.departmentNotFound();
      if (parent && (parent.path === dept.path || parent.path.startsWith(`${dept.path}.`)))
        throw DirectoryError.moveCycle();
      const oldPath = dept.path;
      const newPath = parent ? `${parent.path}.${pathSegment(dept.id)}` : pathSegment(dept.id);
      const delta = (parent?.depth ?? 0) + 1 - dept.depth;
      const deepest = (await m.query(`SELECT max(depth)::int AS d FROM departments WHERE ${subtree('path', '$1')}`, [
        oldPath,
      ])) as Array<{
        d: number;
      }>;
      if ((deepest[0]?.d ?? dept.depth) + delta > MAX_DEPARTMENT_DEPTH)
        throw DirectoryError.tooDeep(MAX_DEPARTMENT_DEPTH);
      const sortOrder = input.sortOrder ?? (await this.nextSortOrder(m, parent?.id ?? null));
      if (oldPath !== newPath) {
        await m.query(
          `UPDATE departments SET path = $2 || substr(path, length($1) + 1), depth = depth + $3, updated_at = now()
            WHERE ${subtree('path', '$1')}`,
          [oldPath, newPath, delta],
        );
        await m.query(
          `UPDATE department_members SET department_path = $2 || substr(department_path, length($1) + 1)
            WHERE ${subtree('department_path', '$1')}`,
          [oldPath, newPath],
        );
      }
      if (oldPath !== newPath) {
        // The moved subtree keeps its counts; the chains it left and joined are recounted.
        const chains = departmentsOnPaths([oldPath, newPath]);
        chains.delete(pathSegment(dept.id));
        await recountDepartments(m, [...chains]);
      }
      await m.query(`UPDATE departments SET parent_id = $2, sort_order = $3 WHERE id = $1`, [
        id,
        parent?.id ?? null,
        sortOrder,
      ]);
      DirectoryService.groupEvents(emit, await this.repo.syncGroups(m, [oldPath, newPath]));
      const moved = toDepartment((await this.repo.findDepartment(id, m))!);
      emit.push([
        DirectoryEvents.departmentMoved,
        {
          actorId: actor.userId,
          departmentId: id,
          name: moved.name,
          fromParentId: dept.parentId,
          toParentId: moved.parentId,
        },
      ]);
      return moved;
    });
  }

  /** Gives the listed children of `parentId` sort orders 0, 1, 2, … in the order given. */
  async reorderDepartments(
    actor: DirectoryActor,
    input: { parentId: string | null; orderedIds: string[] },
  ): Promise<Department[]> {
    assertAdmin(actor);
    return this.write(async (m, emit) => {
      const rows = (await m.query(
        `SELECT id FROM departments WHERE id = ANY($1::uuid[]) AND parent_id IS NOT DISTINCT FROM $2::uuid`,
        [input.orderedIds, input.parentId],
      )) as Array<{ id: string }>;
      if (rows.length !== new Set(input.orderedIds).size) throw DirectoryError.departmentNotFound();
      await m.query(
        `UPDATE departments d SET sort_order = o.ord - 1, updated_at = now()
           FROM unnest($1::uuid[]) WITH ORDINALITY AS o(id, ord) WHERE d.id = o.id`,
        [input.orderedIds],
      );
      emit.push([
        DirectoryEvents.departmentsReordered,
        { actorId: actor.userId, parentId: input.parentId, orderedIds: input.orderedIds },
      ]);
      const children = (await m.query(
        `SELECT * FROM departments WHERE parent_id IS NOT DISTINCT FROM $1::uuid ORDER BY sort_order, name, id`,
        [input.parentId],
      )) as DepartmentRow[];
      return children.map(toDepartment);
    });
  }

  /** Refused while the department has members, sub-departments or a department group that is not archived. */
  async deleteDepartment(actor: DirectoryActor, id: string): Promise<void> {
    assertAdmin(actor);
    await this.write(async (m, emit) => {
      await this.repo.lockTree(m);
      const dept = await this.repo.findDepartment(id, m);
      if (!dept) throw DirectoryError.departmentNotFound();
      const [facts] = (await m.query(
        `SELECT EXISTS (SELECT 1 FROM departments WHERE parent_id = $1) AS children,
                EXISTS (SELECT 1 FROM department_members WHERE department_id = $1) AS members,
                EXISTS (SELECT 1 FROM department_groups WHERE department_id = $1 AND archived_at IS NULL) AS grp`,
        [id],
      )) as Array<{ children: boolean; members: boolean; grp: boolean }>;
      if (facts!.members) throw DirectoryError.notEmpty('members');
      if (facts!.children) throw DirectoryError.notEmpty('subdepartments');
      if (facts!.grp) throw DirectoryError.notEmpty('group');
      await m.getRepository(DepartmentEntity).delete({ id });
      emit.push([DirectoryEvents.departmentDeleted, { actorId: actor.userId, departmentId: id, name: dept.name }]);
    });
  }

  // ---------- memberships and manager (admin) ----------

  /** Adds a person to a department or updates that membership (title, primary). The first membership is primary. */
  async setMembership(
    actor: DirectoryActor,
    departmentId: string,
    userId: string,
    input: { title?: string | null; primary?: boolean },
  ): Promise<PersonCard> {
    assertAdmin(actor);
    await this.write(async (m, emit) => {
      const before = await this.lockPerson(m, userId);
      const dept = await this.repo.findDepartment(departmentId, m);
      if (!dept) throw DirectoryError.departmentNotFound();
      if (!(await this.repo.userExists(userId, m))) throw DirectoryError.userNotFound();
      const current = (await m.query(`SELECT department_id, is_primary FROM department_members WHERE user_id = $1`, [
        userId,
      ])) as Array<{
        department_id: string;
        is_primary: boolean;
      }>;
      const existing = current.find((c) => c.department_id === departmentId);
      if (!existing && current.length >= MAX_MEMBERSHIPS) throw DirectoryError.membershipLimit(MAX_MEMBERSHIPS);
      if (existing?.is_primary && input.primary === false) throw DirectoryError.primaryRequired();
      const primary = input.primary === true || current.length === 0 || (existing?.is_primary ?? false);
      if (primary)
        await m.query(
          `UPDATE department_members SET is_primary = false WHERE user_id = $1 AND department_id <> $2 AND is_primary`,
          [userId, departmentId],
        );
      if (existing) {
        await m.query(
          `UPDATE department_members SET is_primary = $3, title = CASE WHEN $4 THEN $5 ELSE title END
            WHERE department_id = $1 AND user_id = $2`,
          [departmentId, userId, primary, input.title !== undefined, input.title ?? null],
        );
      } else {
        await m.query(
          `INSERT INTO department_members (department_id, user_id, department_path, title, is_primary) VALUES ($1, $2, $3, $4, $5)`,
          [departmentId, userId, dept.path, input.title ?? null, primary],
        );
      }
      await this.repo.reindexPeople([userId], m);
      await applyPersonDelta(m, before, await activePathsOf(m, userId));
      DirectoryService.groupEvents(emit, await this.repo.syncGroups(m, [dept.path]));
      emit.push([
        DirectoryEvents.membershipChanged,
        {
          actorId: actor.userId,
          userId,
          departmentId,
          change: existing ? 'updated' : 'added',
          primary,
          ...(input.title !== undefined ? { title: input.title } : {}),
        },
      ]);
    });
    return this.personCard(actor, userId);
  }

  /** Removes a membership; when it was the primary one, the oldest remaining membership becomes primary. */
  async removeMembership(actor: DirectoryActor, departmentId: string, userId: string): Promise<void> {
    assertAdmin(actor);
    await this.write(async (m, emit) => {
      const before = await this.lockPerson(m, userId);
      const removed = (await m.query(
        `WITH gone AS (DELETE FROM department_members WHERE department_id = $1 AND user_id = $2 RETURNING is_primary, department_path)
         SELECT * FROM gone`,
        [departmentId, userId],
      )) as Array<{ is_primary: boolean; department_path: string }>;
      const gone = removed[0];
      if (!gone) throw DirectoryError.membershipNotFound();
      if (gone.is_primary) await this.promoteOldest(m, userId);
      await applyPersonDelta(m, before, await activePathsOf(m, userId));
      DirectoryService.groupEvents(emit, await this.repo.syncGroups(m, [gone.department_path]));
      emit.push([
        DirectoryEvents.membershipChanged,
        { actorId: actor.userId, userId, departmentId, change: 'removed' },
      ]);
    });
  }

  /**
   * Serialises changes to one person's memberships (and against tree moves and imports, which take the tree lock
   * exclusively) and returns the paths the person is counted on before the change.
   */
  private async lockPerson(m: EntityManager, userId: string): Promise<string[]> {
    await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`miyu:directory-person:${userId}`]);
    await this.repo.lockTreeShared(m);
    return activePathsOf(m, userId);
  }

  /** Re-indexes a person for search after their account was created or its name, number or email changed. */
  async personChanged(userId: string): Promise<void> {
    await this.repo.reindexPeople([userId]);
  }

  /** Recounts the departments a person is on after their account was disabled or enabled again. */
  async personStatusChanged(userId: string): Promise<void> {
    await this.repo.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`miyu:directory-person:${userId}`]);
      await this.repo.lockTreeShared(m);
      const rows = (await m.query(`SELECT department_path FROM department_members WHERE user_id = $1`, [
        userId,
      ])) as Array<{ department_path: string }>;
      await recountDepartments(m, [...departmentsOnPaths(rows.map((r) => r.department_path))]);
    });
  }

  private async promoteOldest(m: EntityManager, userId: string): Promise<void> {
    await m.query(
      `UPDATE department_members SET is_primary = true
        WHERE (department_id, user_id) = (SELECT department_id, user_id FROM department_members WHERE user_id = $1
                                           ORDER BY created_at, department_id LIMIT 1)`,
      [userId],
    );
  }

  /** Moves a person from one department to another, keeping whether that membership was primary. */
  async transferPerson(
    actor: DirectoryActor,
    userId: string,
    input: { fromDepartmentId: string; toDepartmentId: string; title?: string | null },
  ): Promise<PersonCard> {
    assertAdmin(actor);
    await this.write(async (m, emit) => {
      const before = await this.lockPerson(m, userId);
      const to = await this.repo.findDepartment(input.toDepartmentId, m);
      if (!to) throw DirectoryError.departmentNotFound();
      const rows = (await m.query(
        `SELECT department_id, is_primary, title, department_path FROM department_members WHERE user_id = $1`,
        [userId],
      )) as Array<{ department_id: string; is_primary: boolean; title: string | null; department_path: string }>;
      const from = rows.find((r) => r.department_id === input.fromDepartmentId);
      if (!from) throw DirectoryError.membershipNotFound();
      if (input.fromDepartmentId === input.toDepartmentId) return;
      const already = rows.find((r) => r.department_id === input.toDepartmentId);
      await m.query(`DELETE FROM department_members WHERE department_id = $1 AND user_id = $2`, [
        input.fromDepartmentId,
        userId,
      ]);
      const title = input.title !== undefined ? input.title : from.title;
      if (already) {
        await m.query(
          `UPDATE department_members SET is_primary = is_primary OR $3, title = $4 WHERE department_id = $1 AND user_id = $2`,
          [input.toDepartmentId, userId, from.is_primary, title],
        );
      } else {
        await m.query(
          `INSERT INTO department_members (department_id, user_id, department_path, title, is_primary) VALUES ($1, $2, $3, $4, $5)`,
          [input.toDepartmentId, userId, to.path, title, from.is_primary],
        );
      }
      await applyPersonDelta(m, before, await activePathsOf(m, userId));
      DirectoryService.groupEvents(emit, await this.repo.syncGroups(m, [from.department_path, to.path]));
      emit.push([
        DirectoryEvents.membershipChanged,
        {
          actorId: actor.userId,
          userId,
          departmentId: input.toDepartmentId,
          fromDepartmentId: input.fromDepartmentId,
          change: 'transferred',
        },
      ]);
    });
    return this.personCard(actor, userId);
  }

  async setManager(actor: DirectoryActor, userId: string, managerId: string | null): Promise<PersonCard> {
    assertAdmin(actor);
    await this.write(async (m, emit) => {
      await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['miyu:directory-managers']);
      if (!(await this.repo.userExists(userId, m))) throw DirectoryError.userNotFound();
      if (managerId) {
        if (!(await this.repo.userExists(managerId, m))) throw DirectoryError.userNotFound();
        // Walk up from the new manager: reaching the person would close a reporting cycle.
        const chain = (await m.query(
          `WITH RECURSIVE up(id, n) AS (
             SELECT $1::uuid, 0
             UNION ALL SELECT p.manager_id, up.n + 1 FROM directory_people p JOIN up ON p.user_id = up.id
              WHERE p.manager_id IS NOT NULL AND up.n < 1000)
           SELECT 1 FROM up WHERE id = $2 LIMIT 1`,
          [managerId, userId],
        )) as unknown[];
        if (chain.length > 0) throw DirectoryError.managerCycle();
      }
      await this.repo.reindexPeople([userId], m);
      await m.query(`UPDATE directory_people SET manager_id = $2 WHERE user_id = $1`, [userId, managerId]);
      emit.push([DirectoryEvents.managerChanged, { actorId: actor.userId, userId, managerId }]);
    });
    return this.personCard(actor, userId);
  }

  async getSettings(actor: DirectoryActor): Promise<DirectorySettings> {
    assertAdmin(actor);
    return this.settings();
  }

  async updateSettings(actor: DirectoryActor, patch: DirectorySettings): Promise<DirectorySettings> {
    assertAdmin(actor);
    return this.write(async (m, emit) => {
      await m.getRepository(DirectorySettingsEntity).save({ id: 1, showContactInfo: patch.showContactInfo });
      emit.push([DirectoryEvents.settingsChanged, { actorId: actor.userId, settings: patch }]);
      return { showContactInfo: patch.showContactInfo };
    });
  }

  private async settings(m?: EntityManager): Promise<DirectorySettings> {
    const row = await this.repo.manager(m).getRepository(DirectorySettingsEntity).findOneBy({ id: 1 });
    return { showContactInfo: row?.showContactInfo ?? true };
  }

  // ---------- browsing (any signed-in person; hidden departments enforced in the queries) ----------

  /** Children of a department (top-level departments when `parentId` is null), with member counts. */
  async listChildren(actor: DirectoryActor, parentId: string | null): Promise<DepartmentNode[]> {
    const hidden = await this.repo.hiddenPatterns(actor);
    if (parentId) await this.visibleDepartment(parentId, hidden);
    return this.childNodes(parentId, hidden);
  }

  private async childNodes(parentId: string | null, hidden: HiddenPatterns): Promise<DepartmentNode[]> {
    const params: unknown[] = parentId ? [parentId] : [];
    const where = parentId ? 'd.parent_id = $1' : 'd.parent_id IS NULL';
    const hiddenDept = this.repo.hiddenDepartmentsClause('d.path', hidden, params);
    const hiddenChild = this.repo.hiddenDepartmentsClause('c.path', hidden, params);
    const hiddenPeople = this.repo.hiddenPeopleClause('m.user_id', hidden, params);
    const recursive = this.repo.recursiveCountSql('d.id', 'd.path', hidden, params);
    const rows = (await this.repo.manager().query(
      `SELECT d.*,
              (SELECT count(*)::int FROM department_members m JOIN users u ON u.id = m.user_id AND u.status = 'active'
                WHERE m.department_id = d.id ${hiddenPeople}) AS member_count,
              ${recursive} AS recursive_member_count,
              EXISTS (SELECT 1 FROM departments c WHERE c.parent_id = d.id ${hiddenChild}) AS has_children
         FROM departments d WHERE ${where} ${hiddenDept}
        ORDER BY d.sort_order, d.name, d.id`,
      params,
    )) as Array<DepartmentRow & { member_count: number; recursive_member_count: number; has_children: boolean }>;
    return rows.map((r) => ({
      ...toDepartment(r),
      memberCount: r.member_count,
      recursiveMemberCount: r.recursive_member_count,
      hasChildren: r.has_children,
    }));
  }

  private async visibleDepartment(id: string, hidden: HiddenPatterns): Promise<DepartmentEntity> {
    const dept = await this.repo.findDepartment(id);
    if (!dept) throw DirectoryError.departmentNotFound();
    if (hidden.some((p) => dept.path.startsWith(p.slice(0, -1)))) throw DirectoryError.departmentNotFound();
    return dept;
  }

  async departmentPage(actor: DirectoryActor, id: string): Promise<DepartmentPage> {
    const hidden = await this.repo.hiddenPatterns(actor);
    const dept = await this.visibleDepartment(id, hidden);
    const ancestorIds = dept.path.split('.').map(uuidOfSegment);
    const crumbs = (await this.repo
      .manager()
      .query(`SELECT id, name FROM departments WHERE id = ANY($1::uuid[]) ORDER BY depth`, [ancestorIds])) as Array<{
      id: string;
      name: string;
    }>;
    const params: unknown[] = [id];
    const direct = (await this.repo.manager().query(
      `SELECT count(*)::int AS n FROM department_members m JOIN users u ON u.id = m.user_id AND u.status = 'active'
          WHERE m.department_id = $1 ${this.repo.hiddenPeopleClause('m.user_id', hidden, params)}`,
      params,
    )) as Array<{ n: number }>;
    const headVisible = dept.headUserId ? await this.personVisible(dept.headUserId, hidden) : false;
    return {
      department: toDepartment(dept),
      breadcrumbs: crumbs,
      head: headVisible && dept.headUserId ? await this.repo.personSummary(dept.headUserId) : null,
      children: await this.childNodes(id, hidden),
      memberCount: direct[0]?.n ?? 0,
      recursiveMemberCount: await this.repo.recursiveMemberCount(dept, hidden),
      group: await this.activeGroup(dept.id),
    };
  }

  private async activeGroup(departmentId: string): Promise<{ id: string; name: string } | null> {
    const rows = (await this.repo
      .manager()
      .query(`SELECT id, name FROM department_groups WHERE department_id = $1 AND archived_at IS NULL`, [
        departmentId,
      ])) as Array<{ id: string; name: string }>;
    return rows[0] ?? null;
  }

  /** Members of a department, paged by name; `recursive` lists everyone in the subtree once. */
  async departmentMembers(
    actor: DirectoryActor,
    id: string,
    query: { recursive: boolean; limit: number; offset: number },
  ): Promise<{ items: DepartmentMember[]; total: number }> {
    const hidden = await this.repo.hiddenPatterns(actor);
    const dept = await this.visibleDepartment(id, hidden);
    return this.listMembers(dept, query, { hidden, includeDisabled: actor.role === 'admin' });
  }

  /**
   * Also used by the benchmark: the listing without access checks. People are walked in name order
   * (users_directory_name_idx) and kept when they have a membership in scope, so the first page of a huge
   * subtree reads about one page of people; the planner starts from the memberships instead when the scope is
   * small. Disabled people are listed (flagged) only for admins, who must see who still holds a membership.
   */
  async listMembers(
    dept: { id: string; path: string },
    query: { recursive: boolean; limit: number; offset: number },
    options: { hidden?: HiddenPatterns; includeDisabled?: boolean } = {},
  ): Promise<{ items: DepartmentMember[]; total: number }> {
    const hidden = options.hidden ?? [];
    const params: unknown[] = [query.recursive ? dept.path : dept.id];
    const scope = query.recursive ? subtree('m.department_path', '$1') : 'm.department_id = $1';
    const status = options.includeDisabled ? '' : `AND u.status = 'active'`;
    const hiddenClause = this.repo.hiddenPeopleClause('u.id', hidden, params);
    const pageParams = [...params, query.limit, query.offset];
    const [total, rows] = await Promise.all([
      this.memberTotal(dept, query.recursive, hidden, options.includeDisabled ?? false),
      this.repo.manager().query(
        `SELECT p.id, p.display_name, p.employee_no, p.status, pm.department_id, pm.title, pm.is_primary
           FROM (SELECT u.id, u.display_name, u.employee_no, u.status FROM users u
                  WHERE EXISTS (SELECT 1 FROM department_members m WHERE m.user_id = u.id AND ${scope})
                        ${status} ${hiddenClause}
                  ORDER BY u.display_name, u.id LIMIT $${pageParams.length - 1} OFFSET $${pageParams.length}) p
          CROSS JOIN LATERAL (SELECT m.department_id, m.title, m.is_primary FROM department_members m
                               WHERE m.user_id = p.id AND ${scope}
                               ORDER BY m.is_primary DESC, m.department_id LIMIT 1) pm
          ORDER BY p.display_name, p.id`,
        pageParams,
      ) as Promise<
        Array<{
          id: string;
          display_name: string;
          employee_no: string | null;
          status: string;
          department_id: string;
          title: string | null;
          is_primary: boolean;
        }>
      >,
    ]);
    return {
      total,
      items: rows.map((r) => ({
        id: r.id,
        displayName: r.display_name,
        employeeNo: r.employee_no,
        title: r.title,
        departmentId: r.department_id,
        primary: r.is_primary,
        disabled: r.status !== 'active',
      })),
    };
  }

  /** The total of a member listing: stored counts for a subtree, a count of one department's members otherwise. */
  private async memberTotal(
    dept: { id: string; path: string },
    recursive: boolean,
    hidden: HiddenPatterns,
    includeDisabled: boolean,
  ): Promise<number> {
    const m = this.repo.manager();
    if (!recursive) {
      const params: unknown[] = [dept.id];
      const status = includeDisabled ? '' : `AND u.status = 'active'`;
      const rows = (await m.query(
        `SELECT count(*)::int AS n FROM department_members m JOIN users u ON u.id = m.user_id ${status}
          WHERE m.department_id = $1 ${this.repo.hiddenPeopleClause('m.user_id', hidden, params)}`,
        params,
      )) as Array<{ n: number }>;
      return rows[0]?.n ?? 0;
    }
    const active = await this.repo.recursiveMemberCount(dept, hidden, m);
    if (!includeDisabled) return active;
    // Disabled people are few: walk them (users_disabled_idx) and keep those with a membership in the subtree.
    const rows = (await m.query(
      `SELECT count(*)::int AS n FROM users u
        WHERE u.status = 'disabled'
          AND EXISTS (SELECT 1 FROM department_members m WHERE m.user_id = u.id AND ${subtree('m.department_path', '$1')})`,
      [dept.path],
    )) as Array<{ n: number }>;
    return active + (rows[0]?.n ?? 0);
  }

  private async personVisible(userId: string, hidden: HiddenPatterns): Promise<boolean> {
    if (hidden.length === 0) return true;
    const rows = (await this.repo
      .manager()
      .query(`SELECT 1 FROM department_members WHERE user_id = $1 AND department_path LIKE ANY($2::text[]) LIMIT 1`, [
        userId,
        hidden,
      ])) as unknown[];
    return rows.length === 0;
  }

  async personCard(actor: DirectoryActor, userId: string): Promise<PersonCard> {
    const hidden = await this.repo.hiddenPatterns(actor);
    if (!(await this.personVisible(userId, hidden))) throw DirectoryError.userNotFound();
    const users = (await this.repo.manager().query(
      `SELECT u.id, u.display_name, u.employee_no, u.email, u.phone, p.manager_id
         FROM users u LEFT JOIN directory_people p ON p.user_id = u.id WHERE u.id = $1`,
      [userId],
    )) as Array<{
      id: string;
      display_name: string;
      employee_no: string | null;
      email: string | null;
      phone: string | null;
      manager_id: string | null;
    }>;
    const u = users[0];
    if (!u) throw DirectoryError.userNotFound();
    const memberships = (await this.repo.manager().query(
      `SELECT m.department_id, d.name, m.title, m.is_primary FROM department_members m JOIN departments d ON d.id = m.department_id
        WHERE m.user_id = $1 ORDER BY m.is_primary DESC, d.name`,
      [userId],
    )) as Array<{ department_id: string; name: string; title: string | null; is_primary: boolean }>;
    const showContact = actor.role === 'admin' || actor.userId === userId || (await this.settings()).showContactInfo;
    const manager =
      u.manager_id && (await this.personVisible(u.manager_id, hidden))
        ? await this.repo.personSummary(u.manager_id)
        : null;
    return {
      id: u.id,
      displayName: u.display_name,
      employeeNo: u.employee_no,
      email: showContact ? u.email : null,
      phone: showContact ? u.phone : null,
      title: memberships.find((x) => x.is_primary)?.title ?? null,
      departments: memberships.map((x) => ({
        departmentId: x.department_id,
        departmentName: x.name,
        title: x.title,
        primary: x.is_primary,
      })),
      manager,
    };
  }

  // ---------- search ----------

  private lastReindex = 0;
  private reindexing: Promise<unknown> | null = null;

  /**
   * Picks up people created or renamed outside the directory (the users module): at start and then at most once a
   * minute, triggered by searches, always in the background so it never adds to a search's latency.
   */
  private refreshIndex(): void {
    if (this.reindexing || Date.now() - this.lastReindex < 60_000) return;
    this.lastReindex = Date.now();
    this.reindexing = this.repo
      .reindexStale()
      .catch(() => undefined)
      .finally(() => {
        this.lastReindex = Date.now();
        this.reindexing = null;
      });
  }

  onApplicationBootstrap(): void {
    this.refreshIndex();
  }

  /** Waits for a running background refresh (tests, shutdown). */
  async settled(): Promise<void> {
    await this.reindexing;
  }

  /**
   * People by name, pinyin (full or initials), employee number or email: exact matches first, then prefix, then
   * contains (from a character / syllable boundary), then by the matched text. Disabled and hidden people are left
   * out.
   */
  async search(
    actor: DirectoryActor,
    query: { q: string; limit: number; offset: number },
  ): Promise<{ items: SearchHit[]; hasMore: boolean }> {
    this.refreshIndex();
    const q = normaliseQuery(query.q);
    if (!q) return { items: [], hasMore: false };
    const hidden = await this.repo.hiddenPatterns(actor);
    const params: unknown[] = [q, `${escapeLike(q)}%`];
    const hiddenClause = this.repo.hiddenPeopleClause('h.user_id', hidden, params);
    params.push(query.limit + 1, query.offset);
    // Ranked and paged on the terms alone (the best match kind, then the matched text in byte order): only the
    // page's rows are joined to users, so a broad query ("z", "张") costs its matching terms, not a users join.
    // Only active people have terms; the status check below covers the minute before a re-index.
    const rows = (await this.repo.manager().query(
      `WITH hits AS (
         SELECT t.user_id, min(CASE WHEN t.whole AND t.term = $1 THEN 0 WHEN t.whole THEN 1 ELSE 2 END) AS score,
                min(t.term) AS sort_term
           FROM directory_search_terms t WHERE t.term LIKE $2 GROUP BY t.user_id),
       page AS (
         SELECT h.user_id, h.score, h.sort_term FROM hits h WHERE true ${hiddenClause}
          ORDER BY h.score, h.sort_term, h.user_id LIMIT $${params.length - 1} OFFSET $${params.length})
       SELECT u.id, u.display_name, u.employee_no, p.score, pm.title, pm.department_id, d.name AS department_name
         FROM page p JOIN users u ON u.id = p.user_id
         LEFT JOIN department_members pm ON pm.user_id = u.id AND pm.is_primary
         LEFT JOIN departments d ON d.id = pm.department_id
        WHERE u.status = 'active'
        ORDER BY p.score, p.sort_term, p.user_id`,
      params,
    )) as Array<{
      id: string;
      display_name: string;
      employee_no: string | null;
      score: number;
      title: string | null;
      department_id: string | null;
      department_name: string | null;
    }>;
    const kinds = ['exact', 'prefix', 'contains'] as const;
    return {
      hasMore: rows.length > query.limit,
      items: rows.slice(0, query.limit).map((r) => ({
        id: r.id,
        displayName: r.display_name,
        employeeNo: r.employee_no,
        title: r.title,
        match: kinds[r.score] ?? 'contains',
        primaryDepartment: r.department_id ? { id: r.department_id, name: r.department_name ?? '' } : null,
      })),
    };
  }
}
