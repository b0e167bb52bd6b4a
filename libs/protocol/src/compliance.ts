import { z } from 'zod';
import { singleLine } from './common.js';

/**
 * Compliance retention under E2E (ARCHITECTURE §6, docs/compliance.md). The org's compliance officer holds an
 * offline key pair; clients wrap every sender-key session of a retained conversation to its public key (the
 * escrow of libs/crypto), and the offline export tool opens them. The server stores wraps and ciphertext only.
 */

/** base64url without padding of exactly 32 bytes (43 characters). */
const key32 = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'must be 32 bytes in base64url');

export const COMPLIANCE_PUBLIC_KEY_FORMAT = 'miyu-compliance-public-key-v1';
export const COMPLIANCE_PRIVATE_KEY_FORMAT = 'miyu-compliance-private-key-v1';

/**
 * The public half written by `npm run compliance:keygen`, uploaded by an admin. `encryptionKey` is the X25519 key
 * sessions are wrapped to; `signingKey` the Ed25519 key that signs export manifests. The fingerprint is
 * `complianceKeyFingerprint` (docs/compliance.md): the server recomputes it and refuses a file whose value differs.
 */
export const compliancePublicKeyFileSchema = z.strictObject({
  format: z.literal(COMPLIANCE_PUBLIC_KEY_FORMAT),
  encryptionKey: key32,
  signingKey: key32,
  fingerprint: z.string().regex(/^[0-9a-f]{4}( [0-9a-f]{4}){7}$/, 'must be 8 groups of 4 hex digits'),
  createdAt: z.string().max(40),
});
export type CompliancePublicKeyFile = z.infer<typeof compliancePublicKeyFileSchema>;

export const uploadComplianceKeySchema = z.strictObject({
  publicKey: compliancePublicKeyFileSchema,
  label: singleLine(0, 100).optional(),
});
export type UploadComplianceKeyRequest = z.infer<typeof uploadComplianceKeySchema>;

export const complianceKeySchema = z.object({
  id: z.uuid(),
  encryptionKey: z.string(),
  signingKey: z.string(),
  fingerprint: z.string(),
  label: z.string().nullable(),
  createdAt: z.string(),
  createdBy: z.uuid().nullable(),
  /** Set when a newer key replaced it; retired keys stay listed so sessions wrapped to them still verify. */
  retiredAt: z.string().nullable(),
  active: z.boolean(),
  /** Sender-key sessions wrapped to this key (stored by the server beside the session id). */
  escrowedSessions: z.number().int(),
});
export type ComplianceKeyDto = z.infer<typeof complianceKeySchema>;

/** Retention scope: the whole org, a department (with its subdepartments) or one person (a legal hold). */
export const retentionScopeKindSchema = z.enum(['org', 'department', 'user']);
export type RetentionScopeKind = z.infer<typeof retentionScopeKindSchema>;

export const createRetentionScopeSchema = z
  .strictObject({
    kind: retentionScopeKindSchema,
    /** Department id or user id; absent for `org`. */
    targetId: z.uuid().optional(),
    /** When retention starts (ISO 8601); now when absent. Not more than a year ahead. */
    startsAt: z.iso.datetime({ offset: true }).optional(),
    note: singleLine(0, 500).optional(),
  })
  .refine((v) => (v.kind === 'org') === (v.targetId === undefined), {
    message: 'targetId is required for department and user scopes, and not allowed for org',
    path: ['targetId'],
  });
export type CreateRetentionScopeRequest = z.infer<typeof createRetentionScopeSchema>;

export const retentionScopeSchema = z.object({
  id: z.uuid(),
  kind: retentionScopeKindSchema,
  targetId: z.uuid().nullable(),
  /** Department or person's display name (null for org). */
  targetName: z.string().nullable(),
  /** A person's scope is a legal hold: their conversations are retained and never deleted by a policy. */
  legalHold: z.boolean(),
  startsAt: z.string(),
  note: z.string().nullable(),
  createdAt: z.string(),
  createdBy: z.uuid().nullable(),
  /** Set when the scope was ended; ended scopes stay listed. */
  endedAt: z.string().nullable(),
});
export type RetentionScopeDto = z.infer<typeof retentionScopeSchema>;

/** Deletion of ciphertext older than `days`, org-wide or for the messages of a department's people. */
export const setRetentionPolicySchema = z
  .strictObject({
    scope: z.enum(['org', 'department']),
    departmentId: z.uuid().optional(),
    days: z.number().int().min(1).max(36_500),
  })
  .refine((v) => (v.scope === 'org') === (v.departmentId === undefined), {
    message: 'departmentId is required for a department policy, and not allowed for org',
    path: ['departmentId'],
  });
export type SetRetentionPolicyRequest = z.infer<typeof setRetentionPolicySchema>;

export const retentionPolicySchema = z.object({
  id: z.uuid(),
  scope: z.enum(['org', 'department']),
  departmentId: z.uuid().nullable(),
  departmentName: z.string().nullable(),
  days: z.number().int(),
  updatedAt: z.string(),
});
export type RetentionPolicyDto = z.infer<typeof retentionPolicySchema>;

export const retentionRunSchema = z.object({
  ranAt: z.string(),
  deletedMessages: z.number().int(),
  deletedAttachments: z.number().int(),
  conversations: z.number().int(),
  /** Messages past their policy kept because a person in the conversation is under legal hold. */
  keptForHold: z.number().int(),
});
export type RetentionRunDto = z.infer<typeof retentionRunSchema>;

export const complianceSettingsSchema = z.object({
  /**
   * Shown in the banner: "Messages in this conversation are retained by <organisationName>". Empty until an admin
   * sets it (clients then say "your organisation" in their language).
   */
  organisationName: z.string(),
});
export type ComplianceSettings = z.infer<typeof complianceSettingsSchema>;
export const complianceSettingsUpdateSchema = z.strictObject({ organisationName: singleLine(1, 100) });

/** Admin overview: everything the compliance page shows. */
export const complianceOverviewSchema = z.object({
  settings: complianceSettingsSchema,
  keys: z.array(complianceKeySchema),
  scopes: z.array(retentionScopeSchema),
  policies: z.array(retentionPolicySchema),
  lastRun: retentionRunSchema.nullable(),
});
export type ComplianceOverview = z.infer<typeof complianceOverviewSchema>;

/**
 * What every member's client needs (GET /api/compliance/notice): the org's name, the listed keys (to verify wraps
 * made under retired keys too) and who is under legal hold (the marker on people).
 */
export const complianceNoticeSchema = z.object({
  organisationName: z.string(),
  keys: z.array(z.object({ id: z.uuid(), encryptionKey: z.string(), fingerprint: z.string(), active: z.boolean() })),
  heldUserIds: z.array(z.uuid()),
});
export type ComplianceNotice = z.infer<typeof complianceNoticeSchema>;

/**
 * A conversation's retention (GET /api/conversations/:id/retention). When `retained`, clients wrap new sessions
 * to `encryptionKey` and show the banner; the server refuses sends without a wrap (ESCROW_REQUIRED) and with one
 * when not retained (ESCROW_NOT_EXPECTED).
 */
export const conversationRetentionSchema = z.object({
  conversationId: z.uuid(),
  retained: z.boolean(),
  /** The earliest start among the scopes that apply (messages before it were not retained). */
  since: z.string().nullable(),
  keyId: z.uuid().nullable(),
  encryptionKey: z.string().nullable(),
  organisationName: z.string(),
  /** Members under legal hold. */
  heldUserIds: z.array(z.uuid()),
});
export type ConversationRetention = z.infer<typeof conversationRetentionSchema>;

// ------------------------------------------------------------------------------------------- export API

/** Auditors only (session or an API token with the `compliance:export` scope). */
export const complianceExportFilterSchema = z.strictObject({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  /** Comma-separated user ids (conversations they are or were in). */
  users: z.string().max(20_000).optional(),
  /** Comma-separated conversation ids. */
  conversations: z.string().max(20_000).optional(),
});
export type ComplianceExportFilter = z.infer<typeof complianceExportFilterSchema>;

export const exportPersonSchema = z.object({
  id: z.uuid(),
  displayName: z.string(),
  login: z.string(),
  employeeNo: z.string().nullable(),
  email: z.string().nullable(),
});
export type ExportPerson = z.infer<typeof exportPersonSchema>;

export const exportConversationSchema = z.object({
  id: z.uuid(),
  kind: z.enum(['direct', 'group', 'department']),
  name: z.string().nullable(),
  createdAt: z.string(),
  lastSeq: z.number().int(),
  members: z.array(z.uuid()),
});
export type ExportConversation = z.infer<typeof exportConversationSchema>;

export const exportConversationsResultSchema = z.object({
  conversations: z.array(exportConversationSchema),
  /** Everyone who is a member of, or sent in, the listed conversations. */
  people: z.array(exportPersonSchema),
});
export type ExportConversationsResult = z.infer<typeof exportConversationsResultSchema>;

export const MAX_EXPORT_PAGE = 1000;

export const exportMessagesQuerySchema = z.strictObject({
  conversationId: z.uuid(),
  afterSeq: z.coerce.number().int().min(0).max(Number.MAX_SAFE_INTEGER).default(0),
  limit: z.coerce.number().int().min(1).max(MAX_EXPORT_PAGE).default(500),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
});
export type ExportMessagesQuery = z.infer<typeof exportMessagesQuerySchema>;

export const exportMessageSchema = z.object({
  seq: z.number().int().min(1),
  serverTs: z.string(),
  senderUserId: z.string().nullable(),
  senderDeviceId: z.string().nullable(),
  /** libs/crypto EnvelopeJson; null for system events. */
  envelope: z.record(z.string(), z.unknown()).nullable(),
  /** System event (JSON) for server-authored entries. */
  system: z.record(z.string(), z.unknown()).nullable(),
  recalledAt: z.string().nullable(),
  recalledBy: z.string().nullable(),
});
export type ExportMessage = z.infer<typeof exportMessageSchema>;

export const exportMessagesPageSchema = z.object({
  messages: z.array(exportMessageSchema).max(MAX_EXPORT_PAGE),
  /** Pass as afterSeq for the next page; null when this was the last. */
  nextAfterSeq: z.number().int().nullable(),
});
export type ExportMessagesPage = z.infer<typeof exportMessagesPageSchema>;

export const exportEscrowSessionSchema = z.object({
  /** base64url */
  sessionId: z.string(),
  senderUserId: z.string(),
  senderDeviceId: z.string(),
  keyId: z.string(),
  /** base64url of the wrap, as the envelopes carry it. */
  wrap: z.string(),
  firstSeq: z.number().int(),
});
export type ExportEscrowSession = z.infer<typeof exportEscrowSessionSchema>;
export const exportSessionsResultSchema = z.object({ sessions: z.array(exportEscrowSessionSchema) });

export const exportSessionsQuerySchema = z.strictObject({ conversationId: z.uuid() });

// ------------------------------------------------------------------------------------------- API tokens

/**
 * Scopes a bearer token may carry; a route accepts tokens only for the scopes it names. Personal tokens act as their
 * user; service tokens (created by an admin for another system) carry the service scopes.
 */
export const API_TOKEN_SCOPES = [
  'compliance:export',
  'audit:read',
  'directory:read',
  'bot:post',
  'scim:provision',
] as const;
/** Scopes only service tokens carry. */
export const SERVICE_TOKEN_SCOPES = ['directory:read', 'bot:post', 'scim:provision', 'audit:read'] as const;
export const apiTokenScopeSchema = z.enum(API_TOKEN_SCOPES);
export type ApiTokenScope = z.infer<typeof apiTokenScopeSchema>;
/** Tokens look like `miyu_pat_<43 base64url characters>`. */
export const API_TOKEN_PREFIX = 'miyu_pat_';

export const createApiTokenSchema = z.strictObject({
  name: singleLine(1, 100),
  scopes: z.array(apiTokenScopeSchema).min(1).max(API_TOKEN_SCOPES.length),
  expiresInDays: z.number().int().min(1).max(365),
});
export type CreateApiTokenRequest = z.infer<typeof createApiTokenSchema>;

/** Admins create service tokens for other systems (SCIM, bots, directory readers); they act as that admin. */
export const createServiceTokenSchema = z.strictObject({
  name: singleLine(1, 100),
  scopes: z.array(z.enum(SERVICE_TOKEN_SCOPES)).min(1).max(SERVICE_TOKEN_SCOPES.length),
  expiresInDays: z.number().int().min(1).max(730),
});
export type CreateServiceTokenRequest = z.infer<typeof createServiceTokenSchema>;

export const apiTokenKindSchema = z.enum(['personal', 'service']);
export type ApiTokenKind = z.infer<typeof apiTokenKindSchema>;

export const apiTokenSchema = z.object({
  id: z.uuid(),
  kind: apiTokenKindSchema,
  /** The person a personal token acts as, or the admin who created a service token. */
  ownerUserId: z.uuid(),
  name: z.string(),
  scopes: z.array(apiTokenScopeSchema),
  createdAt: z.string(),
  expiresAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});
export type ApiTokenDto = z.infer<typeof apiTokenSchema>;
/** The token itself is in the creation response only; the server keeps its hash. */
export type CreatedApiToken = ApiTokenDto & { token: string };
