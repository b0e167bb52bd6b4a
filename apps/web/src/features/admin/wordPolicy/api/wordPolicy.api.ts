import { z } from 'zod';
import {
  type AllowedPhrase,
  allowedPhraseSchema,
  type FilterActionName,
  type FilterHitPage,
  filterHitPageSchema,
  type FilterHitQuery,
  type FilterHitStats,
  filterHitStatsSchema,
  type FilterHitStatsQuery,
  type FilterImport,
  type FilterImportPreview,
  filterImportPreviewSchema,
  type FilterImportResult,
  filterImportResultSchema,
  type FilterOptionsDto,
  filterPublishedSchema,
  type FilterRuleInput,
  type FilterRulePage,
  filterRulePageSchema,
  type FilterTestResult,
  filterTestResultSchema,
  type WordPolicyStatus,
  wordPolicyStatusSchema,
} from '@miyu/protocol';
import type { ApiClient } from '../../../../lib/apiClient';

/** Every change publishes a new policy version. */
export type Published = { version: number };
export type { AllowedPhrase };
export type HitPage = FilterHitPage;
const publishedWithIdSchema = filterPublishedSchema.required({ id: true });

export interface RuleListParams {
  q: string;
  category: string | null;
  action: FilterActionName | null;
  limit: number;
  offset: number;
}

/** The hit-log filters shared by the list, the statistics and the CSV export. */
export type HitFilter = Omit<FilterHitQuery, 'limit' | 'offset'>;
export type HitStatsBy = FilterHitStatsQuery['by'];

export const wordPolicyKeys = {
  all: ['admin', 'wordPolicy'] as const,
  status: ['admin', 'wordPolicy', 'status'] as const,
  rules: (params: RuleListParams) => ['admin', 'wordPolicy', 'rules', params] as const,
  whitelist: ['admin', 'wordPolicy', 'whitelist'] as const,
  hits: (filter: HitFilter, limit: number, offset: number) =>
    ['admin', 'wordPolicy', 'hits', filter, limit, offset] as const,
  hitStats: (filter: HitFilter, by: HitStatsBy) => ['admin', 'wordPolicy', 'hitStats', filter, by] as const,
};

const BASE = '/api/admin/word-policy';
const id = (value: string) => encodeURIComponent(value);

export function getStatus(api: ApiClient, signal?: AbortSignal): Promise<WordPolicyStatus> {
  return api.get(BASE, wordPolicyStatusSchema, { signal });
}

export function listRules(api: ApiClient, params: RuleListParams, signal?: AbortSignal): Promise<FilterRulePage> {
  return api.get(`${BASE}/rules`, filterRulePageSchema, {
    query: {
      q: params.q.trim() || undefined,
      category: params.category,
      action: params.action,
      limit: params.limit,
      offset: params.offset,
    },
    signal,
  });
}

export function addRule(api: ApiClient, body: FilterRuleInput): Promise<Published & { id: string }> {
  return api.post(`${BASE}/rules`, publishedWithIdSchema, { body });
}

export function updateRule(api: ApiClient, ruleId: string, body: FilterRuleInput): Promise<Published & { id: string }> {
  return api.put(`${BASE}/rules/${id(ruleId)}`, publishedWithIdSchema, { body });
}

export function deleteRule(api: ApiClient, ruleId: string): Promise<Published> {
  return deleteForVersion(api, `${BASE}/rules/${id(ruleId)}`);
}

export function listAllowedPhrases(api: ApiClient, signal?: AbortSignal): Promise<AllowedPhrase[]> {
  return api.get(`${BASE}/whitelist`, z.array(allowedPhraseSchema), { signal });
}

export function addAllowedPhrase(api: ApiClient, phrase: string): Promise<Published & { id: string }> {
  return api.post(`${BASE}/whitelist`, publishedWithIdSchema, { body: { phrase } });
}

export function deleteAllowedPhrase(api: ApiClient, phraseId: string): Promise<Published> {
  return deleteForVersion(api, `${BASE}/whitelist/${id(phraseId)}`);
}

export function setOptions(api: ApiClient, patch: Partial<FilterOptionsDto>): Promise<Published> {
  return api.patch(`${BASE}/options`, filterPublishedSchema, { body: patch });
}

/** The raw file is the body; the server reads the format from the name (and the bytes). Nothing is saved. */
export function previewImport(api: ApiClient, file: File): Promise<FilterImportPreview> {
  return api.post(`${BASE}/import/preview`, filterImportPreviewSchema, {
    query: { fileName: file.name },
    file: { data: file, contentType: file.type || 'application/octet-stream' },
  });
}

export function commitImport(api: ApiClient, body: FilterImport): Promise<FilterImportResult> {
  return api.post(`${BASE}/import`, filterImportResultSchema, { body });
}

export function testText(api: ApiClient, text: string): Promise<FilterTestResult> {
  return api.post(`${BASE}/test`, filterTestResultSchema, { body: { text } });
}

function hitQuery(filter: HitFilter): Record<string, string | undefined> {
  return {
    from: filter.from,
    to: filter.to,
    ruleId: filter.ruleId,
    category: filter.category,
    action: filter.action,
    departmentId: filter.departmentId,
  };
}

export function listHits(
  api: ApiClient,
  filter: HitFilter,
  limit: number,
  offset: number,
  signal?: AbortSignal,
): Promise<HitPage> {
  return api.get(`${BASE}/hits`, filterHitPageSchema, { query: { ...hitQuery(filter), limit, offset }, signal });
}

export function hitStats(
  api: ApiClient,
  filter: HitFilter,
  by: HitStatsBy,
  signal?: AbortSignal,
): Promise<FilterHitStats> {
  return api.get(`${BASE}/hits/stats`, filterHitStatsSchema, { query: { ...hitQuery(filter), by }, signal });
}

/** Downloads are plain links: same-origin GETs carry the session cookie and need no CSRF token. */
export function rulesExportUrl(format: 'csv' | 'xlsx'): string {
  return `${BASE}/export?format=${format}`;
}

export function hitsExportUrl(filter: HitFilter): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(hitQuery(filter))) if (value) params.set(key, value);
  const qs = params.toString();
  return qs ? `${BASE}/hits/export?${qs}` : `${BASE}/hits/export`;
}

/**
 * DELETE answers `{ version }`, but the API client reads no body from a DELETE; the version is read back from the
 * status instead (the one just published, unless another admin published in between).
 */
async function deleteForVersion(api: ApiClient, path: string): Promise<Published> {
  await api.delete(path);
  return { version: (await getStatus(api)).version };
}
