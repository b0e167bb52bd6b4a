import {
  displayNameSchema,
  emailSchema,
  employeeNoSchema,
  type LdapAttributeMap,
  type LdapDepartmentChange,
  type LdapEntryError,
  type LdapEntryErrorReason,
  type LdapFieldChange,
  type LdapPersonChange,
  phoneSchema,
} from '@miyu/protocol';
import { MAX_DEPARTMENT_DEPTH } from '@miyu/org-directory';
import type { LdapRecord } from './ldap-client.js';
import { normaliseDn, parseDn, type Rdn, rdnsKey, relativeRdns } from './ldap-dn.js';

const LOGIN = /^[a-z0-9][a-z0-9._-]{1,63}$/;

/** What the sync needs to know about a Miyu person. */
export interface KnownPerson {
  userId: string;
  login: string;
  displayName: string;
  email: string | null;
  phone: string | null;
  employeeNo: string | null;
  status: 'active' | 'disabled';
  /** From ldap_people; null when the person is not linked to a directory entry. */
  externalId: string | null;
  /** The DN the person was last synced from. */
  linkedDn: string | null;
  disabledBySync: boolean;
  managerId: string | null;
  primaryDepartmentId: string | null;
  primaryTitle: string | null;
}

export interface KnownState {
  people: KnownPerson[];
  /** ldap_departments: OU key → department id (only rows whose department still exists). */
  departmentIdByKey: Map<string, string>;
  /** Every department's display path ("A / B") by id. */
  departmentPathById: Map<string, string>;
}

export interface PlanOptions {
  baseDns: string[];
  attributes: LdapAttributeMap;
  departmentSource: 'ou' | 'attribute' | 'none';
}

export interface PlannedDepartment {
  key: string;
  dn: string;
  name: string;
  parentKey: string | null;
  depth: number;
  /** Names from the top. */
  path: string[];
}

export interface PlannedPerson {
  dn: string;
  externalId: string;
  login: string;
  displayName: string;
  email: string | null;
  phone: string | null;
  employeeNo: string | null;
  title: string | null;
  departmentKey: string | null;
  managerKey: string | null;
  existing: KnownPerson | null;
  changes: LdapFieldChange[];
}

export interface SyncPlan {
  departments: PlannedDepartment[];
  people: PlannedPerson[];
  /** Every person in the plan by normalised DN (for managers). */
  byDnKey: Map<string, PlannedPerson>;
  disable: KnownPerson[];
  errors: LdapEntryError[];
  entries: number;
}

interface Candidate {
  record: LdapRecord;
  dnKey: string;
  externalId: string;
  login: string | null;
  displayName: string | null;
  email: string | null;
  phone: string | null;
  employeeNo: string | null;
  title: string | null;
  departmentKey: string | null;
  managerKey: string | null;
  managerDn: string | null;
}

function first(r: LdapRecord, attr: string | null): string | null {
  if (!attr) return null;
  const v = r.attrs.get(attr.toLowerCase())?.[0]?.trim();
  return v ? v : null;
}

/** The stable id of an entry: the configured attribute, else the normalised DN. */
export function externalIdOf(r: LdapRecord, attr: string | null): string {
  const id = first(r, attr);
  return id ? `id:${id.toLowerCase()}` : `dn:${normaliseDn(r.dn)}`;
}

/** Departments from an OU chain: every `ou` RDN between the entry and its base DN, the topmost first. */
function ouChain(rdns: Rdn[], base: Rdn[]): PlannedDepartment[] {
  const below = relativeRdns(rdns, base);
  if (!below) return [];
  const out: PlannedDepartment[] = [];
  // below[i..] + base is the DN of the container at level i; the entry's own RDN (index 0) is not a department.
  for (let i = below.length - 1; i >= 0; i--) {
    if (below[i]!.type !== 'ou') continue;
    const dnRdns = [...below.slice(i), ...base];
    out.push({
      key: rdnsKey(dnRdns),
      dn: dnRdns.map((r) => `${r.type}=${r.value}`).join(','),
      name: below[i]!.value.slice(0, 100),
      parentKey: out.at(-1)?.key ?? null,
      depth: out.length + 1,
      path: [...(out.at(-1)?.path ?? []), below[i]!.value],
    });
  }
  return out;
}

/**
 * The sync as a plan: which departments to create, which people to create or update (with field changes), which
 * to disable, and which entries are wrong (reported with their DN and left out, so they change nothing). Pure: the
 * directory entries and the relevant Miyu state in, the plan out.
 */
export function planSync(entries: LdapRecord[], ous: LdapRecord[], state: KnownState, opts: PlanOptions): SyncPlan {
  const a = opts.attributes;
  const errors: LdapEntryError[] = [];
  const bad = new Set<string>();
  const fail = (c: { record: LdapRecord; dnKey: string }, reason: LdapEntryErrorReason, message: string) => {
    if (bad.has(c.dnKey)) return;
    bad.add(c.dnKey);
    errors.push({ dn: c.record.dn, reason, message });
  };
  const bases = opts.baseDns.map((b) => parseDn(b)).filter((b): b is Rdn[] => b !== null);
  const departments = new Map<string, PlannedDepartment>();
  const baseOf = (rdns: Rdn[]) => bases.find((b) => relativeRdns(rdns, b) !== null) ?? null;

  if (opts.departmentSource === 'ou') {
    for (const ou of ous) {
      const rdns = parseDn(ou.dn);
      const base = rdns && baseOf(rdns);
      if (!rdns || !base || rdns[0]!.type !== 'ou') continue;
      // The OU itself is a department: treat it as the container of a child entry.
      for (const d of ouChain([{ type: 'cn', value: '' }, ...rdns], base))
        if (d.depth <= MAX_DEPARTMENT_DEPTH) departments.set(d.key, d);
    }
  }

  // ---- read every entry ----
  const seenIds = new Set<string>();
  const candidates: Candidate[] = [];
  const dnKeys = new Set<string>();
  for (const record of entries) {
    const rdns = parseDn(record.dn);
    const dnKey = rdns ? rdnsKey(rdns) : normaliseDn(record.dn);
    if (dnKeys.has(dnKey)) continue; // the same entry under two overlapping base DNs
    dnKeys.add(dnKey);
    const externalId = externalIdOf(record, a.externalId);
    seenIds.add(externalId);
    const login = first(record, a.login)?.toLowerCase() ?? null;
    const managerDn = first(record, a.manager);
    const c: Candidate = {
      record,
      dnKey,
      externalId,
      login,
      displayName: first(record, a.displayName) ?? login,
      email: first(record, a.mail),
      phone: first(record, a.mobile),
      employeeNo: first(record, a.employeeNumber),
      title: first(record, a.title)?.slice(0, 100) ?? null,
      departmentKey: null,
      managerKey: managerDn ? normaliseDn(managerDn) : null,
      managerDn,
    };
    candidates.push(c);
    if (!login) {
      fail(c, 'missing_login', `the entry has no ${a.login} attribute`);
      continue;
    }
    if (!LOGIN.test(login)) {
      fail(c, 'bad_login', `${a.login} "${login}" is not a valid login (2–64 letters, digits, dot, underscore, dash)`);
      continue;
    }
    const checks: Array<[string, string | null, { safeParse(v: unknown): { success: boolean } }]> = [
      [a.displayName, c.displayName, displayNameSchema],
      [a.mail ?? 'mail', c.email, emailSchema],
      [a.mobile ?? 'mobile', c.phone, phoneSchema],
      [a.employeeNumber ?? 'employeeNumber', c.employeeNo, employeeNoSchema],
    ];
    const wrong = checks.find(([, v, schema]) => v !== null && !schema.safeParse(v).success);
    if (wrong) {
      fail(c, 'bad_value', `${wrong[0]} "${String(wrong[1]).slice(0, 80)}" is not valid`);
      continue;
    }
    if (opts.departmentSource === 'ou' && rdns) {
      const base = baseOf(rdns);
      const chain = base ? ouChain(rdns, base) : [];
      if (chain.length > MAX_DEPARTMENT_DEPTH) {
        fail(c, 'too_deep', `the entry is ${chain.length} OUs deep (at most ${MAX_DEPARTMENT_DEPTH})`);
        continue;
      }
      for (const d of chain) if (!departments.has(d.key)) departments.set(d.key, d);
      c.departmentKey = chain.at(-1)?.key ?? null;
    } else if (opts.departmentSource === 'attribute') {
      const name = first(record, a.department)?.slice(0, 100).replaceAll('/', '-') ?? null;
      if (name) {
        const key = `attr:${name.toLowerCase()}`;
        if (!departments.has(key))
          departments.set(key, { key, dn: name, name, parentKey: null, depth: 1, path: [name] });
        c.departmentKey = key;
      }
    }
  }

  // ---- duplicates among the entries ----
  const dupes = <K extends 'login' | 'employeeNo'>(field: K, reason: LdapEntryErrorReason) => {
    const by = new Map<string, Candidate[]>();
    for (const c of candidates) {
      const v = c[field];
      if (v && !bad.has(c.dnKey)) by.set(v, [...(by.get(v) ?? []), c]);
    }
    for (const [v, cs] of by) {
      if (cs.length < 2) continue;
      for (const c of cs)
        fail(c, reason, `${field} ${v} is used by ${cs.length} entries: ${cs.map((x) => x.record.dn).join('; ')}`);
    }
  };
  dupes('login', 'duplicate_login');
  dupes('employeeNo', 'duplicate_employee_no');

  // ---- match to Miyu people ----
  const byExternal = new Map(state.people.filter((p) => p.externalId).map((p) => [p.externalId!, p]));
  const byLogin = new Map(state.people.map((p) => [p.login, p]));
  const byEmployeeNo = new Map(state.people.filter((p) => p.employeeNo).map((p) => [p.employeeNo!, p]));
  const matched = new Map<Candidate, KnownPerson | null>();
  for (const c of candidates) {
    if (bad.has(c.dnKey)) continue;
    let person = byExternal.get(c.externalId) ?? null;
    if (!person) {
      const same = byLogin.get(c.login!);
      // A person linked to another entry that is still in the directory keeps that link.
      if (same && same.externalId && same.externalId !== c.externalId && seenIds.has(same.externalId)) {
        fail(c, 'login_taken', `login ${c.login} belongs to a person synced from another entry`);
        continue;
      }
      person = same ?? null;
    }
    matched.set(c, person);
  }
  const plannedUserIds = new Set([...matched.values()].filter(Boolean).map((p) => p!.userId));
  for (const [c, person] of matched) {
    if (!c.employeeNo) continue;
    const holder = byEmployeeNo.get(c.employeeNo);
    if (holder && holder.userId !== person?.userId && !plannedUserIds.has(holder.userId)) {
      fail(c, 'employee_no_taken', `employee number ${c.employeeNo} belongs to ${holder.login}`);
    }
  }

  // ---- managers: unknown, cycles, then everyone whose manager was left out ----
  const byDn = new Map(candidates.map((c) => [c.dnKey, c]));
  for (const c of candidates) {
    if (bad.has(c.dnKey) || !c.managerKey) continue;
    if (!byDn.has(c.managerKey)) fail(c, 'unknown_manager', `manager ${c.managerDn} is not an entry of the sync`);
  }
  const inCycle = new Set<Candidate>();
  for (const start of candidates) {
    const seen: Candidate[] = [];
    let at: Candidate | undefined = start;
    while (at && !seen.includes(at) && !inCycle.has(at)) {
      seen.push(at);
      at = at.managerKey ? byDn.get(at.managerKey) : undefined;
    }
    if (at && seen.includes(at)) for (const c of seen.slice(seen.indexOf(at))) inCycle.add(c);
  }
  for (const c of inCycle) fail(c, 'manager_cycle', `the manager chain from this entry leads back to it`);
  for (let changed = true; changed;) {
    changed = false;
    for (const c of candidates) {
      if (bad.has(c.dnKey) || !c.managerKey) continue;
      const mgr = byDn.get(c.managerKey);
      if (mgr && bad.has(mgr.dnKey)) {
        fail(c, 'manager_skipped', `manager ${c.managerDn} is skipped because of its own error`);
        changed = true;
      }
    }
  }

  // ---- the diff ----
  const people: PlannedPerson[] = [];
  const byDnKey = new Map<string, PlannedPerson>();
  for (const [c, existing] of matched) {
    if (bad.has(c.dnKey)) continue;
    const p: PlannedPerson = {
      dn: c.record.dn,
      externalId: c.externalId,
      login: c.login!,
      displayName: c.displayName!,
      email: a.mail ? c.email : (existing?.email ?? null),
      phone: a.mobile ? c.phone : (existing?.phone ?? null),
      employeeNo: a.employeeNumber ? c.employeeNo : (existing?.employeeNo ?? null),
      title: c.title,
      departmentKey: c.departmentKey,
      managerKey: a.manager ? c.managerKey : null,
      existing,
      changes: [],
    };
    people.push(p);
    byDnKey.set(c.dnKey, p);
  }
  const deptPathOfKey = (key: string | null): string | null => {
    if (!key) return null;
    const id = state.departmentIdByKey.get(key);
    if (id) return state.departmentPathById.get(id) ?? null;
    return departments.get(key)?.path.join(' / ') ?? null;
  };
  const loginById = new Map(state.people.map((p) => [p.userId, p.login]));
  for (const p of people) {
    const e = p.existing;
    const add = (field: LdapFieldChange['field'], before: string | null, after: string | null) => {
      if (before !== after) p.changes.push({ field, before, after });
    };
    add('displayName', e?.displayName ?? null, p.displayName);
    add('email', e?.email ?? null, p.email);
    add('phone', e?.phone ?? null, p.phone);
    add('employeeNo', e?.employeeNo ?? null, p.employeeNo);
    if (opts.departmentSource !== 'none' && p.departmentKey) {
      const targetId = state.departmentIdByKey.get(p.departmentKey) ?? null;
      const currentPath = e?.primaryDepartmentId ? (state.departmentPathById.get(e.primaryDepartmentId) ?? null) : null;
      if (!targetId || targetId !== e?.primaryDepartmentId)
        add('department', currentPath, deptPathOfKey(p.departmentKey));
      if (a.title)
        add('title', targetId && targetId === e?.primaryDepartmentId ? (e?.primaryTitle ?? null) : null, p.title);
    }
    if (a.manager) {
      const mgr = p.managerKey ? byDnKey.get(p.managerKey) : undefined;
      const before = e?.managerId ? (loginById.get(e.managerId) ?? e.managerId) : null;
      const after = mgr ? mgr.login : null;
      const same = mgr ? mgr.existing !== null && mgr.existing.userId === e?.managerId : !e?.managerId;
      if (!same) p.changes.push({ field: 'manager', before, after });
    }
    if (e && e.status === 'disabled' && e.disabledBySync) add('status', 'disabled', 'active');
  }

  // People synced before whose entry is gone (entries with errors are still there, so they are not disabled).
  const disable = state.people.filter((p) => p.externalId && p.status === 'active' && !seenIds.has(p.externalId));

  const toCreate = [...departments.values()]
    .filter((d) => !state.departmentIdByKey.has(d.key))
    .sort((x, y) => x.depth - y.depth || x.path.join('/').localeCompare(y.path.join('/')));

  return { departments: toCreate, people, byDnKey, disable, errors, entries: candidates.length };
}

export function diffOf(plan: SyncPlan): {
  create: LdapPersonChange[];
  update: LdapPersonChange[];
  disable: LdapPersonChange[];
  departments: LdapDepartmentChange[];
} {
  const change = (p: PlannedPerson): LdapPersonChange => ({
    dn: p.dn,
    login: p.login,
    displayName: p.displayName,
    userId: p.existing?.userId ?? null,
    changes: p.changes,
  });
  return {
    create: plan.people.filter((p) => !p.existing).map(change),
    update: plan.people
      .filter((p) => p.existing && (p.changes.length > 0 || p.existing.externalId !== p.externalId))
      .map(change),
    disable: plan.disable.map((p) => ({
      dn: p.linkedDn ?? '',
      login: p.login,
      displayName: p.displayName,
      userId: p.userId,
      changes: [{ field: 'status', before: 'active', after: 'disabled' }],
    })),
    departments: plan.departments.map((d) => ({ dn: d.dn, name: d.name, path: d.path.join(' / ') })),
  };
}
