import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { DepartmentEntity } from './entities.js';
import { escapeLike, indexedKeyOf, searchTermsOf } from './search-terms.js';
import type { Department, GroupMembershipChangedEvent, PersonSummary } from './types.js';

export interface DepartmentRow {
  id: string;
  parent_id: string | null;
  path: string;
  depth: number;
  name: string;
  name_en: string | null;
  code: string | null;
  sort_order: number;
  head_user_id: string | null;
  hidden: boolean;
}

export function toDepartment(r: DepartmentRow | DepartmentEntity): Department {
  if (r instanceof DepartmentEntity) {
    return {
      id: r.id,
      parentId: r.parentId,
      name: r.name,
      nameEn: r.nameEn,
      code: r.code,
      sortOrder: r.sortOrder,
      depth: r.depth,
      headUserId: r.headUserId,
      hidden: r.hidden,
    };
  }
  return {
    id: r.id,
    parentId: r.parent_id,
    name: r.name,
    nameEn: r.name_en,
    code: r.code,
    sortOrder: r.sort_order,
    depth: r.depth,
    headUserId: r.head_user_id,
    hidden: r.hidden,
  };
}

/** A department id as it appears in materialised paths: the UUID's 32 hex digits. */
export function pathSegment(id: string): string {
  return id.replace(/-/g, '').toLowerCase();
}

/**
 * SQL for "`column` is `path` or below it" as a range, so it is an index range scan even when `path` is not a
 * constant (a correlated subquery): ids are 32 hex digits and '.' < '/' < '0' in collation "C", so
 * [path, path || '/') holds exactly the path and its descendants.
 */
export function subtree(column: string, path: string): string {
  return `(${column} >= ${path} AND ${column} < ${path} || '/')`;
}

/**
 * LIKE patterns (`path%`; paths are hex and dots, so escaping changes nothing) of hidden subtrees the viewer is
 * outside of; `[]` for admins and when nothing is hidden.
 */
export type HiddenPatterns = string[];

/** TypeORM queries of the directory (raw SQL where the materialised path needs it). */
@Injectable()
export class DirectoryRepository {
  constructor(readonly dataSource: DataSource) {}

  manager(m?: EntityManager): EntityManager {
    return m ?? this.dataSource.manager;
  }

  transaction<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }

  /** Structural tree changes (create/move/delete/import) take this lock so paths never interleave. */
  async lockTree(m: EntityManager): Promise<void> {
    await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['miyu:directory-tree']);
  }

  /** Taken by changes to one person's memberships: they may run together, but not during a move or import. */
  async lockTreeShared(m: EntityManager): Promise<void> {
    await m.query('SELECT pg_advisory_xact_lock_shared(hashtext($1))', ['miyu:directory-tree']);
  }

  findDepartment(id: string, m?: EntityManager): Promise<DepartmentEntity | null> {
    return this.manager(m).getRepository(DepartmentEntity).findOneBy({ id });
  }

  async userExists(userId: string, m?: EntityManager): Promise<boolean> {
    const rows = (await this.manager(m).query('SELECT 1 FROM users WHERE id = $1', [userId])) as unknown[];
    return rows.length > 0;
  }

  async hiddenPatterns(viewer: { userId: string; role: string }, m?: EntityManager): Promise<HiddenPatterns> {
    if (viewer.role === 'admin') return [];
    const rows = (await this.manager(m).query(
      `SELECT d.path FROM departments d
        WHERE d.hidden
          AND NOT EXISTS (SELECT 1 FROM department_members vm
                           WHERE vm.user_id = $1 AND ${subtree('vm.department_path', 'd.path')})`,
      [viewer.userId],
    )) as Array<{ path: string }>;
    return rows.map((r) => `${escapeLike(r.path)}%`);
  }

  /** Distinct active people in the subtree of a department, as the viewer may see them. */
  async recursiveMemberCount(
    dept: { id: string; path: string },
    hidden: HiddenPatterns,
    m?: EntityManager,
  ): Promise<number> {
    // The path is a parameter only when the hidden-people correction uses it.
    const params: unknown[] = hidden.length > 0 ? [dept.id, dept.path] : [dept.id];
    const rows = (await this.manager(m).query(
      `SELECT ${this.recursiveCountSql('$1::uuid', '$2::text', hidden, params)} AS n`,
      params,
    )) as Array<{ n: number }>;
    return rows[0]?.n ?? 0;
  }

  /**
   * SQL for a department's recursive count of active people: the stored count (directory-counts.ts) less, for a
   * viewer outside hidden departments, the people of those departments who are also in this subtree (a scan of
   * the hidden departments' memberships only, not of the subtree).
   */
  recursiveCountSql(idExpr: string, pathExpr: string, hidden: HiddenPatterns, params: unknown[]): string {
    const stored = `coalesce((SELECT c.recursive_active FROM department_member_counts c WHERE c.department_id = ${idExpr}), 0)`;
    if (hidden.length === 0) return stored;
    params.push(hidden.map((p) => p.slice(0, -1)));
    return `(${stored} - (SELECT count(DISTINCT hm.user_id)::int
                            FROM unnest($${params.length}::text[]) AS hp(path)
                            JOIN department_members hm ON ${subtree('hm.department_path', 'hp.path')}
                            JOIN users hu ON hu.id = hm.user_id AND hu.status = 'active'
                           WHERE EXISTS (SELECT 1 FROM department_members x WHERE x.user_id = hm.user_id
                                            AND ${subtree('x.department_path', pathExpr)})))`;
  }

  /** `AND NOT EXISTS (membership of the person under a hidden subtree)`, appending the patterns to params. */
  hiddenPeopleClause(userColumn: string, hidden: HiddenPatterns, params: unknown[]): string {
    if (hidden.length === 0) return '';
    params.push(hidden);
    return `AND NOT EXISTS (SELECT 1 FROM department_members hm WHERE hm.user_id = ${userColumn}
                              AND hm.department_path LIKE ANY($${params.length}::text[]))`;
  }

  hiddenDepartmentsClause(pathColumn: string, hidden: HiddenPatterns, params: unknown[]): string {
    if (hidden.length === 0) return '';
    params.push(hidden);
    return `AND NOT (${pathColumn} LIKE ANY($${params.length}::text[]))`;
  }

  async personSummary(userId: string, m?: EntityManager): Promise<PersonSummary | null> {
    const rows = (await this.manager(m).query(
      `SELECT u.id, u.display_name, u.employee_no,
              (SELECT title FROM department_members WHERE user_id = u.id AND is_primary) AS title
         FROM users u WHERE u.id = $1`,
      [userId],
    )) as Array<{ id: string; display_name: string; employee_no: string | null; title: string | null }>;
    const r = rows[0];
    return r ? { id: r.id, displayName: r.display_name, employeeNo: r.employee_no, title: r.title } : null;
  }

  /**
   * Makes sure each person has a directory_people row and up-to-date search terms. Called for people the
   * directory touches, and for all stale people by `reindexStale` (names can change in the users module).
   */
  async reindexPeople(userIds: string[], m?: EntityManager): Promise<void> {
    if (userIds.length === 0) return;
    const mgr = this.manager(m);
    for (let i = 0; i < userIds.length; i += 1000) {
      const chunk = userIds.slice(i, i + 1000);
      const users = (await mgr.query(
        `SELECT id, display_name, employee_no, email, status, bot FROM users WHERE id = ANY($1::uuid[])`,
        [chunk],
      )) as Array<{
        id: string;
        display_name: string;
        employee_no: string | null;
        email: string | null;
        status: string;
        bot: boolean;
      }>;
      const ids: string[] = [];
      const keys: string[] = [];
      const termUsers: string[] = [];
      const terms: string[] = [];
      const wholes: boolean[] = [];
      for (const u of users) {
        const fields = { displayName: u.display_name, employeeNo: u.employee_no, email: u.email, status: u.status };
        ids.push(u.id);
        keys.push(indexedKeyOf(fields));
        // Disabled people and integration bots (webhooks) are not searchable: they keep no terms.
        for (const t of u.status === 'active' && !u.bot ? searchTermsOf(fields) : []) {
          termUsers.push(u.id);
          terms.push(t.term);
          wholes.push(t.whole);
        }
      }
      await mgr.query(
        `INSERT INTO directory_people (user_id, indexed_key) SELECT * FROM unnest($1::uuid[], $2::text[])
         ON CONFLICT (user_id) DO UPDATE SET indexed_key = EXCLUDED.indexed_key`,
        [ids, keys],
      );
      await mgr.query(`DELETE FROM directory_search_terms WHERE user_id = ANY($1::uuid[])`, [ids]);
      await mgr.query(
        // ON CONFLICT: a background re-index of the same person may have written the same terms meanwhile.
        `INSERT INTO directory_search_terms (user_id, term, whole) SELECT * FROM unnest($1::uuid[], $2::text[], $3::boolean[])
         ON CONFLICT (user_id, term) DO UPDATE SET whole = EXCLUDED.whole`,
        [termUsers, terms, wholes],
      );
    }
  }

  /** Re-indexes people whose users row changed since they were indexed (or who were never indexed). */
  async reindexStale(m?: EntityManager): Promise<number> {
    const rows = (await this.manager(m).query(
      `SELECT u.id FROM users u LEFT JOIN directory_people p ON p.user_id = u.id
        WHERE p.user_id IS NULL
           OR p.indexed_key IS DISTINCT FROM concat_ws(E'\\x01', u.display_name, coalesce(u.employee_no, ''), coalesce(u.email, ''), u.status)`,
    )) as Array<{ id: string }>;
    await this.reindexPeople(
      rows.map((r) => r.id),
      m,
    );
    return rows.length;
  }

  /**
   * Recomputes the members of active department groups from the directory. `paths`: only groups whose department
   * is an ancestor-or-self of one of these department paths (those are the only ones a change can affect);
   * null: every active group.
   */
  async syncGroups(m: EntityManager, paths: string[] | null): Promise<GroupMembershipChangedEvent[]> {
    const groups = (await m.query(
      `SELECT g.id, g.department_id, g.include_subdepartments, d.path FROM department_groups g
         JOIN departments d ON d.id = g.department_id
        WHERE g.archived_at IS NULL
          AND ($1::text[] IS NULL OR EXISTS (SELECT 1 FROM unnest($1::text[]) p(path) WHERE ${subtree('p.path', 'd.path')}))`,
      [paths],
    )) as Array<{ id: string; department_id: string; include_subdepartments: boolean; path: string }>;
    const events: GroupMembershipChangedEvent[] = [];
    for (const g of groups) {
      const desired = g.include_subdepartments
        ? `SELECT DISTINCT user_id FROM department_members WHERE ${subtree('department_path', '$2')}`
        : `SELECT user_id FROM department_members WHERE department_id = $2`;
      const key = g.include_subdepartments ? g.path : g.department_id;
      const added = (await m.query(
        `INSERT INTO department_group_members (group_id, user_id)
         SELECT $1, user_id FROM (${desired}) want
         ON CONFLICT DO NOTHING RETURNING user_id`,
        [g.id, key],
      )) as Array<{ user_id: string }>;
      const removed = (await m.query(
        // In a CTE: TypeORM returns [rows, count] for a bare DELETE.
        `WITH gone AS (DELETE FROM department_group_members gm WHERE gm.group_id = $1
            AND gm.user_id NOT IN (${desired}) RETURNING user_id) SELECT user_id FROM gone`,
        [g.id, key],
      )) as Array<{ user_id: string }>;
      if (added.length || removed.length) {
        events.push({ groupId: g.id, added: added.map((r) => r.user_id), removed: removed.map((r) => r.user_id) });
      }
    }
    return events;
  }
}
