import { z } from 'zod';

/**
 * The tamper-evident audit log (issue 9). Every entry follows actor / action / entity / context / result, is
 * serialised canonically, chained to the previous entry (`prev`) and folded into an RFC 9162 Merkle tree whose
 * signed checkpoints let anyone verify an export offline. The catalogue of actions is in docs/audit-events.md.
 */
export const AUDIT_ACTIONS = [
  'auth.sign_in',
  'auth.sign_out',
  'auth.password_changed',
  'auth.totp_enabled',
  'auth.totp_disabled',
  'session.revoked',
  'device.added',
  'device.removed',
  'keys.prekeys_added',
  'user.created',
  'user.updated',
  'user.disabled',
  'user.enabled',
  'user.role_changed',
  'user.password_set',
  'department.created',
  'department.updated',
  'department.moved',
  'department.deleted',
  'department.member_added',
  'department.member_removed',
  'directory.imported',
  'conversation.created',
  'conversation.updated',
  'conversation.member_added',
  'conversation.member_removed',
  'conversation.role_changed',
  'message.sent',
  'message.recalled',
  'attachment.uploaded',
  'word_policy.published',
  'word_filter.hit',
  'messaging_settings.updated',
  'audit.exported',
  'audit.settings_updated',
  'audit.purged',
  'compliance.key_uploaded',
  'compliance.scope_added',
  'compliance.scope_ended',
  'compliance.policy_set',
  'compliance.policy_removed',
  'compliance.settings_updated',
  'compliance.retention_purged',
  'compliance.export_started',
  'compliance.export_conversation',
  'api_token.created',
  'api_token.revoked',
  'oidc.config_updated',
  'ldap.config_updated',
  'ldap.synced',
  'webhook.created',
  'webhook.secret_rotated',
  'webhook.deleted',
  'webhook.posted',
] as const;
export const auditActionSchema = z.enum(AUDIT_ACTIONS);
export type AuditAction = z.infer<typeof auditActionSchema>;

export const AUDIT_ENTITY_TYPES = [
  'user',
  'session',
  'device',
  'department',
  'conversation',
  'message',
  'attachment',
  'word_policy',
  'settings',
  'audit_log',
  'import',
  'compliance_key',
  'retention_scope',
  'retention_policy',
  'api_token',
  'oidc_config',
  'ldap_sync',
  'webhook',
] as const;
export const auditEntityTypeSchema = z.enum(AUDIT_ENTITY_TYPES);
export type AuditEntityType = z.infer<typeof auditEntityTypeSchema>;

/** The entry as it is hashed: `canonicalJson` of this object is the Merkle leaf's content. */
export const auditEntrySchema = z.object({
  v: z.literal(1),
  seq: z.number().int().min(1),
  time: z.string(),
  actor: z.object({
    userId: z.string().nullable(),
    name: z.string().nullable(),
    deviceId: z.string().nullable(),
    ip: z.string().nullable(),
    userAgent: z.string().nullable(),
  }),
  action: auditActionSchema,
  entity: z.object({ type: auditEntityTypeSchema, id: z.string().nullable(), name: z.string().nullable() }),
  /** Before/after values and other metadata; never message content. */
  context: z.record(z.string(), z.unknown()).nullable(),
  result: z.object({ ok: z.boolean(), reason: z.string().nullable() }),
  /** Hex of the previous entry's Merkle leaf hash (64 zeros for the first). */
  prev: z.string().regex(/^[0-9a-f]{64}$/),
});
export type AuditEntry = z.infer<typeof auditEntrySchema>;

export const auditEntryDtoSchema = z.object({
  entry: auditEntrySchema,
  /** The actor's primary department at the time, for filtering. */
  departmentId: z.string().nullable(),
  leafHash: z.string(),
});
export type AuditEntryDto = z.infer<typeof auditEntryDtoSchema>;

/** Signed tree head: Ed25519 over `AUDIT_CHECKPOINT_CONTEXT + canonicalJson(checkpoint body)`. */
export const auditCheckpointSchema = z.object({
  v: z.literal(1),
  size: z.number().int().min(0),
  root: z.string().regex(/^[0-9a-f]{64}$/),
  time: z.string(),
});
export type AuditCheckpointBody = z.infer<typeof auditCheckpointSchema>;
export const AUDIT_CHECKPOINT_CONTEXT = 'miyu-audit-checkpoint-v1\n';

export const signedAuditCheckpointSchema = z.object({
  checkpoint: auditCheckpointSchema,
  /** base64url Ed25519 signature. */
  signature: z.string(),
  /** base64url Ed25519 public key of the server's audit key. */
  publicKey: z.string(),
});
export type SignedAuditCheckpoint = z.infer<typeof signedAuditCheckpointSchema>;

export const auditQuerySchema = z.strictObject({
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  actorId: z.uuid().optional(),
  action: auditActionSchema.optional(),
  entityType: auditEntityTypeSchema.optional(),
  entityId: z.string().max(200).optional(),
  departmentId: z.uuid().optional(),
  result: z.enum(['success', 'failure']).optional(),
  sort: z.enum(['newest', 'oldest']).default('newest'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
});
export type AuditQuery = z.infer<typeof auditQuerySchema>;

export const auditPageSchema = z.object({ items: z.array(auditEntryDtoSchema), total: z.number().int() });
export type AuditPage = z.infer<typeof auditPageSchema>;

export const auditInclusionQuerySchema = z.strictObject({
  seq: z.coerce.number().int().min(1),
  size: z.coerce.number().int().min(1).optional(),
});
export const auditInclusionProofSchema = z.object({
  seq: z.number().int(),
  treeSize: z.number().int(),
  leafHash: z.string(),
  proof: z.array(z.string()),
});
export type AuditInclusionProof = z.infer<typeof auditInclusionProofSchema>;

export const auditConsistencyQuerySchema = z.strictObject({
  from: z.coerce.number().int().min(0),
  to: z.coerce.number().int().min(1),
});
export const auditConsistencyProofSchema = z.object({
  from: z.number().int(),
  to: z.number().int(),
  proof: z.array(z.string()),
});
export type AuditConsistencyProof = z.infer<typeof auditConsistencyProofSchema>;

export const auditExportQuerySchema = auditQuerySchema
  .omit({ limit: true, offset: true, sort: true })
  .extend({ format: z.enum(['jsonl', 'csv']).default('jsonl') });
export type AuditExportQuery = z.infer<typeof auditExportQuerySchema>;

/** Admin-set retention of audit entries; null keeps them forever (the default). */
export const auditSettingsSchema = z.object({ retentionDays: z.number().int().min(30).max(36_500).nullable() });
export type AuditSettings = z.infer<typeof auditSettingsSchema>;
export const auditSettingsUpdateSchema = z.strictObject({
  retentionDays: z.number().int().min(30).max(36_500).nullable(),
});

export const auditPurgeResultSchema = z.object({
  purged: z.number().int(),
  throughSeq: z.number().int().nullable(),
  archive: z.object({ file: z.string(), sha256: z.string(), entries: z.number().int() }).nullable(),
});
export type AuditPurgeResult = z.infer<typeof auditPurgeResultSchema>;
