import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { MAX_DEPARTMENT_DEPTH } from './department-path.js';
import { recountAll } from './directory-counts.js';
import { DirectoryRepository, pathSegment } from './directory.repository.js';
import { assertAdmin, MAX_MEMBERSHIPS } from './directory.service.js';
import { DirectoryError } from './errors.js';
import { IMPORT_COLUMNS, parseCsv, parseFlag, parseXlsx, type RawImportRow } from './import-file.js';
import {
  type DirectoryActor,
  DirectoryEvents,
  type ImportReport,
  type ImportRowError,
  type ImportRowErrorReason,
} from './types.js';

/** Imported people get this instead of a password hash: it never verifies, so they cannot sign in until an admin
 * sets a password (docs/directory.md). */
export const NO_PASSWORD = '!imported-no-password';

const LOGIN = /^[a-z0-9][a-z0-9._-]{1,63}$/;
const CODE = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const EMAIL = /^[^\s@]{1,64}@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+?[0-9][0-9 -]{4,31}$/;
// eslint-disable-next-line no-control-regex -- refusing control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

interface PlannedDepartment {
  row: number;
  code: string;
  name: string;
  nameEn: string | null;
  parentCode: string | null;
  sortOrder: number | null;
  existingId: string | null;
}

interface PlannedMembership {
  row: number;
  departmentCode: string;
  title: string | null;
  primary: boolean;
}

interface PlannedPerson {
  row: number;
  login: string;
  displayName: string;
  employeeNo: string | null;
  email: string | null;
  phone: string | null;
  managerEmployeeNo: string | null;
  memberships: PlannedMembership[];
  existingId: string | null;
}

interface Plan {
  departments: PlannedDepartment[];
  people: PlannedPerson[];
  errors: ImportRowError[];
}

/**
 * Bulk import and export of the directory (CSV and XLSX; format in docs/directory.md). A dry run validates the
 * whole file and lists every row error; a real import re-validates and applies everything in ONE transaction,
 * writing nothing when any row is wrong. Creating people inserts `users` rows directly (with no usable password),
 * inside that transaction, so a failed import leaves no half-created accounts.
 */
@Injectable()
export class DirectoryImportService {
  constructor(
    private readonly repo: DirectoryRepository,
    private readonly events: EventEmitter2,
  ) {}

  async importFile(
    actor: DirectoryActor,
    format: 'csv' | 'xlsx',
    data: Buffer,
    dryRun: boolean,
  ): Promise<ImportReport> {
    assertAdmin(actor);
    const rows = format === 'csv' ? parseCsv(data) : await parseXlsx(data);
    return this.importRows(actor, rows, dryRun);
  }

  async importRows(actor: DirectoryActor, rows: RawImportRow[], dryRun: boolean): Promise<ImportReport> {
    assertAdmin(actor);
    if (dryRun) {
      const plan = await this.plan(rows, this.repo.manager());
      return this.report(plan, rows.length, true);
    }
    const emitted: Array<[string, unknown]> = [];
    const report = await this.repo.transaction(async (m) => {
      await this.repo.lockTree(m);
      const plan = await this.plan(rows, m);
      const report = this.report(plan, rows.length, false);
      if (plan.errors.length > 0) {
        throw new DirectoryError(
          'IMPORT_INVALID',
          `The file has ${plan.errors.length} row error(s); nothing was imported.`,
          plan.errors.slice(0, 1000).map((e) => ({
            path: `row ${e.row}${e.column ? ` ${e.column}` : ''}`,
            message: `${e.reason}: ${e.message}`,
          })),
        );
      }
      await this.apply(plan, m);
      await recountAll(m);
      for (const change of await this.repo.syncGroups(m, null))
        emitted.push([DirectoryEvents.groupMembershipChanged, change]);
      return report;
    });
    this.events.emit(DirectoryEvents.imported, { actorId: actor.userId, report });
    for (const [name, payload] of emitted) this.events.emit(name, payload);
    return report;
  }

  private report(plan: Plan, rows: number, dryRun: boolean): ImportReport {
    return {
      dryRun,
      ok: plan.errors.length === 0,
      rows,
      departmentsCreated: plan.departments.filter((d) => !d.existingId).length,
      departmentsUpdated: plan.departments.filter((d) => d.existingId).length,
      peopleCreated: plan.people.filter((p) => !p.existingId).length,
      peopleUpdated: plan.people.filter((p) => p.existingId).length,
      membershipsSet: plan.people.reduce((n, p) => n + p.memberships.length, 0),
      errors: plan.errors.sort((a, b) => a.row - b.row),
    };
  }

  private async plan(rows: RawImportRow[], m: EntityManager): Promise<Plan> {
    const errors: ImportRowError[] = [];
    const fail = (row: number, column: string | null, reason: ImportRowErrorReason, message: string) =>
      errors.push({ row, column, reason, message });
    const text = (
      r: RawImportRow,
      col: (typeof IMPORT_COLUMNS)[number],
      max: number,
      required: boolean,
    ): string | null => {
      const v = (r.values[col] ?? '').trim();
      if (!v) {
        if (required) fail(r.row, col, 'missing_field', `${col} is required`);
        return null;
      }
      if (v.length > max || CONTROL.test(v)) {
        fail(r.row, col, 'bad_value', `${col} must be at most ${max} characters without control characters`);
        return null;
      }
      return v;
    };

    // ---- departments ----
    const departments = new Map<string, PlannedDepartment>();
    const personRows: RawImportRow[] = [];
    // Codes of department rows, valid or not: a reference to an invalid one is reported on that row only.
    const declared = new Set<string>();
    for (const r of rows) {
      const kind = (r.values.kind ?? '').trim().toLowerCase();
      if (kind === 'person') {
        personRows.push(r);
        continue;
      }
      if (kind !== 'department') {
        fail(r.row, 'kind', kind ? 'bad_value' : 'missing_field', 'kind must be "department" or "person"');
        continue;
      }
      const code = text(r, 'code', 64, true);
      if (code) declared.add(code);
      const name = text(r, 'name', 100, true);
      const nameEn = text(r, 'name_en', 100, false);
      const parentCode = text(r, 'parent_code', 64, false);
      const sortRaw = (r.values.sort_order ?? '').trim();
      const sortOrder = sortRaw === '' ? null : Number(sortRaw);
      if (code && !CODE.test(code))
        fail(r.row, 'code', 'bad_value', 'code: letters, digits, dot, underscore and dash only');
      if (name?.includes('/')) fail(r.row, 'name', 'bad_value', 'name must not contain /');
      if (sortOrder !== null && !(Number.isInteger(sortOrder) && sortOrder >= 0 && sortOrder <= 1_000_000)) {
        fail(r.row, 'sort_order', 'bad_value', 'sort_order must be a whole number from 0 to 1000000');
      }
      if (!code || !name) continue;
      if (departments.has(code)) {
        fail(
          r.row,
          'code',
          'duplicate_code',
          `department code ${code} appears more than once (first in row ${departments.get(code)!.row})`,
        );
        continue;
      }
      departments.set(code, {
        row: r.row,
        code,
        name,
        nameEn,
        parentCode,
        sortOrder: sortOrder ?? null,
        existingId: null,
      });
    }
    const personDeptCodes = personRows.map((r) => (r.values.department_code ?? '').trim()).filter(Boolean);
    const allCodes = [
      ...new Set([
        ...departments.keys(),
        ...[...departments.values()].map((d) => d.parentCode ?? ''),
        ...personDeptCodes,
      ]),
    ].filter(Boolean);
    const existingDepts = new Map<string, { id: string; parent_id: string | null; path: string; depth: number }>();
    for (const d of (await m.query(
      // Departments without a code are exported with their id as code: match those by id.
      `SELECT id, coalesce(code, id::text) AS code, parent_id, path, depth FROM departments
        WHERE code = ANY($1::text[]) OR (code IS NULL AND id::text = ANY($1::text[]))`,
      [allCodes],
    )) as Array<{
      id: string;
      code: string;
      parent_id: string | null;
      path: string;
      depth: number;
    }>) {
      existingDepts.set(d.code, d);
    }
    // Depth of each department in the file, following parents through the file and the database; cycles are
    // reported on every row that takes part.
    const depthOf = new Map<string, number>();
    const inCycle = new Set<string>();
    for (const d of departments.values()) {
      const existing = existingDepts.get(d.code);
      if (existing) {
        d.existingId = existing.id;
        const parent = d.parentCode ? existingDepts.get(d.parentCode) : null;
        if ((parent?.id ?? null) !== existing.parent_id) {
          fail(
            d.row,
            'parent_code',
            'bad_value',
            `department ${d.code} exists under another parent: move it in the directory, not by import`,
          );
        }
      } else if (d.parentCode && !declared.has(d.parentCode) && !existingDepts.has(d.parentCode)) {
        fail(
          d.row,
          'parent_code',
          'unknown_parent',
          `parent department ${d.parentCode} is neither in the file nor in the directory`,
        );
      }
    }
    const resolveDepth = (code: string, seen: string[]): number | null => {
      const known = depthOf.get(code);
      if (known !== undefined) return known;
      const existing = existingDepts.get(code);
      const d = departments.get(code);
      if (existing && (!d || d.existingId)) return existing.depth;
      if (!d) return null;
      if (seen.includes(code)) {
        for (const c of seen.slice(seen.indexOf(code))) inCycle.add(c);
        return null;
      }
      const parentDepth = d.parentCode ? resolveDepth(d.parentCode, [...seen, code]) : 0;
      if (parentDepth === null) return null;
      depthOf.set(code, parentDepth + 1);
      return parentDepth + 1;
    };
    for (const d of departments.values()) {
      const depth = resolveDepth(d.code, []);
      if (depth !== null && depth > MAX_DEPARTMENT_DEPTH) {
        fail(
          d.row,
          'parent_code',
          'too_deep',
          `department ${d.code} would be ${depth} levels deep (at most ${MAX_DEPARTMENT_DEPTH})`,
        );
      }
    }
    for (const code of inCycle) {
      fail(
        departments.get(code)!.row,
        'parent_code',
        'cycle',
        `department ${code} is its own ancestor through parent_code`,
      );
    }

    // ---- people ----
    const people = new Map<string, PlannedPerson>();
    const employeeNoOwner = new Map<string, { login: string; row: number }>();
    for (const r of personRows) {
      const loginRaw = text(r, 'login', 64, true);
      const login = loginRaw?.toLowerCase() ?? null;
      const displayName = text(r, 'display_name', 100, true);
      const employeeNo = text(r, 'employee_no', 64, false);
      const email = text(r, 'email', 254, false);
      const phone = text(r, 'phone', 32, false);
      const deptCode = text(r, 'department_code', 64, true);
      const title = text(r, 'title', 100, false);
      const managerNo = text(r, 'manager_employee_no', 64, false);
      const primary = parseFlag(r.values.primary);
      if (login && !LOGIN.test(login))
        fail(r.row, 'login', 'bad_value', 'login: 2–64 letters, digits, dot, underscore and dash');
      if (email && !EMAIL.test(email)) fail(r.row, 'email', 'bad_email', `${email} is not an email address`);
      if (phone && !PHONE.test(phone))
        fail(r.row, 'phone', 'bad_value', 'phone: digits, spaces and dashes, optionally starting with +');
      if (primary === null) fail(r.row, 'primary', 'bad_value', 'primary must be yes/no, true/false, 1/0 or 是/否');
      if (deptCode && !declared.has(deptCode) && !existingDepts.has(deptCode)) {
        fail(
          r.row,
          'department_code',
          'unknown_department',
          `department ${deptCode} is neither in the file nor in the directory`,
        );
      }
      if (employeeNo) {
        const owner = employeeNoOwner.get(employeeNo);
        if (owner && owner.login !== login) {
          fail(
            r.row,
            'employee_no',
            'duplicate_employee_no',
            `employee number ${employeeNo} is also used in row ${owner.row}`,
          );
        } else if (!owner && login) employeeNoOwner.set(employeeNo, { login, row: r.row });
      }
      if (!login || !displayName || !deptCode) continue;
      let person = people.get(login);
      if (!person) {
        person = {
          row: r.row,
          login,
          displayName,
          employeeNo,
          email,
          phone,
          managerEmployeeNo: managerNo,
          memberships: [],
          existingId: null,
        };
        people.set(login, person);
      } else if (
        person.displayName !== displayName ||
        person.employeeNo !== employeeNo ||
        person.email !== email ||
        person.phone !== phone
      ) {
        fail(r.row, 'login', 'bad_value', `${login} appears in row ${person.row} with different person details`);
      }
      if (person.memberships.some((x) => x.departmentCode === deptCode)) {
        fail(r.row, 'department_code', 'duplicate_login', `${login} is listed twice in department ${deptCode}`);
        continue;
      }
      person.memberships.push({ row: r.row, departmentCode: deptCode, title, primary: primary ?? false });
    }
    const logins = [...people.keys()];
    const existingUsers = (await m.query(`SELECT id, login FROM users WHERE login = ANY($1::text[])`, [
      logins,
    ])) as Array<{ id: string; login: string }>;
    const userIdByLogin = new Map(existingUsers.map((u) => [u.login, u.id]));
    const nos = [...employeeNoOwner.keys()];
    const managerNos = [...people.values()].map((p) => p.managerEmployeeNo).filter((x): x is string => !!x);
    const numbered = (await m.query(`SELECT id, login, employee_no FROM users WHERE employee_no = ANY($1::text[])`, [
      [...new Set([...nos, ...managerNos])],
    ])) as Array<{ id: string; login: string; employee_no: string }>;
    const loginByNo = new Map(numbered.map((u) => [u.employee_no, u.login]));
    for (const p of people.values()) {
      p.existingId = userIdByLogin.get(p.login) ?? null;
      const holder = p.employeeNo ? loginByNo.get(p.employeeNo) : undefined;
      // Taken by someone else, unless that someone is also in the file and gives the number up there.
      if (holder && holder !== p.login && (!people.has(holder) || people.get(holder)!.employeeNo === p.employeeNo)) {
        fail(p.row, 'employee_no', 'employee_no_taken', `employee number ${p.employeeNo} already belongs to ${holder}`);
      }
      if (p.managerEmployeeNo && !employeeNoOwner.has(p.managerEmployeeNo) && !loginByNo.has(p.managerEmployeeNo)) {
        fail(p.row, 'manager_employee_no', 'unknown_manager', `no person has employee number ${p.managerEmployeeNo}`);
      }
      if (p.managerEmployeeNo && p.managerEmployeeNo === p.employeeNo) {
        fail(p.row, 'manager_employee_no', 'unknown_manager', 'a person cannot be their own manager');
      }
      if (p.memberships.length > MAX_MEMBERSHIPS) {
        fail(
          p.row,
          'department_code',
          'too_many_departments',
          `${p.login} is in ${p.memberships.length} departments (at most ${MAX_MEMBERSHIPS})`,
        );
      }
      const primaries = p.memberships.filter((x) => x.primary);
      if (primaries.length > 1) {
        for (const x of primaries.slice(1))
          fail(x.row, 'primary', 'primary', `${p.login} has more than one primary department`);
      } else if (primaries.length === 0 && p.memberships[0]) {
        p.memberships[0].primary = true;
      }
    }
    // Reporting loops among the file's people (A reports to B, B to A).
    const byNo = new Map([...people.values()].filter((p) => p.employeeNo).map((p) => [p.employeeNo!, p]));
    const looped = new Set<PlannedPerson>();
    for (const start of people.values()) {
      const seen: PlannedPerson[] = [];
      let at: PlannedPerson | undefined = start;
      while (at && !seen.includes(at) && !looped.has(at)) {
        seen.push(at);
        at =
          at.managerEmployeeNo && at.managerEmployeeNo !== at.employeeNo ? byNo.get(at.managerEmployeeNo) : undefined;
      }
      if (at && seen.includes(at)) for (const p of seen.slice(seen.indexOf(at))) looped.add(p);
    }
    for (const p of looped) {
      fail(p.row, 'manager_employee_no', 'cycle', `${p.login} would report to themselves through manager_employee_no`);
    }
    return { departments: [...departments.values()], people: [...people.values()], errors };
  }

  private async apply(plan: Plan, m: EntityManager): Promise<void> {
    // Departments: parents before children (file order is not guaranteed).
    const byCode = new Map<string, { id: string; path: string; depth: number }>();
    const known = (await m.query(
      `SELECT id, coalesce(code, id::text) AS code, path, depth FROM departments
        WHERE code = ANY($1::text[]) OR (code IS NULL AND id::text = ANY($1::text[]))`,
      [
        [
          ...new Set([
            ...plan.departments.map((d) => d.code),
            ...plan.departments.map((d) => d.parentCode ?? ''),
            ...plan.people.flatMap((p) => p.memberships.map((x) => x.departmentCode)),
          ]),
        ],
      ],
    )) as Array<{ id: string; code: string; path: string; depth: number }>;
    for (const k of known) byCode.set(k.code, k);
    const pending = plan.departments.filter((d) => !d.existingId);
    const inserts: Array<{ id: string; parentId: string | null; path: string; depth: number; d: PlannedDepartment }> =
      [];
    while (pending.length > 0) {
      const before = pending.length;
      for (let i = pending.length - 1; i >= 0; i--) {
        const d = pending[i]!;
        const parent = d.parentCode ? byCode.get(d.parentCode) : null;
        if (d.parentCode && !parent) continue;
        const id = randomUUID();
        const path = parent ? `${parent.path}.${pathSegment(id)}` : pathSegment(id);
        const depth = (parent?.depth ?? 0) + 1;
        byCode.set(d.code, { id, path, depth });
        inserts.push({ id, parentId: parent?.id ?? null, path, depth, d });
        pending.splice(i, 1);
      }
      if (pending.length === before) throw new Error('import plan has unresolved departments');
    }
    if (inserts.length > 0) {
      await m.query(
        `INSERT INTO departments (id, parent_id, path, depth, name, name_en, code, sort_order)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::int[], $5::text[], $6::text[], $7::text[], $8::int[])`,
        [
          inserts.map((x) => x.id),
          inserts.map((x) => x.parentId),
          inserts.map((x) => x.path),
          inserts.map((x) => x.depth),
          inserts.map((x) => x.d.name),
          inserts.map((x) => x.d.nameEn),
          inserts.map((x) => x.d.code),
          inserts.map((x) => x.d.sortOrder ?? x.d.row),
        ],
      );
    }
    for (const d of plan.departments.filter((x) => x.existingId)) {
      await m.query(
        `UPDATE departments SET name = $2, name_en = $3, sort_order = coalesce($4, sort_order), updated_at = now() WHERE id = $1`,
        [d.existingId, d.name, d.nameEn, d.sortOrder],
      );
    }

    // People: new ones get no usable password; existing ones get the file's details.
    const created = plan.people.filter((p) => !p.existingId);
    for (const p of created) p.existingId = randomUUID();
    if (created.length > 0) {
      await m.query(
        `INSERT INTO users (id, login, display_name, employee_no, email, phone, password_hash)
         SELECT i, l, n, e, em, ph, $7 FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[]) AS x(i, l, n, e, em, ph)`,
        [
          created.map((p) => p.existingId),
          created.map((p) => p.login),
          created.map((p) => p.displayName),
          created.map((p) => p.employeeNo),
          created.map((p) => p.email),
          created.map((p) => p.phone),
          NO_PASSWORD,
        ],
      );
    }
    const updated = plan.people.filter((p) => !created.includes(p));
    if (updated.length > 0) {
      // Free the employee numbers first, so swaps inside the file do not trip the unique index.
      await m.query(`UPDATE users SET employee_no = NULL WHERE id = ANY($1::uuid[])`, [
        updated.map((p) => p.existingId),
      ]);
      await m.query(
        `UPDATE users u SET display_name = x.n, employee_no = x.e, email = x.em, phone = x.ph, updated_at = now()
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[]) AS x(i, n, e, em, ph) WHERE u.id = x.i`,
        [
          updated.map((p) => p.existingId),
          updated.map((p) => p.displayName),
          updated.map((p) => p.employeeNo),
          updated.map((p) => p.email),
          updated.map((p) => p.phone),
        ],
      );
    }
    const ids = plan.people.map((p) => p.existingId!);
    // The file's rows are the complete list of departments of each person in it.
    await m.query(`DELETE FROM department_members WHERE user_id = ANY($1::uuid[])`, [ids]);
    const ms = plan.people.flatMap((p) => p.memberships.map((x) => ({ p, x, dept: byCode.get(x.departmentCode)! })));
    for (let i = 0; i < ms.length; i += 5000) {
      const chunk = ms.slice(i, i + 5000);
      await m.query(
        `INSERT INTO department_members (department_id, user_id, department_path, title, is_primary)
         SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::boolean[])`,
        [
          chunk.map((c) => c.dept.id),
          chunk.map((c) => c.p.existingId),
          chunk.map((c) => c.dept.path),
          chunk.map((c) => c.x.title),
          chunk.map((c) => c.x.primary),
        ],
      );
    }
    await this.repo.reindexPeople(ids, m);
    const withManager = plan.people.filter((p) => p.managerEmployeeNo);
    await m.query(
      `UPDATE directory_people dp SET manager_id = mgr.id
         FROM unnest($1::uuid[], $2::text[]) AS x(uid, no) JOIN users mgr ON mgr.employee_no = x.no
        WHERE dp.user_id = x.uid`,
      [withManager.map((p) => p.existingId), withManager.map((p) => p.managerEmployeeNo)],
    );
    // A loop through people outside the file cannot be seen in the plan: check after writing (this rolls back).
    // Walked in memory over all manager edges (one read): a recursive CTE here was planned as a nested
    // loop over the whole table (17 s for 9,000 people in the benchmark).
    const edges = (await m.query(
      `SELECT user_id, manager_id FROM directory_people WHERE manager_id IS NOT NULL`,
    )) as Array<{
      user_id: string;
      manager_id: string;
    }>;
    const managerOf = new Map(edges.map((e) => [e.user_id, e.manager_id]));
    const loops: Array<{ start: string }> = [];
    for (const p of withManager) {
      const start = p.existingId!;
      let at = managerOf.get(start);
      for (let n = 0; at && at !== start && n < managerOf.size; n++) at = managerOf.get(at);
      if (at === start) loops.push({ start });
    }
    if (loops.length > 0) {
      const rows = plan.people.filter((p) => loops.some((l) => l.start === p.existingId));
      throw new DirectoryError(
        'IMPORT_INVALID',
        'The managers in the file would make people report to themselves; nothing was imported.',
        rows.map((p) => ({
          path: `row ${p.row} manager_employee_no`,
          message: `cycle: ${p.login} would report to themselves`,
        })),
      );
    }
  }

  // ---------- export ----------

  /** The whole directory in the import format: departments (parents first), then one row per membership. */
  async exportRows(actor: DirectoryActor): Promise<string[][]> {
    assertAdmin(actor);
    const m = this.repo.manager();
    const depts = (await m.query(
      `SELECT d.id, coalesce(d.code, d.id::text) AS code, d.name, d.name_en, d.sort_order, coalesce(p.code, p.id::text) AS parent_code
         FROM departments d LEFT JOIN departments p ON p.id = d.parent_id ORDER BY d.depth, d.sort_order, d.name`,
    )) as Array<{ code: string; name: string; name_en: string | null; sort_order: number; parent_code: string | null }>;
    const members = (await m.query(
      `SELECT u.login, u.display_name, u.employee_no, u.email, u.phone, coalesce(d.code, d.id::text) AS department_code,
              dm.title, dm.is_primary, mgr.employee_no AS manager_employee_no
         FROM department_members dm JOIN users u ON u.id = dm.user_id JOIN departments d ON d.id = dm.department_id
         LEFT JOIN directory_people p ON p.user_id = u.id LEFT JOIN users mgr ON mgr.id = p.manager_id
        ORDER BY u.login, dm.is_primary DESC, d.path`,
    )) as Array<{
      login: string;
      display_name: string;
      employee_no: string | null;
      email: string | null;
      phone: string | null;
      department_code: string;
      title: string | null;
      is_primary: boolean;
      manager_employee_no: string | null;
    }>;
    const out: string[][] = [[...IMPORT_COLUMNS]];
    const row = (v: Partial<Record<(typeof IMPORT_COLUMNS)[number], string | null>>) =>
      IMPORT_COLUMNS.map((c) => v[c] ?? '');
    for (const d of depts) {
      out.push(
        row({
          kind: 'department',
          code: d.code,
          name: d.name,
          name_en: d.name_en,
          parent_code: d.parent_code,
          sort_order: String(d.sort_order),
        }),
      );
    }
    for (const x of members) {
      out.push(
        row({
          kind: 'person',
          login: x.login,
          display_name: x.display_name,
          employee_no: x.employee_no,
          email: x.email,
          phone: x.phone,
          department_code: x.department_code,
          title: x.title,
          manager_employee_no: x.manager_employee_no,
          primary: x.is_primary ? 'yes' : 'no',
        }),
      );
    }
    return out;
  }

  async exportFile(actor: DirectoryActor, format: 'csv' | 'xlsx'): Promise<Buffer> {
    const rows = await this.exportRows(actor);
    if (format === 'csv') {
      // Cells that a spreadsheet app would run as a formula get a leading ' (phone numbers like +86… stay as they are).
      const safe = rows.map((r) => r.map((c) => (/^([=@\t\r]|[+-][^0-9 ])/.test(c) ? `'${c}` : c)));
      return Buffer.from(`\uFEFF${stringify(safe)}`, 'utf8');
    }
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('directory');
    for (const r of rows) sheet.addRow(r);
    return Buffer.from(await workbook.xlsx.writeBuffer());
  }
}
