import { z } from 'zod';
import {
  type FilterActionName,
  filterActionSchema,
  type FilterHitDto,
  type FilterHitQuery,
  filterHitSourceSchema,
  type FilterHitStats,
  type FilterHitStatsQuery,
  type FilterImport,
  type FilterImportPreview,
  type FilterImportResult,
  type FilterOptionsDto,
  filterOptionsSchema,
  type FilterRuleDto,
  type FilterRuleInput,
  type FilterRulePage,
  filterRuleTypeSchema,
  type FilterTestResult,
  patternValidatorSchema,
  type WordPolicyStatus,
} from '@miyu/protocol';
import type { ApiClient } from '../../../../lib/apiClient';

// The protocol declares these answers as interfaces only; the schemas below parse them, typed against those
// interfaces so a change on either side fails to compile here.

const statusSchema: z.ZodType<WordPolicyStatus> = z.object({
  version: z.number().int(),
  publishedAt: z.string().nullable(),
  ruleCount: z.number().int(),
  whitelistCount: z.number().int(),
  options: filterOptionsSchema,
  keyFingerprint: z.string(),
});

const ruleSchema: z.ZodType<FilterRuleDto> = z.object({
  id: z.string(),
  type: filterRuleTypeSchema,
  pattern: z.string(),
  validator: patternValidatorSchema,
  category: z.string(),
  action: filterActionSchema,
  updatedAt: z.string(),
});

const rulePageSchema: z.ZodType<FilterRulePage> = z.object({
  items: z.array(ruleSchema),
  total: z.number().int(),
  categories: z.array(z.object({ category: z.string(), count: z.number().int() })),
});

/** Every change publishes a new policy version. */
const publishedSchema = z.object({ version: z.number().int() });
const publishedWithIdSchema = z.object({ id: z.string(), version: z.number().int() });
export type Published = z.infer<typeof publishedSchema>;

const allowedPhraseSchema = z.object({ id: z.string(), phrase: z.string() });
export type AllowedPhrase = z.infer<typeof allowedPhraseSchema>;

const importPreviewSchema: z.ZodType<FilterImportPreview> = z.object({
  format: z.enum(['txt', 'csv', 'xlsx']),
  totalLines: z.number().int(),
  rows: z.array(
    z.object({
      line: z.number().int(),
      word: z.string(),
      category: z.string().nullable(),
      action: filterActionSchema.nullable(),
      exists: z.boolean(),
    }),
  ),
  errors: z.array(z.object({ line: z.number().int(), code: z.string(), message: z.string(), raw: z.string() })),
});

const importResultSchema: z.ZodType<FilterImportResult> = z.object({
  added: z.number().int(),
  updated: z.number().int(),
  version: z.number().int(),
});

const testResultSchema: z.ZodType<FilterTestResult> = z.object({
  action: filterActionSchema.nullable(),
  hits: z.array(
    z.object({
      ruleId: z.string(),
      pattern: z.string(),
      category: z.string(),
      action: filterActionSchema,
      start: z.number().int(),
      end: z.number().int(),
      text: z.string(),
    }),
  ),
  masked: z.string(),
});

const hitSchema: z.ZodType<FilterHitDto> = z.object({
  id: z.string(),
  occurredAt: z.string(),
  userId: z.string().nullable(),
  userName: z.string().nullable(),
  departments: z.array(z.string()),
  ruleId: z.string().nullable(),
  rulePattern: z.string(),
  category: z.string(),
  action: filterActionSchema,
  source: filterHitSourceSchema,
  conversationId: z.string().nullable(),
  policyVersion: z.number().int(),
});

const hitPageSchema = z.object({ items: z.array(hitSchema), total: z.number().int() });
export type HitPage = z.infer<typeof hitPageSchema>;

const hitStatsSchema: z.ZodType<FilterHitStats> = z.object({
  by: z.enum(['rule', 'category', 'department', 'day']),
  rows: z.array(
    z.object({
      key: z.string(),
      label: z.string(),
      block: z.number().int(),
      warn: z.number().int(),
      mask: z.number().int(),
      flag: z.number().int(),
      total: z.number().int(),
    }),
  ),
});

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
  return api.get(BASE, statusSchema, { signal });
}

export function listRules(api: ApiClient, params: RuleListParams, signal?: AbortSignal): Promise<FilterRulePage> {
  return api.get(`${BASE}/rules`, rulePageSchema, {
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
  return api.patch(`${BASE}/options`, publishedSchema, { body: patch });
}

/** The raw file is the body; the server reads the format from the name (and the bytes). Nothing is saved. */
export function previewImport(api: ApiClient, file: File): Promise<FilterImportPreview> {
  return api.post(`${BASE}/import/preview`, importPreviewSchema, {
    query: { fileName: file.name },
    file: { data: file, contentType: file.type || 'application/octet-stream' },
  });
}

export function commitImport(api: ApiClient, body: FilterImport): Promise<FilterImportResult> {
  return api.post(`${BASE}/import`, importResultSchema, { body });
}

export function testText(api: ApiClient, text: string): Promise<FilterTestResult> {
  return api.post(`${BASE}/test`, testResultSchema, { body: { text } });
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
  return api.get(`${BASE}/hits`, hitPageSchema, { query: { ...hitQuery(filter), limit, offset }, signal });
}

export function hitStats(
  api: ApiClient,
  filter: HitFilter,
  by: HitStatsBy,
  signal?: AbortSignal,
): Promise<FilterHitStats> {
  return api.get(`${BASE}/hits/stats`, hitStatsSchema, { query: { ...hitQuery(filter), by }, signal });
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
