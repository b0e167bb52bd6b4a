import { z } from 'zod';
import {
  type BackupItemDto,
  backupPageSchema,
  claimKeysResponseSchema,
  type ComplianceNotice,
  complianceNoticeSchema,
  type ConversationRetention,
  conversationRetentionSchema,
  type ConversationDto,
  conversationMemberSchema,
  conversationSchema,
  type CreateConversationRequest,
  deviceSchema,
  type DeviceDto,
  historyRecoveryStateSchema,
  type MemberRole,
  receiptListPageSchema,
  type ReceiptSummary,
  receiptSummarySchema,
  type FilterHitReport,
  type SignedWordPolicy,
  wordPolicyResponseSchema,
  type HistoryRecoveryState,
  type RegisterDeviceRequest,
  timelineMessageSchema,
  type TimelineMessage,
} from '@miyu/protocol';
import type { ApiClient } from '../../../lib/apiClient';

const id = (value: string) => encodeURIComponent(value);

/** The REST calls of the chat engine, typed and validated by the protocol's schemas. */
export function chatApi(api: ApiClient) {
  return {
    registerDevice: (body: RegisterDeviceRequest): Promise<DeviceDto> =>
      api.post('/api/devices', deviceSchema, { body }),
    devicesOf: (userId: string): Promise<DeviceDto[]> =>
      api.get(`/api/users/${id(userId)}/devices`, z.array(deviceSchema)),
    claimKeys: (deviceIds: string[]) => api.post('/api/keys/claim', claimKeysResponseSchema, { body: { deviceIds } }),
    refillPrekeys: (deviceId: string, oneTimePrekeys: Array<{ id: number; publicKey: string }>) =>
      api.post(`/api/devices/${id(deviceId)}/prekeys`, z.unknown(), { body: { oneTimePrekeys } }),
    conversations: (): Promise<ConversationDto[]> => api.get('/api/conversations', z.array(conversationSchema)),
    createConversation: (body: CreateConversationRequest): Promise<ConversationDto> =>
      api.post('/api/conversations', conversationSchema, { body }),
    members: (conversationId: string) =>
      api.get(`/api/conversations/${id(conversationId)}/members`, z.array(conversationMemberSchema)),
    addMembers: (conversationId: string, userIds: string[]): Promise<ConversationDto> =>
      api.post(`/api/conversations/${id(conversationId)}/members`, conversationSchema, { body: { userIds } }),
    removeMember: (conversationId: string, userId: string): Promise<void> =>
      api.delete(`/api/conversations/${id(conversationId)}/members/${id(userId)}`),
    updateConversation: (conversationId: string, body: { name?: string; topic?: string }): Promise<ConversationDto> =>
      api.patch(`/api/conversations/${id(conversationId)}`, conversationSchema, { body }),
    setRole: (conversationId: string, userId: string, role: MemberRole) =>
      api.put(
        `/api/conversations/${id(conversationId)}/members/${id(userId)}/role`,
        z.array(conversationMemberSchema),
        {
          body: { role },
        },
      ),
    history: (conversationId: string, before: number | undefined, limit: number): Promise<TimelineMessage[]> =>
      api.get(`/api/conversations/${id(conversationId)}/messages`, z.array(timelineMessageSchema), {
        query: { before: before === undefined ? undefined : String(before), limit: String(limit) },
      }),
    wordPolicy: async (): Promise<SignedWordPolicy | null> =>
      (await api.get('/api/word-policy', wordPolicyResponseSchema)).policy,
    reportHits: (body: FilterHitReport) => api.post('/api/word-policy/hits', z.unknown(), { body }),
    complianceNotice: (): Promise<ComplianceNotice> => api.get('/api/compliance/notice', complianceNoticeSchema),
    retention: (conversationId: string): Promise<ConversationRetention> =>
      api.get(`/api/conversations/${id(conversationId)}/retention`, conversationRetentionSchema),
    receiptSummary: (conversationId: string, seqs: number[]): Promise<ReceiptSummary> =>
      api.get(`/api/conversations/${id(conversationId)}/receipts`, receiptSummarySchema, {
        query: { seqs: seqs.join(',') },
      }),
    receiptList: (conversationId: string, seq: number, state: 'read' | 'unread', limit: number, offset: number) =>
      api.get(`/api/conversations/${id(conversationId)}/messages/${seq}/receipts`, receiptListPageSchema, {
        query: { state, limit, offset },
      }),
    recovery: (): Promise<HistoryRecoveryState> => api.get('/api/history/recovery', historyRecoveryStateSchema),
    putRecovery: (keyId: string, wrap: string): Promise<HistoryRecoveryState> =>
      api.put('/api/history/recovery', historyRecoveryStateSchema, { body: { keyId, wrap } }),
    putBackups: (deviceId: string, items: BackupItemDto[]) =>
      api.put('/api/history/backups', z.object({ stored: z.number() }), { body: { deviceId, items } }),
    backups: (keyId: string, after: string | null) =>
      api.get('/api/history/backups', backupPageSchema, { query: { keyId, after: after ?? undefined } }),
  };
}

export type ChatApi = ReturnType<typeof chatApi>;
