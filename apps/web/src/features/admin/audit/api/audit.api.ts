import {
  type AuditAction,
  type AuditEntityType,
  type AuditEntryDto,
  auditEntryDtoSchema,
  type AuditExportQuery,
  type AuditInclusionProof,
  auditInclusionProofSchema,
  type AuditPage,
  auditPageSchema,
  departmentPageSchema,
  searchPageSchema,
  type SignedAuditCheckpoint,
  signedAuditCheckpointSchema,
} from '@miyu/protocol';
import type { ApiClient } from '../../../../lib/apiClient';
import { listUsers } from '../../api/adminUsers.api';

/** The search filters shared by the list and the export (dates are ISO instants, `to` exclusive). */
export type AuditFilter = Omit<AuditExportQuery, 'format'>;
export type AuditSort = 'newest' | 'oldest';
export type AuditExportFormat = AuditExportQuery['format'];
export type { AuditAction, AuditEntityType };

/** Someone to filter by, from either person search. */
export interface PersonOption {
  id: string;
  name: string;
  /** Login, employee number or department: what tells two people of the same name apart. */
  detail: string | null;
  disabled: boolean;
}

export const auditKeys = {
  all: ['admin', 'audit'] as const,
  entries: (filter: AuditFilter, sort: AuditSort, limit: number, offset: number) =>
    ['admin', 'audit', 'entries', filter, sort, limit, offset] as const,
  entry: (seq: number) => ['admin', 'audit', 'entry', seq] as const,
  checkpoint: ['admin', 'audit', 'checkpoint'] as const,
  people: (q: string, source: 'users' | 'directory') => ['admin', 'audit', 'people', source, q] as const,
  department: (id: string) => ['admin', 'audit', 'department', id] as const,
};

const BASE = '/api/audit';

function filterQuery(filter: AuditFilter): Record<string, string | undefined> {
  return {
    from: filter.from,
    to: filter.to,
    actorId: filter.actorId,
    action: filter.action,
    entityType: filter.entityType,
    entityId: filter.entityId,
    departmentId: filter.departmentId,
    result: filter.result,
  };
}

export function listEntries(
  api: ApiClient,
  filter: AuditFilter,
  sort: AuditSort,
  limit: number,
  offset: number,
  signal?: AbortSignal,
): Promise<AuditPage> {
  return api.get(`${BASE}/entries`, auditPageSchema, {
    query: { ...filterQuery(filter), sort, limit, offset },
    signal,
  });
}

export function getEntry(api: ApiClient, seq: number, signal?: AbortSignal): Promise<AuditEntryDto> {
  return api.get(`${BASE}/entries/${seq}`, auditEntryDtoSchema, { signal });
}

export function getCheckpoint(api: ApiClient, signal?: AbortSignal): Promise<SignedAuditCheckpoint> {
  return api.get(`${BASE}/checkpoint`, signedAuditCheckpointSchema, { signal });
}

/** The proof that entry `seq` is in the tree of `size` entries (the size of a signed checkpoint). */
export function getInclusionProof(api: ApiClient, seq: number, size: number): Promise<AuditInclusionProof> {
  return api.get(`${BASE}/proofs/inclusion`, auditInclusionProofSchema, { query: { seq, size } });
}

/** A same-origin GET: the session cookie goes along and no CSRF token is needed. */
export function auditExportUrl(filter: AuditFilter, format: AuditExportFormat): string {
  const params = new URLSearchParams({ format });
  for (const [key, value] of Object.entries(filterQuery(filter))) if (value) params.set(key, value);
  return `${BASE}/export?${params.toString()}`;
}

/**
 * Admins search the accounts list (which also finds disabled accounts and matches logins); auditors may not read
 * it and search the directory instead (active people, as the directory shows them).
 */
export async function searchPeople(
  api: ApiClient,
  q: string,
  source: 'users' | 'directory',
  limit: number,
  signal?: AbortSignal,
): Promise<PersonOption[]> {
  if (source === 'users') {
    const page = await listUsers(api, { q, limit, offset: 0 }, signal);
    return page.items.map((user) => ({
      id: user.id,
      name: user.displayName,
      detail: [user.login, user.employeeNo].filter(Boolean).join(' · ') || null,
      disabled: user.status === 'disabled',
    }));
  }
  const page = await api.get('/api/directory/search', searchPageSchema, { query: { q, limit }, signal });
  return page.items.map((hit) => ({
    id: hit.id,
    name: hit.displayName,
    detail: [hit.employeeNo, hit.primaryDepartment?.name].filter(Boolean).join(' · ') || null,
    disabled: false,
  }));
}

/** A department's current name, for the filter chip (entries carry only the id). */
export async function getDepartmentName(api: ApiClient, id: string, signal?: AbortSignal): Promise<string> {
  const page = await api.get(`/api/directory/departments/${encodeURIComponent(id)}`, departmentPageSchema, { signal });
  return page.department.name;
}
