import { Inject, Injectable } from '@nestjs/common';
import { DirectoryService } from '@miyu/org-directory';
import {
  SCIM_SCHEMA,
  type ScimListResponse,
  type ScimPatchRequest,
  type ScimUser,
  type UpdateUserRequest,
} from '@miyu/protocol';
import { randomBytes } from 'node:crypto';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import type { Actor } from '../auth/auth.types.js';
import { UsersService } from '../users/users.service.js';
import { ScimError } from './scim-errors.js';
import { parseEqualityFilter } from './scim-filter.js';
import { applyPatch } from './scim-patch.js';
import { listResponse, type ListQuery, project, ScimUrls, toScimUser } from './scim-resources.js';
import { USER_DEFS } from './scim-schemas.js';
import { type DesiredUser, desiredUser } from './scim-user-input.js';
import { ScimRepository, type ScimUserRow } from './scim.repository.js';

const USER_SCHEMAS = [SCIM_SCHEMA.user, SCIM_SCHEMA.enterpriseUser];

/**
 * SCIM Users are Miyu accounts. Writes go through the account and directory services (their checks, events and
 * audit records apply; entries carry `via: 'scim'`); SCIM's own attributes go to `scim_users`. Everything that can
 * be refused is checked before the first write, so a refused request changes nothing. Accounts are never deleted:
 * `active: false` and DELETE disable them.
 */
@Injectable()
export class ScimUsersService {
  readonly urls: ScimUrls;

  constructor(
    private readonly repo: ScimRepository,
    private readonly users: UsersService,
    private readonly directory: DirectoryService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.urls = new ScimUrls(`${config.publicUrl.origin}/scim/v2`);
  }

  async list(query: ListQuery): Promise<ScimListResponse<ScimUser>> {
    const filter = query.filter === undefined ? null : parseEqualityFilter(query.filter);
    const page = await this.repo.pageUsers(filter, query.startIndex - 1, query.count);
    const items = page.rows.map((r) =>
      project(toScimUser(r, this.urls), query.attributes, query.excludedAttributes, USER_SCHEMAS),
    );
    return listResponse(items, page.total, query.startIndex);
  }

  async get(id: string, query?: Pick<ListQuery, 'attributes' | 'excludedAttributes'>): Promise<ScimUser> {
    const row = await this.load(id);
    const user = toScimUser(row, this.urls);
    return query ? project(user, query.attributes, query.excludedAttributes, USER_SCHEMAS) : user;
  }

  async create(actor: Actor, body: unknown): Promise<ScimUser> {
    const want = desiredUser(body);
    if ((await this.repo.pageUsers({ attribute: 'userName', value: want.login }, 0, 0)).total > 0)
      throw ScimError.uniqueness(`A User with userName "${want.login}" already exists.`);
    await this.checkEmployeeNo(want.employeeNo, null);
    await this.checkManager(want.managerId, null);
    const created = await this.users.create(actor, {
      login: want.login,
      displayName: want.displayName,
      // Without a password the account signs in through OIDC (or an admin sets one): a random one nobody knows.
      password: want.password ?? randomBytes(32).toString('base64url'),
      ...(want.employeeNo ? { employeeNo: want.employeeNo } : {}),
      ...(want.email ? { email: want.email } : {}),
      ...(want.phone ? { phone: want.phone } : {}),
    });
    if (want.active === false) await this.users.update(actor, created.id, { status: 'disabled' });
    if (want.managerId) await this.directory.setManager(actor, created.id, want.managerId);
    await this.repo.saveUserExtras(created.id, want.extras);
    return this.get(created.id);
  }

  /** PUT: the body replaces the resource (attributes it leaves out are cleared; `active` left out stays as is). */
  async replace(actor: Actor, id: string, body: unknown): Promise<ScimUser> {
    const current = await this.load(id);
    await this.apply(actor, current, desiredUser(body));
    return this.get(id);
  }

  /** PATCH: the operations apply to the current resource, and the result is stored as a PUT would store it. */
  async patch(actor: Actor, id: string, request: ScimPatchRequest): Promise<ScimUser> {
    const current = await this.load(id);
    const resource = toScimUser(current, this.urls) as unknown as Record<string, unknown>;
    await this.apply(actor, current, desiredUser(applyPatch(USER_DEFS, resource, request)));
    return this.get(id);
  }

  /** DELETE disables the account (its messages and audit history stay); the User remains with `active: false`. */
  async remove(actor: Actor, id: string): Promise<void> {
    const current = await this.load(id);
    if (current.status === 'active') await this.users.update(actor, id, { status: 'disabled' });
  }

  private async load(id: string): Promise<ScimUserRow> {
    const row = await this.repo.findUser(id);
    if (!row) throw ScimError.notFound('User');
    return row;
  }

  private async checkEmployeeNo(employeeNo: string | null, self: string | null): Promise<void> {
    if (!employeeNo) return;
    const owner = await this.repo.userIdByEmployeeNo(employeeNo);
    if (owner && owner !== self) throw ScimError.uniqueness(`employeeNumber "${employeeNo}" belongs to another User.`);
  }

  private async checkManager(managerId: string | null, self: string | null): Promise<void> {
    if (!managerId) return;
    if (!(await this.repo.existingUsers([managerId])).has(managerId))
      throw ScimError.invalidValue(`manager.value "${managerId}" is not a User.`);
    if (self && (managerId === self || (await this.repo.wouldCycle(self, managerId))))
      throw ScimError.invalidValue('manager: a person cannot report to themselves, directly or through others.');
  }

  private async apply(actor: Actor, current: ScimUserRow, want: DesiredUser): Promise<void> {
    if (want.login !== current.login)
      throw ScimError.mutability(`userName cannot change in Miyu (it is the login name "${current.login}").`);
    await this.checkEmployeeNo(want.employeeNo, current.id);
    await this.checkManager(want.managerId, current.id);
    const patch: UpdateUserRequest = {};
    if (want.displayName !== current.display_name) patch.displayName = want.displayName;
    if (want.employeeNo !== current.employee_no) patch.employeeNo = want.employeeNo;
    if (want.email !== current.email) patch.email = want.email;
    if (want.phone !== current.phone) patch.phone = want.phone;
    const status = want.active === undefined ? current.status : want.active ? 'active' : 'disabled';
    if (status !== current.status) patch.status = status;
    // First: it is the one write that can still be refused (the last active admin cannot be disabled).
    if (Object.keys(patch).length > 0) await this.users.update(actor, current.id, patch);
    if (want.managerId !== current.manager_id) await this.directory.setManager(actor, current.id, want.managerId);
    if (want.extras.title !== current.title && current.primary_department_id)
      await this.directory.setMembership(actor, current.primary_department_id, current.id, {
        title: want.extras.title,
      });
    if (want.password !== undefined) await this.users.setPassword(actor, current.id, want.password);
    const extras = want.extras;
    const unchanged =
      extras.externalId === current.external_id &&
      extras.givenName === current.given_name &&
      extras.familyName === current.family_name &&
      extras.emailType === current.email_type &&
      extras.phoneType === current.phone_type &&
      extras.title === current.title &&
      extras.department === current.department;
    if (!unchanged || Object.keys(patch).length > 0) await this.repo.saveUserExtras(current.id, extras);
  }
}
