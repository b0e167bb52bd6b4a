import { Injectable } from '@nestjs/common';
import type { ComplianceNotice, ConversationRetention } from '@miyu/protocol';
import { DataSource } from 'typeorm';
import type { Actor } from '../auth/auth.types.js';
import { MessagingError } from '../messaging/messaging.errors.js';
import { ComplianceRepository } from './compliance.repository.js';
import { RetentionResolver } from './retention-resolver.js';

/**
 * What every member sees of compliance (visibility is the point): the org's name and listed keys, who is under legal
 * hold, and whether a conversation is retained — the same answer the send path enforces.
 */
@Injectable()
export class ComplianceNoticeService {
  constructor(
    private readonly repo: ComplianceRepository,
    private readonly resolver: RetentionResolver,
    private readonly dataSource: DataSource,
  ) {}

  async notice(): Promise<ComplianceNotice> {
    const [organisationName, keys, heldUserIds] = await Promise.all([
      this.repo.organisationName(),
      this.repo.publicKeys(),
      this.repo.heldUserIds(),
    ]);
    return {
      organisationName,
      keys: keys.map((k) => ({
        id: k.id,
        encryptionKey: k.encryption_key.toString('base64url'),
        fingerprint: k.fingerprint,
        active: k.retired_at === null,
      })),
      heldUserIds,
    };
  }

  /** Members only (others get CONVERSATION_NOT_FOUND, as for every conversation read). */
  async forConversation(actor: Pick<Actor, 'userId'>, conversationId: string): Promise<ConversationRetention> {
    const members = (await this.dataSource.query(
      `SELECT user_id FROM conversation_members WHERE conversation_id = $1 AND left_at IS NULL`,
      [conversationId],
    )) as Array<{ user_id: string }>;
    if (!members.some((m) => m.user_id === actor.userId)) throw MessagingError.notFound();
    const [state, organisationName, held] = await Promise.all([
      this.resolver.forConversation(conversationId),
      this.repo.organisationName(),
      this.repo.heldUserIds(),
    ]);
    const heldSet = new Set(held);
    return {
      conversationId,
      retained: state.retained,
      since: state.since?.toISOString() ?? null,
      keyId: state.retained ? (state.key?.id ?? null) : null,
      encryptionKey: state.retained ? (state.key?.encryptionKey.toString('base64url') ?? null) : null,
      organisationName,
      heldUserIds: members.map((m) => m.user_id).filter((id) => heldSet.has(id)),
    };
  }
}
