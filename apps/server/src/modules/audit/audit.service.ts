import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import {
  type AuditEntry,
  type AuditEntryDto,
  type AuditExportQuery,
  type AuditPage,
  type AuditQuery,
  type UserRole,
} from '@miyu/protocol';
import { merkleLeafHash, utf8Encode } from '@miyu/crypto';
import { ForbiddenError } from '../../common/errors/domain-error.js';
import type { Actor } from '../auth/auth.types.js';
import { AUDIT_EVENT, type AuditRecord } from './audit.events.js';
import { AuditError } from './audit.errors.js';
import { AuditRepository, type StoredEntry } from './audit.repository.js';
import { AuditTree } from './audit-tree.js';
import { AuditWriter } from './audit-writer.js';

/** Who reads the audit log: admins, and auditors (who may read it but administer nothing). */
const READERS: readonly UserRole[] = ['admin', 'auditor'];

/** Reading the audit log: search, entry detail, proofs, checkpoints. Every method checks the reader's role. */
@Injectable()
export class AuditService {
  constructor(
    private readonly repo: AuditRepository,
    private readonly tree: AuditTree,
    private readonly events: EventEmitter2,
    private readonly writer: AuditWriter,
  ) {}

  /** Entries recorded by this process before the request are listed (records wait briefly to be batched). */
  async list(actor: Pick<Actor, 'role'>, query: AuditQuery): Promise<AuditPage> {
    requireReader(actor);
    await this.writer.settled();
    const page = await this.repo.list(query);
    return { items: page.items.map(toDto), total: page.total };
  }

  async get(actor: Pick<Actor, 'role'>, seq: number): Promise<AuditEntryDto> {
    requireReader(actor);
    const entry = await this.repo.entry(seq);
    if (!entry) throw AuditError.notFound();
    return toDto(entry);
  }

  checkpoint(actor: Pick<Actor, 'role'>) {
    requireReader(actor);
    return this.tree.latest();
  }

  inclusion(actor: Pick<Actor, 'role'>, seq: number, size?: number) {
    requireReader(actor);
    return this.tree.inclusion(seq, size);
  }

  consistency(actor: Pick<Actor, 'role'>, from: number, to: number) {
    requireReader(actor);
    return this.tree.consistency(from, to);
  }

  /** Records that an export was made (before it streams): exports are themselves audited. */
  recordExport(actor: { userId: string | null }, query: AuditExportQuery, size: number): void {
    const record: AuditRecord = {
      action: 'audit.exported',
      actor: { userId: actor.userId },
      entity: { type: 'audit_log', id: null, name: null },
      context: { filter: { ...query }, treeSize: size },
    };
    this.events.emit(AUDIT_EVENT, record);
  }
}

export function requireReader(actor: Pick<Actor, 'role'>): void {
  if (!READERS.includes(actor.role)) throw new ForbiddenError();
}

export function toDto(entry: StoredEntry): AuditEntryDto {
  return {
    entry: JSON.parse(entry.canonical) as AuditEntry,
    departmentId: entry.departmentId,
    leafHash: Buffer.from(merkleLeafHash(utf8Encode(entry.canonical))).toString('hex'),
  };
}
