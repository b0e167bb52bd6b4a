import { Injectable } from '@nestjs/common';
import { SCIM_SCHEMA } from '@miyu/protocol';
import { DataSource } from 'typeorm';
import { ScimError } from './scim-errors.js';
import type { EqualityFilter } from './scim-filter.js';

export interface ScimUserRow {
  id: string;
  login: string;
  display_name: string;
  employee_no: string | null;
  email: string | null;
  phone: string | null;
  status: 'active' | 'disabled';
  created_at: Date;
  last_modified: Date;
  external_id: string | null;
  given_name: string | null;
  family_name: string | null;
  email_type: string | null;
  phone_type: string | null;
  title: string | null;
  department: string | null;
  manager_id: string | null;
  manager_name: string | null;
  primary_department_id: string | null;
  groups: Array<{ id: string; name: string }>;
}

export interface ScimGroupRow {
  id: string;
  name: string;
  created_at: Date;
  last_modified: Date;
  external_id: string | null;
  members: Array<{ id: string; display_name: string }>;
}

/** What SCIM keeps about a person beyond the `users` row. */
export interface ScimUserExtras {
  externalId: string | null;
  givenName: string | null;
  familyName: string | null;
  emailType: string | null;
  phoneType: string | null;
  title: string | null;
  department: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (s: string): boolean => UUID.test(s);

type Condition = { sql: string; params: unknown[] };

/** Reads for the SCIM resources (people, departments) and the small `scim_*` tables it writes itself. */
@Injectable()
export class ScimRepository {
  constructor(private readonly dataSource: DataSource) {}

  // ---------- users ----------

  async pageUsers(
    filter: EqualityFilter | null,
    offset: number,
    limit: number,
  ): Promise<{ total: number; rows: ScimUserRow[] }> {
    const where = filter ? userCondition(filter) : { sql: 'true', params: [] };
    const n = where.params.length;
    const [count] = (await this.dataSource.query(
      `SELECT count(*)::int AS n FROM users u LEFT JOIN scim_users s ON s.user_id = u.id WHERE ${where.sql}`,
      where.params,
    )) as Array<{ n: number }>;
    if (limit === 0) return { total: count!.n, rows: [] };
    const ids = (await this.dataSource.query(
      `SELECT u.id FROM users u LEFT JOIN scim_users s ON s.user_id = u.id WHERE ${where.sql}
        ORDER BY u.created_at, u.id LIMIT $${n + 1} OFFSET $${n + 2}`,
      [...where.params, limit, offset],
    )) as Array<{ id: string }>;
    return { total: count!.n, rows: await this.usersByIds(ids.map((r) => r.id)) };
  }

  async findUser(id: string): Promise<ScimUserRow | null> {
    if (!isUuid(id)) return null;
    return (await this.usersByIds([id]))[0] ?? null;
  }

  async usersByIds(ids: string[]): Promise<ScimUserRow[]> {
    if (ids.length === 0) return [];
    const rows = (await this.dataSource.query(
      `SELECT u.id, u.login, u.display_name, u.employee_no, u.email, u.phone, u.status, u.created_at,
              greatest(u.updated_at, s.updated_at) AS last_modified,
              s.external_id, s.given_name, s.family_name, s.email_type, s.phone_type, s.title, s.department,
              p.manager_id, m.display_name AS manager_name, pm.department_id AS primary_department_id
         FROM users u
         LEFT JOIN scim_users s ON s.user_id = u.id
         LEFT JOIN directory_people p ON p.user_id = u.id
         LEFT JOIN users m ON m.id = p.manager_id
         LEFT JOIN department_members pm ON pm.user_id = u.id AND pm.is_primary
        WHERE u.id = ANY($1::uuid[])`,
      [ids],
    )) as Array<Omit<ScimUserRow, 'groups'>>;
    const groups = (await this.dataSource.query(
      `SELECT dm.user_id, d.id, d.name FROM department_members dm JOIN departments d ON d.id = dm.department_id
        WHERE dm.user_id = ANY($1::uuid[]) ORDER BY dm.is_primary DESC, dm.created_at, d.id`,
      [ids],
    )) as Array<{ user_id: string; id: string; name: string }>;
    const byId = new Map(rows.map((r) => [r.id, { ...r, groups: [] as ScimUserRow['groups'] }]));
    for (const g of groups) byId.get(g.user_id)?.groups.push({ id: g.id, name: g.name });
    return ids.map((id) => byId.get(id)).filter((r): r is ScimUserRow => r !== undefined);
  }

  /** Ids among `ids` that are people. */
  async existingUsers(ids: string[]): Promise<Set<string>> {
    const valid = ids.filter(isUuid);
    if (valid.length === 0) return new Set();
    const rows = (await this.dataSource.query(`SELECT id FROM users WHERE id = ANY($1::uuid[])`, [valid])) as Array<{
      id: string;
    }>;
    return new Set(rows.map((r) => r.id));
  }

  async userIdByEmployeeNo(employeeNo: string): Promise<string | null> {
    const rows = (await this.dataSource.query(`SELECT id FROM users WHERE employee_no = $1`, [employeeNo])) as Array<{
      id: string;
    }>;
    return rows[0]?.id ?? null;
  }

  /** True when `managerId` reports (directly or through others) to `userId`, or is them. */
  async wouldCycle(userId: string, managerId: string): Promise<boolean> {
    const rows = (await this.dataSource.query(
      `WITH RECURSIVE up(id, n) AS (
         SELECT $1::uuid, 0
         UNION ALL SELECT p.manager_id, up.n + 1 FROM directory_people p JOIN up ON p.user_id = up.id
          WHERE p.manager_id IS NOT NULL AND up.n < 1000)
       SELECT 1 FROM up WHERE id = $2 LIMIT 1`,
      [managerId, userId],
    )) as unknown[];
    return rows.length > 0;
  }

  async saveUserExtras(userId: string, extras: ScimUserExtras): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO scim_users (user_id, external_id, given_name, family_name, email_type, phone_type, title, department,
                               updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now())
       ON CONFLICT (user_id) DO UPDATE SET external_id = $2, given_name = $3, family_name = $4, email_type = $5,
         phone_type = $6, title = $7, department = $8, updated_at = now()`,
      [
        userId,
        extras.externalId,
        extras.givenName,
        extras.familyName,
        extras.emailType,
        extras.phoneType,
        extras.title,
        extras.department,
      ],
    );
  }

  // ---------- groups (departments) ----------

  async pageGroups(
    filter: EqualityFilter | null,
    offset: number,
    limit: number,
    withMembers: boolean,
  ): Promise<{ total: number; rows: ScimGroupRow[] }> {
    const where = filter ? groupCondition(filter) : { sql: 'true', params: [] };
    const n = where.params.length;
    const [count] = (await this.dataSource.query(
      `SELECT count(*)::int AS n FROM departments d LEFT JOIN scim_groups g ON g.department_id = d.id WHERE ${where.sql}`,
      where.params,
    )) as Array<{ n: number }>;
    if (limit === 0) return { total: count!.n, rows: [] };
    const ids = (await this.dataSource.query(
      `SELECT d.id FROM departments d LEFT JOIN scim_groups g ON g.department_id = d.id WHERE ${where.sql}
        ORDER BY d.created_at, d.id LIMIT $${n + 1} OFFSET $${n + 2}`,
      [...where.params, limit, offset],
    )) as Array<{ id: string }>;
    return {
      total: count!.n,
      rows: await this.groupsByIds(
        ids.map((r) => r.id),
        withMembers,
      ),
    };
  }

  async findGroup(id: string, withMembers = true): Promise<ScimGroupRow | null> {
    if (!isUuid(id)) return null;
    return (await this.groupsByIds([id], withMembers))[0] ?? null;
  }

  async groupsByIds(ids: string[], withMembers: boolean): Promise<ScimGroupRow[]> {
    if (ids.length === 0) return [];
    const rows = (await this.dataSource.query(
      `SELECT d.id, d.name, d.created_at, greatest(d.updated_at, g.updated_at) AS last_modified, g.external_id
         FROM departments d LEFT JOIN scim_groups g ON g.department_id = d.id WHERE d.id = ANY($1::uuid[])`,
      [ids],
    )) as Array<Omit<ScimGroupRow, 'members'>>;
    const members = withMembers
      ? ((await this.dataSource.query(
          `SELECT dm.department_id, u.id, u.display_name FROM department_members dm JOIN users u ON u.id = dm.user_id
            WHERE dm.department_id = ANY($1::uuid[]) ORDER BY dm.created_at, u.id`,
          [ids],
        )) as Array<{ department_id: string; id: string; display_name: string }>)
      : [];
    const byId = new Map(rows.map((r) => [r.id, { ...r, members: [] as ScimGroupRow['members'] }]));
    for (const m of members) byId.get(m.department_id)?.members.push({ id: m.id, display_name: m.display_name });
    return ids.map((id) => byId.get(id)).filter((r): r is ScimGroupRow => r !== undefined);
  }

  /** Sub-departments and an active department group keep a department from being deleted (members do not). */
  async deleteBlocker(departmentId: string): Promise<'subdepartments' | 'group' | null> {
    const [facts] = (await this.dataSource.query(
      `SELECT EXISTS (SELECT 1 FROM departments WHERE parent_id = $1) AS children,
              EXISTS (SELECT 1 FROM department_groups WHERE department_id = $1 AND archived_at IS NULL) AS grp`,
      [departmentId],
    )) as Array<{ children: boolean; grp: boolean }>;
    return facts!.children ? 'subdepartments' : facts!.grp ? 'group' : null;
  }

  async saveGroupExtras(departmentId: string, externalId: string | null): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO scim_groups (department_id, external_id, updated_at) VALUES ($1, $2, now())
       ON CONFLICT (department_id) DO UPDATE SET external_id = $2, updated_at = now()`,
      [departmentId, externalId],
    );
  }
}

/** The attribute a filter names, without its schema prefix, lower-cased; enterprise attributes keep a marker. */
function filterAttribute(filter: EqualityFilter, core: string): string {
  const lower = filter.attribute.toLowerCase();
  const enterprise = `${SCIM_SCHEMA.enterpriseUser.toLowerCase()}:`;
  if (lower.startsWith(enterprise)) return `enterprise:${lower.slice(enterprise.length)}`;
  const prefix = `${core.toLowerCase()}:`;
  return lower.startsWith(prefix) ? lower.slice(prefix.length) : lower;
}

function text(filter: EqualityFilter): string {
  if (typeof filter.value !== 'string') throw ScimError.invalidFilter(`${filter.attribute} is compared to a string.`);
  return filter.value;
}

function idCondition(column: string, filter: EqualityFilter): Condition {
  const id = text(filter);
  return isUuid(id) ? { sql: `${column} = $1::uuid`, params: [id] } : { sql: 'false', params: [] };
}

function userCondition(filter: EqualityFilter): Condition {
  switch (filterAttribute(filter, SCIM_SCHEMA.user)) {
    case 'username':
      return { sql: 'u.login = lower($1)', params: [text(filter)] };
    case 'id':
      return idCondition('u.id', filter);
    case 'externalid':
      return { sql: 's.external_id = $1', params: [text(filter)] };
    case 'displayname':
      return { sql: 'u.display_name = $1', params: [text(filter)] };
    case 'emails':
    case 'emails.value':
      return { sql: 'lower(u.email) = lower($1)', params: [text(filter)] };
    case 'enterprise:employeenumber':
      return { sql: 'u.employee_no = $1', params: [text(filter)] };
    case 'active':
      if (typeof filter.value !== 'boolean') throw ScimError.invalidFilter('active is compared to true or false.');
      return { sql: `(u.status = 'active') = $1`, params: [filter.value] };
    default:
      throw ScimError.invalidFilter(
        `Filtering Users on "${filter.attribute}" is not supported (userName, externalId, id, displayName, emails, employeeNumber, active).`,
      );
  }
}

function groupCondition(filter: EqualityFilter): Condition {
  switch (filterAttribute(filter, SCIM_SCHEMA.group)) {
    case 'displayname':
      return { sql: 'd.name = $1', params: [text(filter)] };
    case 'id':
      return idCondition('d.id', filter);
    case 'externalid':
      return { sql: 'g.external_id = $1', params: [text(filter)] };
    default:
      throw ScimError.invalidFilter(
        `Filtering Groups on "${filter.attribute}" is not supported (displayName, externalId, id).`,
      );
  }
}
