import { complianceNoticeSchema, type ComplianceNotice } from '@miyu/protocol';
import type { ApiClient } from '../../../lib/apiClient';

/** The one cache key of the org's compliance notice (org name, listed keys, people under legal hold). */
export const complianceNoticeKey = ['compliance', 'notice'] as const;

export function getComplianceNotice(api: ApiClient, signal?: AbortSignal): Promise<ComplianceNotice> {
  return api.get('/api/compliance/notice', complianceNoticeSchema, { signal });
}
