import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type { LdapEntryError, LdapSyncResult } from '@miyu/protocol';
import { DirectoryService, NO_PASSWORD } from '@miyu/org-directory';
import { DataSource } from 'typeorm';
import { DomainError, ForbiddenError } from '../../common/errors/domain-error.js';
import { logger } from '../../common/logging/json-logger.js';
import { AUDIT_EVENT, type AuditRecord } from '../audit/audit.events.js';
import { type Actor, USER_PROFILE_CHANGED_EVENT, type UserProfileChangedEvent } from '../auth/auth.types.js';
import { newUserEntity } from '../auth/entities/new-user.js';
import { UsersRepository } from '../auth/users.repository.js';
import { UsersService } from '../users/users.service.js';
import { withLdap, type LdapRecord } from './ldap-client.js';
import { type LdapConfig, LdapConfigService } from './ldap-config.service.js';
import { LdapError } from './ldap.errors.js';
import { diffOf, type KnownPerson, type KnownState, planSync, type SyncPlan } from './ldap-plan.js';

const LOCK_KEY = 'miyu:ldap-sync';

/**
 * Reads the directory and brings Miyu's people and departments in line with it. Every write goes through the
 * domain services (users: create/update/disable, which ends sessions; directory: departments, memberships,
 * managers), so their checks, events and audit records apply. One sync at a time across replicas
 * (pg_try_advisory_lock); a preview reads only.
 */
@Injectable()
export class LdapSyncService {
  constructor(
    private readonly db: DataSource,
    private readonly config: LdapConfigService,
    private readonly users: UsersService,
    private readonly usersRepo: UsersRepository,
    private readonly directory: DirectoryService,
    private readonly events: EventEmitter2,
  ) {}

  async preview(actor: Actor): Promise<LdapSyncResult> {
    if (actor.role !== 'admin') throw new ForbiddenError();
    const cfg = await this.config.require();
    const started = new Date();
    const plan = await this.plan(cfg);
    return this.result(plan, 'preview', true, started, plan.errors);
  }

  /** A manual sync; refused with LDAP_SYNC_RUNNING while another replica or request is syncing. */
  async sync(actor: Actor): Promise<LdapSyncResult> {
    if (actor.role !== 'admin') throw new ForbiddenError();
    const cfg = await this.config.require();
    const outcome = await this.locked(() => this.run(actor, cfg, 'manual'));
    if (outcome === null) throw LdapError.running();
    return outcome;
  }

  /** For the scheduler: null when another replica holds the lock. */
  async syncScheduled(actor: Actor, cfg: LdapConfig): Promise<LdapSyncResult | null> {
    return this.locked(() => this.run(actor, cfg, 'scheduled'));
  }

  private async locked<T>(work: () => Promise<T>): Promise<T | null> {
    const runner = this.db.createQueryRunner();
    await runner.connect();
    try {
      const [row] = (await runner.query(`SELECT pg_try_advisory_lock(hashtext($1)) AS ok`, [LOCK_KEY])) as Array<{
        ok: boolean;
      }>;
      if (!row?.ok) return null;
      try {
        return await work();
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(hashtext($1))`, [LOCK_KEY]);
      }
    } finally {
      await runner.release();
    }
  }

  private async run(actor: Actor, cfg: LdapConfig, trigger: 'manual' | 'scheduled'): Promise<LdapSyncResult> {
    const started = new Date();
    let plan: SyncPlan;
    try {
      plan = await this.plan(cfg);
    } catch (err) {
      const message = err instanceof DomainError ? `${err.code}: ${err.message}` : 'internal error';
      await this.config.recordSync(null, trigger, message);
      this.audit({
        action: 'ldap.synced',
        actor: { userId: actor.userId },
        entity: { type: 'ldap_sync', name: trigger },
        context: { trigger },
        result: { ok: false, reason: err instanceof DomainError ? err.code : 'internal' },
      });
      throw err;
    }
    const errors = [...plan.errors];
    const counts = await this.apply(actor, plan, errors);
    const result = this.result(plan, trigger, false, started, errors);
    result.counts = { ...counts, skipped: new Set(errors.map((e) => e.dn)).size };
    await this.config.recordSync(result, trigger, null);
    this.audit({
      action: 'ldap.synced',
      actor: { userId: actor.userId },
      entity: { type: 'ldap_sync', name: trigger },
      context: { trigger, entries: plan.entries, ...result.counts, errors: errors.length },
    });
    return result;
  }

  private result(
    plan: SyncPlan,
    trigger: LdapSyncResult['trigger'],
    dryRun: boolean,
    started: Date,
    errors: LdapEntryError[],
  ): LdapSyncResult {
    const diff = diffOf(plan);
    return {
      dryRun,
      trigger,
      startedAt: started.toISOString(),
      finishedAt: new Date().toISOString(),
      entries: plan.entries,
      diff,
      counts: {
        created: diff.create.length,
        updated: diff.update.length,
        disabled: diff.disable.length,
        departmentsCreated: diff.departments.length,
        skipped: new Set(errors.map((e) => e.dn)).size,
      },
      errors,
    };
  }

  // ---------- reading ----------

  private async plan(cfg: LdapConfig): Promise<SyncPlan> {
    const a = cfg.attributes;
    const wanted = [a.login, a.displayName, a.mail, a.mobile, a.title, a.employeeNumber, a.manager, a.externalId];
    if (cfg.departmentSource === 'attribute') wanted.push(a.department);
    const attributes = [...new Set(wanted.filter((x): x is string => !!x))];
    const binary = a.externalId?.toLowerCase() === 'objectguid' ? [a.externalId] : [];
    const { entries, ous } = await withLdap(
      {
        url: cfg.url,
        tlsVerify: cfg.tlsVerify,
        bindDn: cfg.bindDn,
        bindPassword: await this.config.bindPassword(cfg),
      },
      async (s) => {
        const entries: LdapRecord[] = [];
        const ous: LdapRecord[] = [];
        for (const base of cfg.baseDns) {
          entries.push(...(await s.search(base, cfg.userFilter, attributes, binary)));
          if (cfg.departmentSource === 'ou' && cfg.ouFilter) ous.push(...(await s.search(base, cfg.ouFilter, ['ou'])));
        }
        return { entries, ous };
      },
    );
    const state = await this.knownState(entries.map((e) => e.attrs));
    return planSync(entries, ous, state, {
      baseDns: cfg.baseDns,
      attributes: cfg.attributes,
      departmentSource: cfg.departmentSource,
    });
  }

  /** Linked people, people whose login or employee number appears in the entries, and the department paths. */
  private async knownState(attrs: Array<Map<string, string[]>>): Promise<KnownState> {
    const values = [...new Set(attrs.flatMap((m) => [...m.values()].flat().map((v) => v.trim().toLowerCase())))];
    const rows = (await this.db.query(
      `SELECT u.id, u.login, u.display_name, u.email, u.phone, u.employee_no, u.status,
              lp.external_id, lp.dn, coalesce(lp.disabled_by_sync, false) AS disabled_by_sync,
              dp.manager_id, pm.department_id, pm.title
         FROM users u
         LEFT JOIN ldap_people lp ON lp.user_id = u.id
         LEFT JOIN directory_people dp ON dp.user_id = u.id
         LEFT JOIN department_members pm ON pm.user_id = u.id AND pm.is_primary
        WHERE NOT u.bot AND (lp.user_id IS NOT NULL OR u.login = ANY($1::text[]) OR lower(u.employee_no) = ANY($1::text[]))`,
      [values],
    )) as Array<{
      id: string;
      login: string;
      display_name: string;
      email: string | null;
      phone: string | null;
      employee_no: string | null;
      status: 'active' | 'disabled';
      external_id: string | null;
      dn: string | null;
      disabled_by_sync: boolean;
      manager_id: string | null;
      department_id: string | null;
      title: string | null;
    }>;
    const people: KnownPerson[] = rows.map((r) => ({
      userId: r.id,
      login: r.login,
      displayName: r.display_name,
      email: r.email,
      phone: r.phone,
      employeeNo: r.employee_no,
      status: r.status,
      externalId: r.external_id,
      linkedDn: r.dn,
      disabledBySync: r.disabled_by_sync,
      managerId: r.manager_id,
      primaryDepartmentId: r.department_id,
      primaryTitle: r.title,
    }));
    const depts = (await this.db.query(`SELECT id, name, path FROM departments`)) as Array<{
      id: string;
      name: string;
      path: string;
    }>;
    const nameBySeg = new Map(depts.map((d) => [d.id.replaceAll('-', ''), d.name]));
    const departmentPathById = new Map(
      depts.map((d) => [
        d.id,
        d.path
          .split('.')
          .map((s) => nameBySeg.get(s) ?? '?')
          .join(' / '),
      ]),
    );
    const links = (await this.db.query(`SELECT dn_key, department_id FROM ldap_departments`)) as Array<{
      dn_key: string;
      department_id: string;
    }>;
    return { people, departmentIdByKey: new Map(links.map((l) => [l.dn_key, l.department_id])), departmentPathById };
  }

  // ---------- writing ----------

  private async apply(
    actor: Actor,
    plan: SyncPlan,
    errors: LdapEntryError[],
  ): Promise<{ created: number; updated: number; disabled: number; departmentsCreated: number }> {
    const counts = { created: 0, updated: 0, disabled: 0, departmentsCreated: 0 };
    const rejected = (dn: string, err: unknown) => {
      const e = err as { code?: unknown; message?: unknown };
      if (typeof e?.code !== 'string') {
        logger.event('error', 'ldap', 'sync: unexpected error', {
          err: err instanceof Error ? err.message : String(err),
        });
        errors.push({ dn, reason: 'rejected', message: 'the change failed' });
        return;
      }
      const reason = e.code === 'MANAGER_CYCLE' ? 'manager_cycle' : 'rejected';
      errors.push({ dn, reason, message: `${e.code}: ${String(e.message)}` });
    };

    // Departments, parents first.
    const deptIdByKey = new Map<string, string>();
    for (const r of (await this.db.query(`SELECT dn_key, department_id FROM ldap_departments`)) as Array<{
      dn_key: string;
      department_id: string;
    }>)
      deptIdByKey.set(r.dn_key, r.department_id);
    for (const d of plan.departments) {
      const parentId = d.parentKey ? deptIdByKey.get(d.parentKey) : null;
      if (d.parentKey && !parentId) continue;
      try {
        const created = await this.directory.createDepartment(actor, { name: d.name, parentId: parentId ?? null });
        await this.db.query(
          `INSERT INTO ldap_departments (dn_key, department_id) VALUES ($1, $2)
           ON CONFLICT (dn_key) DO UPDATE SET department_id = excluded.department_id`,
          [d.key, created.id],
        );
        deptIdByKey.set(d.key, created.id);
        counts.departmentsCreated++;
      } catch (err) {
        rejected(d.dn, err);
      }
    }

    // People: create, update, link.
    const userIdOf = new Map<string, string>();
    for (const p of plan.people) {
      try {
        let userId: string;
        if (!p.existing) {
          userId = await this.createPerson(p);
          counts.created++;
        } else {
          userId = p.existing.userId;
          const patch: Record<string, unknown> = {};
          for (const c of p.changes) {
            if (c.field === 'displayName' || c.field === 'email' || c.field === 'phone' || c.field === 'employeeNo')
              patch[c.field] = c.after;
            if (c.field === 'status') patch.status = 'active';
          }
          if (Object.keys(patch).length > 0) await this.users.update(actor, userId, patch);
          if (p.changes.length > 0 || p.existing.externalId !== p.externalId) counts.updated++;
        }
        await this.db.query(
          `INSERT INTO ldap_people (user_id, external_id, dn, disabled_by_sync, synced_at) VALUES ($1, $2, $3, false, now())
           ON CONFLICT (user_id) DO UPDATE SET external_id = $2, dn = $3, disabled_by_sync = false, synced_at = now()`,
          [userId, p.externalId, p.dn],
        );
        userIdOf.set(p.dn, userId);
      } catch (err) {
        rejected(p.dn, err);
      }
    }

    // Memberships: the entry's department becomes the person's primary one.
    const managed = new Set(
      ((await this.db.query(`SELECT department_id FROM ldap_departments`)) as Array<{ department_id: string }>).map(
        (r) => r.department_id,
      ),
    );
    for (const p of plan.people) {
      const userId = userIdOf.get(p.dn);
      const target = p.departmentKey ? deptIdByKey.get(p.departmentKey) : undefined;
      if (!userId || !target) continue;
      const current = p.existing?.primaryDepartmentId ?? null;
      const title = p.changes.some((c) => c.field === 'title') ? { title: p.title } : {};
      try {
        if (current === target) {
          if ('title' in title) await this.directory.setMembership(actor, target, userId, title);
        } else if (current && managed.has(current)) {
          await this.directory.transferPerson(actor, userId, {
            fromDepartmentId: current,
            toDepartmentId: target,
            title: p.title,
          });
        } else {
          await this.directory.setMembership(actor, target, userId, { title: p.title, primary: true });
        }
      } catch (err) {
        rejected(p.dn, err);
      }
    }

    // Managers: clear every changed one first, so swaps cannot look like loops half way.
    const managerChanges = plan.people.filter(
      (p) => userIdOf.has(p.dn) && p.changes.some((c) => c.field === 'manager'),
    );
    for (const p of managerChanges) {
      if (p.existing?.managerId) {
        await this.directory.setManager(actor, userIdOf.get(p.dn)!, null).catch((err) => rejected(p.dn, err));
      }
    }
    for (const p of managerChanges) {
      const mgr = p.managerKey ? plan.byDnKey.get(p.managerKey) : undefined;
      const mgrId = mgr ? userIdOf.get(mgr.dn) : undefined;
      if (!mgrId) continue;
      await this.directory.setManager(actor, userIdOf.get(p.dn)!, mgrId).catch((err) => rejected(p.dn, err));
    }

    // People whose entry is gone: disabled (sessions end), never deleted.
    for (const p of plan.disable) {
      try {
        await this.users.update(actor, p.userId, { status: 'disabled' });
        await this.db.query(`UPDATE ldap_people SET disabled_by_sync = true, synced_at = now() WHERE user_id = $1`, [
          p.userId,
        ]);
        counts.disabled++;
      } catch (err) {
        rejected(p.linkedDn ?? p.login, err);
      }
    }
    return counts;
  }

  /** A new person has no usable password (like people from the spreadsheet import): they sign in through OIDC, or
   * an admin sets a password. */
  private async createPerson(p: SyncPlan['people'][number]): Promise<string> {
    const user = newUserEntity({
      login: p.login,
      displayName: p.displayName,
      employeeNo: p.employeeNo,
      email: p.email,
      phone: p.phone,
      passwordHash: NO_PASSWORD,
    });
    await this.usersRepo.insert(user);
    const event: UserProfileChangedEvent = { userId: user.id };
    await this.events.emitAsync(USER_PROFILE_CHANGED_EVENT, event);
    this.audit({
      action: 'user.created',
      entity: { type: 'user', id: user.id, name: user.login },
      context: {
        source: 'ldap',
        displayName: user.displayName,
        role: user.role,
        employeeNo: user.employeeNo,
        email: user.email,
        phone: user.phone,
        locale: user.locale,
      },
    });
    return user.id;
  }

  private audit(record: AuditRecord): void {
    this.events.emit(AUDIT_EVENT, record);
  }
}
