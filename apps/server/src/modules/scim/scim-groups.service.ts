import { Injectable } from '@nestjs/common';
import { DirectoryService } from '@miyu/org-directory';
import {
  SCIM_SCHEMA,
  type ScimGroup,
  type ScimGroupInput,
  scimGroupInputSchema,
  type ScimListResponse,
  type ScimPatchRequest,
} from '@miyu/protocol';
import type { Actor } from '../auth/auth.types.js';
import { ScimError } from './scim-errors.js';
import { parseEqualityFilter } from './scim-filter.js';
import { applyPatch } from './scim-patch.js';
import { listResponse, type ListQuery, project, toScimGroup } from './scim-resources.js';
import { canonicalKeys, GROUP_DEFS, isObject } from './scim-schemas.js';
import { ScimUsersService } from './scim-users.service.js';
import { ScimRepository, type ScimGroupRow } from './scim.repository.js';

const GROUP_SCHEMAS = [SCIM_SCHEMA.group];

interface DesiredGroup {
  name: string;
  externalId: string | null;
  memberIds: string[];
}

/**
 * SCIM Groups are departments: `displayName` is the department name, `members` its direct members (People only).
 * Groups created over SCIM are top-level departments (an admin may move them in Miyu; SCIM does not see the tree).
 * Members are validated before the first write, so a refused request changes nothing.
 */
@Injectable()
export class ScimGroupsService {
  constructor(
    private readonly repo: ScimRepository,
    private readonly directory: DirectoryService,
    private readonly users: ScimUsersService,
  ) {}

  private get urls() {
    return this.users.urls;
  }

  async list(query: ListQuery): Promise<ScimListResponse<ScimGroup>> {
    const filter = query.filter === undefined ? null : parseEqualityFilter(query.filter);
    const withMembers = !excludesMembers(query);
    const page = await this.repo.pageGroups(filter, query.startIndex - 1, query.count, withMembers);
    const items = page.rows.map((r) =>
      project(toScimGroup(r, this.urls), query.attributes, query.excludedAttributes, GROUP_SCHEMAS),
    );
    return listResponse(items, page.total, query.startIndex);
  }

  async get(id: string, query?: Pick<ListQuery, 'attributes' | 'excludedAttributes'>): Promise<ScimGroup> {
    const row = await this.repo.findGroup(id, !query || !excludesMembers(query));
    if (!row) throw ScimError.notFound('Group');
    const group = toScimGroup(row, this.urls);
    return query ? project(group, query.attributes, query.excludedAttributes, GROUP_SCHEMAS) : group;
  }

  async create(actor: Actor, body: unknown): Promise<ScimGroup> {
    const want = desiredGroup(body);
    await this.checkMembers(want.memberIds);
    const department = await this.directory.createDepartment(actor, { name: want.name, parentId: null });
    for (const userId of want.memberIds) await this.directory.setMembership(actor, department.id, userId, {});
    await this.repo.saveGroupExtras(department.id, want.externalId);
    return this.get(department.id);
  }

  async replace(actor: Actor, id: string, body: unknown): Promise<ScimGroup> {
    const current = await this.load(id);
    await this.apply(actor, current, desiredGroup(body));
    return this.get(id);
  }

  async patch(actor: Actor, id: string, request: ScimPatchRequest): Promise<ScimGroup> {
    const current = await this.load(id);
    const resource = toScimGroup(current, this.urls) as unknown as Record<string, unknown>;
    await this.apply(actor, current, desiredGroup(applyPatch(GROUP_DEFS, resource, request)));
    return this.get(id);
  }

  /**
   * Deletes the department after removing its members (their accounts stay). Refused (409) while it has
   * sub-departments or an active department group chat, which an admin has to deal with in Miyu.
   */
  async remove(actor: Actor, id: string): Promise<void> {
    const current = await this.load(id);
    const blocker = await this.repo.deleteBlocker(id);
    if (blocker)
      throw new ScimError(
        409,
        blocker === 'subdepartments'
          ? 'The department has sub-departments in Miyu: move or delete them there first.'
          : 'The department has a group chat in Miyu: archive it there first.',
      );
    for (const member of current.members) await this.directory.removeMembership(actor, id, member.id);
    await this.directory.deleteDepartment(actor, id);
  }

  private async load(id: string): Promise<ScimGroupRow> {
    const row = await this.repo.findGroup(id);
    if (!row) throw ScimError.notFound('Group');
    return row;
  }

  private async checkMembers(ids: string[]): Promise<void> {
    const found = await this.repo.existingUsers(ids);
    const missing = ids.filter((id) => !found.has(id));
    if (missing.length > 0)
      throw ScimError.invalidValue(
        `members: not Users: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}.`,
      );
  }

  private async apply(actor: Actor, current: ScimGroupRow, want: DesiredGroup): Promise<void> {
    await this.checkMembers(want.memberIds);
    const before = new Set(current.members.map((m) => m.id));
    const after = new Set(want.memberIds);
    const added = want.memberIds.filter((id) => !before.has(id));
    const removed = [...before].filter((id) => !after.has(id));
    if (want.name !== current.name) await this.directory.updateDepartment(actor, current.id, { name: want.name });
    for (const userId of added) await this.directory.setMembership(actor, current.id, userId, {});
    for (const userId of removed) await this.directory.removeMembership(actor, current.id, userId);
    const changed = want.name !== current.name || added.length > 0 || removed.length > 0;
    if (changed || want.externalId !== current.external_id)
      await this.repo.saveGroupExtras(current.id, want.externalId);
  }
}

function excludesMembers(query: Pick<ListQuery, 'attributes' | 'excludedAttributes'>): boolean {
  const lower = (list: string[] | null) => (list ?? []).map((a) => a.toLowerCase());
  if (lower(query.excludedAttributes).includes('members')) return true;
  const attributes = lower(query.attributes);
  return attributes.length > 0 && !attributes.some((a) => a === 'members' || a.startsWith('members.'));
}

function desiredGroup(body: unknown): DesiredGroup {
  if (!isObject(body)) throw ScimError.invalidSyntax('The body must be a JSON object.');
  const parsed = scimGroupInputSchema.safeParse(canonicalKeys(GROUP_DEFS, body));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw ScimError.invalidValue(`${issue.path.map(String).join('.') || 'body'}: ${issue.message}`);
  }
  const input: ScimGroupInput = parsed.data;
  return {
    name: input.displayName,
    externalId: input.externalId ? input.externalId : null,
    memberIds: [...new Set((input.members ?? []).map((m) => m.value.toLowerCase()))],
  };
}
