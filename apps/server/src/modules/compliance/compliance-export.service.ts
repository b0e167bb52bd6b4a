import { Inject, Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { decodeEnvelope, envelopeToJson } from '@miyu/crypto';
import type {
  ComplianceExportFilter,
  ExportConversationsResult,
  ExportEscrowSession,
  ExportMessagesPage,
  ExportMessagesQuery,
} from '@miyu/protocol';
import type { Readable } from 'node:stream';
import { ForbiddenError } from '../../common/errors/domain-error.js';
import { AttachmentsError } from '../attachments/attachments.errors.js';
import { BLOB_STORE, type BlobStore } from '../attachments/blob-store.js';
import { AUDIT_EVENT, type AuditRecord } from '../audit/audit.events.js';
import type { Actor } from '../auth/auth.types.js';
import { MessagingError } from '../messaging/messaging.errors.js';
import { ComplianceError } from './compliance.errors.js';
import { ComplianceExportRepository } from './compliance-export.repository.js';

const MAX_FILTER_IDS = 500;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The server's part of a compliance export (auditors only): ciphertext, escrow wraps and attachment bytes of retained
 * conversations, for the offline tool that holds the private key. The server decrypts nothing; each export and each
 * conversation read is audited.
 */
@Injectable()
export class ComplianceExportService {
  constructor(
    private readonly repo: ComplianceExportRepository,
    private readonly events: EventEmitter2,
    @Inject(BLOB_STORE) private readonly blobs: BlobStore,
  ) {}

  async conversations(actor: Actor, filter: ComplianceExportFilter): Promise<ExportConversationsResult> {
    requireAuditor(actor);
    const userIds = idList(filter.users, 'users');
    const conversationIds = idList(filter.conversations, 'conversations');
    const rows = await this.repo.conversations({ userIds, conversationIds });
    const everyone = [...new Set(rows.flatMap((r) => r.members))];
    const people = everyone.length > 0 ? await this.repo.people(everyone) : [];
    this.audit({
      action: 'compliance.export_started',
      actor: { userId: actor.userId },
      entity: { type: 'conversation', id: null, name: null },
      context: {
        from: filter.from ?? null,
        to: filter.to ?? null,
        users: userIds,
        conversations: conversationIds,
        listed: rows.length,
      },
    });
    return {
      conversations: rows.map((r) => ({
        id: r.id,
        kind: r.kind,
        name: r.name,
        createdAt: r.created_at.toISOString(),
        lastSeq: Number(r.last_seq),
        members: r.members,
      })),
      people: people.map((p) => ({
        id: p.id,
        displayName: p.display_name,
        login: p.login,
        employeeNo: p.employee_no,
        email: p.email,
      })),
    };
  }

  async messages(actor: Actor, query: ExportMessagesQuery): Promise<ExportMessagesPage> {
    requireAuditor(actor);
    await this.requireRetained(query.conversationId);
    const rows = await this.repo.messages({
      conversationId: query.conversationId,
      afterSeq: query.afterSeq,
      limit: query.limit,
      from: query.from ? new Date(query.from) : null,
      to: query.to ? new Date(query.to) : null,
    });
    if (query.afterSeq === 0) {
      this.audit({
        action: 'compliance.export_conversation',
        actor: { userId: actor.userId },
        entity: { type: 'conversation', id: query.conversationId, name: null },
        context: { from: query.from ?? null, to: query.to ?? null },
      });
    }
    return {
      messages: rows.map((m) => ({
        seq: Number(m.seq),
        serverTs: m.server_ts.toISOString(),
        senderUserId: m.sender_user_id,
        senderDeviceId: m.sender_device_id,
        envelope: m.envelope
          ? (envelopeToJson(decodeEnvelope(new Uint8Array(m.envelope))) as unknown as Record<string, unknown>)
          : null,
        system: m.system,
        recalledAt: m.recalled_at?.toISOString() ?? null,
        recalledBy: m.recalled_by,
      })),
      nextAfterSeq: rows.length === query.limit ? Number(rows[rows.length - 1]!.seq) : null,
    };
  }

  async sessions(actor: Actor, conversationId: string): Promise<{ sessions: ExportEscrowSession[] }> {
    requireAuditor(actor);
    await this.requireRetained(conversationId);
    const rows = await this.repo.sessions(conversationId);
    return {
      sessions: rows.map((s) => ({
        sessionId: s.session_id.toString('base64url'),
        senderUserId: s.sender_user_id,
        senderDeviceId: s.sender_device_id,
        keyId: s.key_id,
        wrap: s.wrap.toString('base64url'),
        firstSeq: Number(s.first_seq),
      })),
    };
  }

  async attachment(actor: Actor, id: string): Promise<{ size: number; stream: Readable }> {
    requireAuditor(actor);
    const row = await this.repo.attachment(id);
    if (!row || !(await this.repo.isRetained(row.conversation_id))) throw AttachmentsError.notFound();
    if (!row.completed_at) throw AttachmentsError.incomplete();
    return { size: Number(row.size), stream: this.blobs.read(id) };
  }

  private async requireRetained(conversationId: string): Promise<void> {
    if (!(await this.repo.isRetained(conversationId))) throw MessagingError.notFound();
  }

  private audit(record: AuditRecord): void {
    this.events.emit(AUDIT_EVENT, record);
  }
}

function requireAuditor(actor: Pick<Actor, 'role'>): void {
  if (actor.role !== 'auditor') throw new ForbiddenError();
}

/** "id,id,…" → ids (null when absent); anything else is a clear error. */
function idList(value: string | undefined, path: string): string[] | null {
  if (value === undefined || value.trim() === '') return null;
  const ids = value.split(',').map((s) => s.trim());
  if (ids.length > MAX_FILTER_IDS) throw ComplianceError.filterInvalid(path, `at most ${MAX_FILTER_IDS} ids`);
  const bad = ids.find((id) => !UUID.test(id));
  if (bad !== undefined) throw ComplianceError.filterInvalid(path, `not an id: ${bad.slice(0, 40)}`);
  return [...new Set(ids.map((id) => id.toLowerCase()))];
}
