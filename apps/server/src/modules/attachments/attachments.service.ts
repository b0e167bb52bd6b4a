import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { attachmentDigest, ready as cryptoReady } from '@miyu/crypto';
import { type AttachmentDto, type AttachmentLimits, type CreateAttachmentRequest, ErrorCode } from '@miyu/protocol';
import type { Readable } from 'node:stream';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { DomainError } from '../../common/errors/domain-error.js';
import { logger } from '../../common/logging/json-logger.js';
import { uuidv7 } from '../../common/security/uuid.js';
import type { Actor } from '../auth/auth.types.js';
import { AUDIT_EVENT, type AuditRecord } from '../audit/audit.events.js';
import { ConversationsService } from '../messaging/conversations.service.js';
import { BLOB_STORE, type BlobStore } from './blob-store.js';
import { AttachmentsError } from './attachments.errors.js';
import { AttachmentsRepository } from './attachments.repository.js';
import { AttachmentEntity } from './entities/attachment.entity.js';

/** How long one upload request may hold an attachment before another request may take over. */
export const UPLOAD_LEASE_SECONDS = 600;
/** Incomplete uploads older than this are swept (rows and bytes). */
export const INCOMPLETE_UPLOAD_TTL_MS = 24 * 60 * 60 * 1000;
const SWEEP_INTERVAL_MS = 60 * 60 * 1000;

/** Encrypted attachments: resumable upload by the uploader, download by the conversation's members. */
@Injectable()
export class AttachmentsService implements OnModuleInit, OnModuleDestroy {
  private sweepTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly attachments: AttachmentsRepository,
    private readonly conversations: ConversationsService,
    @Inject(BLOB_STORE) private readonly store: BlobStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly events: EventEmitter2,
  ) {}

  async onModuleInit(): Promise<void> {
    await cryptoReady();
    this.sweepTimer = setInterval(() => {
      this.sweepIncomplete().catch((err: unknown) =>
        logger.event('error', 'attachments', 'sweeping incomplete uploads failed', { err }),
      );
    }, SWEEP_INTERVAL_MS).unref();
  }

  onModuleDestroy(): void {
    if (this.sweepTimer) clearInterval(this.sweepTimer);
  }

  limits(): AttachmentLimits {
    return { maxBytes: this.config.attachments.maxBytes };
  }

  async create(actor: Actor, conversationId: string, request: CreateAttachmentRequest): Promise<AttachmentDto> {
    await this.conversations.requireMember(actor, conversationId);
    if (request.size > this.config.attachments.maxBytes)
      throw AttachmentsError.tooLarge(this.config.attachments.maxBytes);
    const attachment = Object.assign(new AttachmentEntity(), {
      id: uuidv7(),
      conversationId,
      uploaderUserId: actor.userId,
      size: String(request.size),
      received: '0',
      digest: request.digest ? Buffer.from(request.digest, 'base64url') : null,
      uploadLease: null,
      uploadLeaseUntil: null,
      createdAt: new Date(),
      completedAt: null,
    });
    await this.attachments.insert(attachment);
    return toAttachmentDto(attachment);
  }

  /** The attachment's state, for members of its conversation (HEAD: where to resume). */
  async status(actor: Actor, id: string): Promise<AttachmentDto> {
    return toAttachmentDto(await this.load(actor, id));
  }

  /**
   * Appends one piece at `offset`, streaming it to the blob store. Only the uploader may write, only at the current
   * offset, never past the declared size. Whatever reached storage before an interruption counts, so the client
   * resumes from the offset HEAD reports. The last piece completes the upload (checking the digest, if declared).
   */
  async append(
    actor: Actor,
    id: string,
    offset: number,
    declaredLength: number | null,
    body: AsyncIterable<Buffer>,
  ): Promise<AttachmentDto> {
    const attachment = await this.load(actor, id);
    if (attachment.uploaderUserId !== actor.userId) throw AttachmentsError.notFound();
    const size = Number(attachment.size);
    const received = Number(attachment.received);
    if (attachment.completedAt || offset !== received) throw AttachmentsError.offsetMismatch(received);
    if (declaredLength !== null && offset + declaredLength > size) throw AttachmentsError.beyondSize(size);

    const lease = uuidv7();
    if (!(await this.attachments.claimLease(id, offset, lease, UPLOAD_LEASE_SECONDS))) {
      const now = await this.attachments.findById(id);
      if (!now || Number(now.received) !== offset || now.completedAt)
        throw AttachmentsError.offsetMismatch(Number(now?.received ?? 0));
      throw AttachmentsError.inProgress();
    }

    let stored = offset;
    let completed = false;
    try {
      try {
        await this.store.write(id, offset, limited(body, size - offset, size));
      } catch (err) {
        if (err instanceof AttachmentsError) {
          await this.store.truncate(id, offset);
          throw err;
        }
        // An interrupted request: keep what reached storage; the client resumes from there.
        stored = Math.min(await this.store.size(id), size);
        if (!isAborted(err)) throw err;
        return toAttachmentDto(Object.assign(attachment, { received: String(stored) }));
      }
      stored = Math.min(await this.store.size(id), size);
      if (stored === size) {
        await this.store.seal(id);
        if (attachment.digest && !(await this.digestMatches(id, attachment.digest))) {
          await this.store.delete(id);
          stored = 0;
          throw AttachmentsError.digestMismatch();
        }
        completed = true;
      }
    } finally {
      await this.attachments.releaseLease(id, lease, stored, completed);
    }
    if (completed)
      this.events.emit(AUDIT_EVENT, {
        action: 'attachment.uploaded',
        entity: { type: 'attachment', id },
        context: { conversationId: attachment.conversationId, size, digest: attachment.digest !== null },
      } satisfies AuditRecord);
    return toAttachmentDto(
      Object.assign(attachment, { received: String(stored), completedAt: completed ? new Date() : null }),
    );
  }

  /** The complete blob for a member of the attachment's conversation. */
  async open(actor: Actor, id: string): Promise<{ size: number; stream: Readable }> {
    const attachment = await this.load(actor, id);
    if (!attachment.completedAt) throw AttachmentsError.incomplete();
    return { size: Number(attachment.size), stream: this.store.read(id) };
  }

  /** Deletes incomplete uploads created before `now - olderThanMs` (rows first, then their bytes). */
  async sweepIncomplete(olderThanMs = INCOMPLETE_UPLOAD_TTL_MS, now = new Date()): Promise<number> {
    let swept = 0;
    for (;;) {
      const ids = await this.attachments.staleIncomplete(new Date(now.getTime() - olderThanMs), 500);
      let deleted = 0;
      for (const id of ids) {
        if (!(await this.attachments.deleteIncomplete(id))) continue; // being written right now: next sweep
        await this.store.delete(id);
        deleted += 1;
      }
      swept += deleted;
      // A full batch of rows that are all being written would come back again: stop instead of spinning.
      if (ids.length < 500 || deleted === 0) break;
    }
    if (swept > 0) logger.event('info', 'attachments', 'swept incomplete uploads', { count: swept });
    return swept;
  }

  private async load(actor: Actor, id: string): Promise<AttachmentEntity> {
    const attachment = await this.attachments.findById(id);
    if (!attachment) throw AttachmentsError.notFound();
    try {
      await this.conversations.requireMember(actor, attachment.conversationId);
    } catch (err) {
      if (err instanceof DomainError && err.code === ErrorCode.CONVERSATION_NOT_FOUND)
        throw AttachmentsError.notFound();
      throw err;
    }
    return attachment;
  }

  private async digestMatches(id: string, expected: Buffer): Promise<boolean> {
    const actual = await attachmentDigest(this.store.read(id));
    return Buffer.from(actual).equals(expected);
  }
}

/** Passes the body through, failing as soon as it goes past `max` bytes (nothing past the size is written). */
async function* limited(body: AsyncIterable<Buffer>, max: number, size: number): AsyncGenerator<Buffer> {
  let seen = 0;
  for await (const chunk of body) {
    seen += chunk.length;
    if (seen > max) throw AttachmentsError.beyondSize(size);
    yield chunk;
  }
}

/** The client went away mid-piece (not a server fault: nothing to log as an error). */
function isAborted(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  return code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || (err as Error | null)?.message === 'aborted';
}

export function toAttachmentDto(a: AttachmentEntity): AttachmentDto {
  return {
    id: a.id,
    conversationId: a.conversationId,
    uploaderUserId: a.uploaderUserId,
    size: Number(a.size),
    offset: Number(a.received),
    complete: a.completedAt !== null,
    digest: a.digest ? a.digest.toString('base64url') : null,
    url: `/api/attachments/${a.id}`,
    createdAt: a.createdAt.toISOString(),
    completedAt: a.completedAt ? a.completedAt.toISOString() : null,
  };
}
