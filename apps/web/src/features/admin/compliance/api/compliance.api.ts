import {
  type ComplianceKeyDto,
  complianceKeySchema,
  type ComplianceOverview,
  complianceOverviewSchema,
  type ComplianceSettings,
  complianceSettingsSchema,
  type CreateRetentionScopeRequest,
  type RetentionPolicyDto,
  retentionPolicySchema,
  type RetentionRunDto,
  retentionRunSchema,
  type RetentionScopeDto,
  retentionScopeSchema,
  type SetRetentionPolicyRequest,
  type UploadComplianceKeyRequest,
} from '@miyu/protocol';
import type { ApiClient } from '../../../../lib/apiClient';

export const complianceKeys = {
  all: ['admin', 'compliance'] as const,
  overview: ['admin', 'compliance', 'overview'] as const,
};

const BASE = '/api/compliance';
const id = (value: string) => encodeURIComponent(value);

export function getOverview(api: ApiClient, signal?: AbortSignal): Promise<ComplianceOverview> {
  return api.get(`${BASE}/overview`, complianceOverviewSchema, { signal });
}

export function saveSettings(api: ApiClient, organisationName: string): Promise<ComplianceSettings> {
  return api.put(`${BASE}/settings`, complianceSettingsSchema, { body: { organisationName } });
}

/** Uploading while a key is active rotates: the server retires the old key, which stays listed. */
export function uploadKey(api: ApiClient, body: UploadComplianceKeyRequest): Promise<ComplianceKeyDto> {
  return api.post(`${BASE}/keys`, complianceKeySchema, { body });
}

export function addScope(api: ApiClient, body: CreateRetentionScopeRequest): Promise<RetentionScopeDto> {
  return api.post(`${BASE}/scopes`, retentionScopeSchema, { body });
}

/** Ends a scope (it stays listed with `endedAt`); the list is read again afterwards. */
export function endScope(api: ApiClient, scopeId: string): Promise<void> {
  return api.delete(`${BASE}/scopes/${id(scopeId)}`);
}

export function setPolicy(api: ApiClient, body: SetRetentionPolicyRequest): Promise<RetentionPolicyDto> {
  return api.put(`${BASE}/policies`, retentionPolicySchema, { body });
}

export function removePolicy(api: ApiClient, policyId: string): Promise<void> {
  return api.delete(`${BASE}/policies/${id(policyId)}`);
}

/** Runs the deletion job now and answers what it deleted (and kept for legal holds). */
export function runRetention(api: ApiClient): Promise<RetentionRunDto> {
  return api.post(`${BASE}/retention/run`, retentionRunSchema);
}
