import {
  SCIM_DEFAULT_PAGE_SIZE,
  SCIM_MAX_PAGE_SIZE,
  SCIM_SCHEMA,
  type ScimGroup,
  type ScimListResponse,
  type ScimUser,
} from '@miyu/protocol';
import { ScimError } from './scim-errors.js';
import type { ScimGroupRow, ScimUserRow } from './scim.repository.js';

/** Absolute URLs of resources (meta.location, $ref), under the server's public URL. */
export class ScimUrls {
  constructor(readonly base: string) {}
  user(id: string): string {
    return `${this.base}/Users/${id}`;
  }
  group(id: string): string {
    return `${this.base}/Groups/${id}`;
  }
}

const iso = (d: Date | string): string => new Date(d).toISOString();

export function toScimUser(row: ScimUserRow, urls: ScimUrls): ScimUser {
  const enterprise: NonNullable<ScimUser[typeof SCIM_SCHEMA.enterpriseUser]> = {};
  if (row.employee_no) enterprise.employeeNumber = row.employee_no;
  if (row.department) enterprise.department = row.department;
  if (row.manager_id)
    enterprise.manager = {
      value: row.manager_id,
      $ref: urls.user(row.manager_id),
      ...(row.manager_name ? { displayName: row.manager_name } : {}),
    };
  return {
    schemas: [SCIM_SCHEMA.user, SCIM_SCHEMA.enterpriseUser],
    id: row.id,
    ...(row.external_id ? { externalId: row.external_id } : {}),
    userName: row.login,
    name: {
      formatted: row.display_name,
      ...(row.given_name ? { givenName: row.given_name } : {}),
      ...(row.family_name ? { familyName: row.family_name } : {}),
    },
    displayName: row.display_name,
    emails: row.email ? [{ value: row.email, type: row.email_type ?? 'work', primary: true }] : [],
    phoneNumbers: row.phone ? [{ value: row.phone, type: row.phone_type ?? 'work', primary: true }] : [],
    ...(row.title ? { title: row.title } : {}),
    active: row.status === 'active',
    groups: row.groups.map((g) => ({ value: g.id, display: g.name, $ref: urls.group(g.id), type: 'direct' })),
    [SCIM_SCHEMA.enterpriseUser]: enterprise,
    meta: {
      resourceType: 'User',
      created: iso(row.created_at),
      lastModified: iso(row.last_modified),
      location: urls.user(row.id),
    },
  };
}

export function toScimGroup(row: ScimGroupRow, urls: ScimUrls): ScimGroup {
  return {
    schemas: [SCIM_SCHEMA.group],
    id: row.id,
    ...(row.external_id ? { externalId: row.external_id } : {}),
    displayName: row.name,
    members: row.members.map((m) => ({ value: m.id, display: m.display_name, $ref: urls.user(m.id), type: 'User' })),
    meta: {
      resourceType: 'Group',
      created: iso(row.created_at),
      lastModified: iso(row.last_modified),
      location: urls.group(row.id),
    },
  };
}

export interface ListQuery {
  filter?: string;
  startIndex: number;
  count: number;
  attributes: string[] | null;
  excludedAttributes: string[] | null;
}

function integerParam(name: string, raw: unknown): number | null {
  if (raw === undefined) return null;
  if (typeof raw !== 'string' || !/^-?\d{1,9}$/.test(raw.trim()))
    throw ScimError.invalidValue(`${name} must be an integer.`);
  return Number(raw.trim());
}

function listParam(name: string, raw: unknown): string[] | null {
  if (raw === undefined) return null;
  if (typeof raw !== 'string') throw ScimError.invalidValue(`${name} must be given once.`);
  return raw
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
}

/** `startIndex` is 1-based (below 1 means 1); `count` is clamped to 0…SCIM_MAX_PAGE_SIZE (RFC 7644 §3.4.2.4). */
export function parseListQuery(query: Record<string, unknown>): ListQuery {
  if (query.filter !== undefined && typeof query.filter !== 'string')
    throw ScimError.invalidFilter('filter must be given once.');
  const startIndex = Math.max(1, integerParam('startIndex', query.startIndex) ?? 1);
  const count = Math.min(SCIM_MAX_PAGE_SIZE, Math.max(0, integerParam('count', query.count) ?? SCIM_DEFAULT_PAGE_SIZE));
  return {
    ...(typeof query.filter === 'string' ? { filter: query.filter } : {}),
    startIndex,
    count,
    attributes: listParam('attributes', query.attributes),
    excludedAttributes: listParam('excludedAttributes', query.excludedAttributes),
  };
}

export function listResponse<T>(items: T[], total: number, startIndex: number): ScimListResponse<T> {
  return {
    schemas: [SCIM_SCHEMA.listResponse],
    totalResults: total,
    startIndex,
    itemsPerPage: items.length,
    Resources: items,
  };
}

const ALWAYS = new Set(['schemas', 'id', 'meta']);

/**
 * `attributes` / `excludedAttributes` (RFC 7644 §3.9) on top-level attributes and the enterprise extension's; a
 * sub-attribute (`name.givenName`) selects its whole parent. `id`, `schemas` and `meta` are always returned.
 */
export function project<T extends object>(
  resource: T,
  attributes: string[] | null,
  excluded: string[] | null,
  schemas: string[],
): T {
  if (!attributes?.length && !excluded?.length) return resource;
  const names = (list: string[]) => {
    const core = new Set<string>();
    const ext = new Map<string, Set<string> | 'all'>();
    for (const raw of list) {
      const lower = raw.toLowerCase();
      const schema = schemas.find((s) => lower === s.toLowerCase() || lower.startsWith(`${s.toLowerCase()}:`));
      const rest = schema ? lower.slice(schema.length + 1) : lower;
      const top = rest.split('.')[0]!;
      if (schema && schema.includes(':extension:')) {
        if (!top) ext.set(schema, 'all');
        else {
          const current = ext.get(schema);
          if (current !== 'all') ext.set(schema, new Set([...(current ?? []), top]));
        }
      } else if (top) core.add(top);
    }
    return { core, ext };
  };
  const source = resource as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  if (attributes?.length) {
    const { core, ext } = names(attributes);
    for (const [key, value] of Object.entries(source)) {
      const extSel = ext.get(key);
      if (ALWAYS.has(key) || core.has(key.toLowerCase())) out[key] = value;
      else if (extSel === 'all') out[key] = value;
      else if (extSel && value && typeof value === 'object') {
        const kept = Object.entries(value).filter(([k]) => extSel.has(k.toLowerCase()));
        if (kept.length > 0) out[key] = Object.fromEntries(kept);
      }
    }
    return out as T;
  }
  const { core, ext } = names(excluded!);
  for (const [key, value] of Object.entries(source)) {
    const extSel = ext.get(key);
    if (!ALWAYS.has(key) && core.has(key.toLowerCase())) continue;
    if (extSel === 'all') continue;
    if (extSel && value && typeof value === 'object')
      out[key] = Object.fromEntries(Object.entries(value).filter(([k]) => !extSel.has(k.toLowerCase())));
    else out[key] = value;
  }
  return out as T;
}
