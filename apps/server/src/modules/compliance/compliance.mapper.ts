import type { ComplianceKeyDto, RetentionPolicyDto, RetentionRunDto, RetentionScopeDto } from '@miyu/protocol';
import type { KeyRow, PolicyRow, RunRow, ScopeRow } from './compliance.repository.js';

export function toKeyDto(k: KeyRow): ComplianceKeyDto {
  return {
    id: k.id,
    encryptionKey: k.encryption_key.toString('base64url'),
    signingKey: k.signing_key.toString('base64url'),
    fingerprint: k.fingerprint,
    label: k.label,
    createdAt: k.created_at.toISOString(),
    createdBy: k.created_by,
    retiredAt: k.retired_at?.toISOString() ?? null,
    active: k.retired_at === null,
    escrowedSessions: Number(k.escrowed_sessions),
  };
}

export function toScopeDto(s: ScopeRow): RetentionScopeDto {
  return {
    id: s.id,
    kind: s.kind,
    targetId: s.target_id,
    targetName: s.target_name,
    legalHold: s.kind === 'user',
    startsAt: s.starts_at.toISOString(),
    note: s.note,
    createdAt: s.created_at.toISOString(),
    createdBy: s.created_by,
    endedAt: s.ended_at?.toISOString() ?? null,
  };
}

export function toPolicyDto(p: PolicyRow): RetentionPolicyDto {
  return {
    id: p.id,
    scope: p.scope,
    departmentId: p.department_id,
    departmentName: p.department_name,
    days: p.days,
    updatedAt: p.updated_at.toISOString(),
  };
}

export function toRunDto(r: RunRow): RetentionRunDto {
  return {
    ranAt: r.ran_at.toISOString(),
    deletedMessages: r.deleted_messages,
    deletedAttachments: r.deleted_attachments,
    conversations: r.conversations,
    keptForHold: r.kept_for_hold,
  };
}
