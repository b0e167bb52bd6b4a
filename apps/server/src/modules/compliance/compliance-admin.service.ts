import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import type {
  ComplianceKeyDto,
  ComplianceOverview,
  ComplianceSettings,
  CreateRetentionScopeRequest,
  RetentionPolicyDto,
  RetentionScopeDto,
  SetRetentionPolicyRequest,
  UploadComplianceKeyRequest,
} from '@miyu/protocol';
import { uuidv7 } from '../../common/security/uuid.js';
import { AUDIT_EVENT, type AuditRecord } from '../audit/audit.events.js';
import type { Actor } from '../auth/auth.types.js';
import { requireAdmin } from '../auth/require-admin.js';
import { readCompliancePublicKey } from './compliance-key-file.js';
import { ComplianceError } from './compliance.errors.js';
import { COMPLIANCE_CHANGED_EVENT } from './compliance.events.js';
import { toKeyDto, toPolicyDto, toRunDto, toScopeDto } from './compliance.mapper.js';
import { ComplianceRepository } from './compliance.repository.js';
import { RetentionResolver } from './retention-resolver.js';

const YEAR_MS = 366 * 86_400_000;

/**
 * Compliance administration (admins): the org compliance key (upload = rotation), retention scopes, deletion
 * policies and the organisation name shown in the banner. Every change is audited and announced to clients.
 */
@Injectable()
export class ComplianceAdminService {
  constructor(
    private readonly repo: ComplianceRepository,
    private readonly resolver: RetentionResolver,
    private readonly events: EventEmitter2,
  ) {}

  async overview(actor: Actor): Promise<ComplianceOverview> {
    requireAdmin(actor);
    const [organisationName, keys, scopes, policies, lastRun] = await Promise.all([
      this.repo.organisationName(),
      this.repo.listKeys(),
      this.repo.listScopes(),
      this.repo.listPolicies(),
      this.repo.lastRun(),
    ]);
    return {
      settings: { organisationName },
      keys: keys.map(toKeyDto),
      scopes: scopes.map(toScopeDto),
      policies: policies.map(toPolicyDto),
      lastRun: lastRun ? toRunDto(lastRun) : null,
    };
  }

  async updateSettings(actor: Actor, next: ComplianceSettings): Promise<ComplianceSettings> {
    requireAdmin(actor);
    const before = await this.repo.organisationName();
    await this.repo.setOrganisationName(next.organisationName);
    this.audit({
      action: 'compliance.settings_updated',
      actor: { userId: actor.userId },
      entity: { type: 'settings', id: 'compliance', name: 'compliance' },
      context: { changes: { organisationName: { before, after: next.organisationName } } },
    });
    this.changed();
    return { organisationName: next.organisationName };
  }

  /** Uploading a key makes it the active one; the previous key is retired and stays listed (rotation). */
  async uploadKey(actor: Actor, request: UploadComplianceKeyRequest): Promise<ComplianceKeyDto> {
    requireAdmin(actor);
    const key = await readCompliancePublicKey(request.publicKey);
    if (await this.repo.keyExists(key.encryptionKey)) throw ComplianceError.keyExists();
    const id = uuidv7();
    const retiredKeyId = await this.repo.rotateKey({
      id,
      encryption_key: key.encryptionKey,
      signing_key: key.signingKey,
      fingerprint: key.fingerprint,
      label: request.label || null,
      created_by: actor.userId,
    });
    this.audit({
      action: 'compliance.key_uploaded',
      actor: { userId: actor.userId },
      entity: { type: 'compliance_key', id, name: request.label || key.fingerprint },
      context: { fingerprint: key.fingerprint, rotation: retiredKeyId !== null, retiredKeyId },
    });
    this.changed();
    return toKeyDto((await this.repo.findKey(id))!);
  }

  async addScope(actor: Actor, request: CreateRetentionScopeRequest): Promise<RetentionScopeDto> {
    requireAdmin(actor);
    if (!(await this.resolver.activeKey())) throw ComplianceError.keyRequired();
    const targetId = request.targetId ?? null;
    if (request.kind === 'department' && !(await this.repo.departmentName(targetId!)))
      throw ComplianceError.scopeInvalid('targetId', 'no such department');
    if (request.kind === 'user' && !(await this.repo.userName(targetId!)))
      throw ComplianceError.scopeInvalid('targetId', 'no such person');
    const startsAt = request.startsAt ? new Date(request.startsAt) : new Date();
    if (startsAt.getTime() > Date.now() + YEAR_MS)
      throw ComplianceError.scopeInvalid('startsAt', 'must be within a year from now');
    if (await this.repo.activeScopeFor(request.kind, targetId))
      throw ComplianceError.scopeInvalid('targetId', 'an active scope for this target exists; end it first');
    const id = uuidv7();
    await this.repo.insertScope({
      id,
      kind: request.kind,
      targetId,
      startsAt,
      note: request.note || null,
      createdBy: actor.userId,
    });
    const scope = toScopeDto((await this.repo.findScope(id))!);
    this.audit({
      action: 'compliance.scope_added',
      actor: { userId: actor.userId },
      entity: { type: 'retention_scope', id, name: scope.targetName ?? 'org' },
      context: { kind: scope.kind, targetId, legalHold: scope.legalHold, startsAt: scope.startsAt },
    });
    this.changed();
    return scope;
  }

  async endScope(actor: Actor, id: string): Promise<RetentionScopeDto> {
    requireAdmin(actor);
    const existing = await this.repo.findScope(id);
    if (!existing) throw ComplianceError.scopeNotFound();
    if (await this.repo.endScope(id, actor.userId)) {
      this.audit({
        action: 'compliance.scope_ended',
        actor: { userId: actor.userId },
        entity: { type: 'retention_scope', id, name: existing.target_name ?? 'org' },
        context: { kind: existing.kind, targetId: existing.target_id, legalHold: existing.kind === 'user' },
      });
      this.changed();
    }
    return toScopeDto((await this.repo.findScope(id))!);
  }

  async setPolicy(actor: Actor, request: SetRetentionPolicyRequest): Promise<RetentionPolicyDto> {
    requireAdmin(actor);
    const departmentId = request.departmentId ?? null;
    if (departmentId && !(await this.repo.departmentName(departmentId)))
      throw ComplianceError.scopeInvalid('departmentId', 'no such department');
    const { id, before } = await this.repo.upsertPolicy({
      id: uuidv7(),
      scope: request.scope,
      departmentId,
      days: request.days,
      by: actor.userId,
    });
    const policy = (await this.repo.findPolicy(id))!;
    this.audit({
      action: 'compliance.policy_set',
      actor: { userId: actor.userId },
      entity: { type: 'retention_policy', id, name: policy.department_name ?? 'org' },
      context: { scope: request.scope, departmentId, changes: { days: { before, after: request.days } } },
    });
    return toPolicyDto(policy);
  }

  async removePolicy(actor: Actor, id: string): Promise<void> {
    requireAdmin(actor);
    const removed = await this.repo.deletePolicy(id);
    if (!removed) throw ComplianceError.policyNotFound();
    this.audit({
      action: 'compliance.policy_removed',
      actor: { userId: actor.userId },
      entity: { type: 'retention_policy', id, name: removed.department_name ?? 'org' },
      context: { scope: removed.scope, departmentId: removed.department_id, days: removed.days },
    });
  }

  private changed(): void {
    this.resolver.invalidate();
    this.events.emit(COMPLIANCE_CHANGED_EVENT, {});
  }

  private audit(record: AuditRecord): void {
    this.events.emit(AUDIT_EVENT, record);
  }
}
