import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { bundleToJson, MiyuCrypto } from '@miyu/crypto';
import type { ConversationBots, CreatedWebhook, CreateWebhookRequest, WebhookDto } from '@miyu/protocol';
import { DataSource } from 'typeorm';
import { ForbiddenError } from '../../common/errors/domain-error.js';
import { PasswordHasher } from '../../common/security/password-hasher.js';
import { SecretBox } from '../../common/security/secret-box.js';
import { randomToken } from '../../common/security/tokens.js';
import { uuidv7 } from '../../common/security/uuid.js';
import { AUDIT_EVENT, type AuditRecord } from '../audit/audit.events.js';
import type { Actor } from '../auth/auth.types.js';
import { KeysService } from '../keys/keys.service.js';
import { ConversationsService } from '../messaging/conversations.service.js';
import { MessagingError } from '../messaging/messaging.errors.js';
import { TextFilterService } from '../word-policy/text-filter.service.js';
import { PgBotCryptoStore } from './bot-crypto-store.js';
import { WebhookError } from './webhooks.errors.js';
import { WebhooksRepository, type WebhookRow } from './webhooks.repository.js';

/** The actor a hook's bot acts as inside the server (it has no session). */
export function botActor(row: Pick<WebhookRow, 'id' | 'botUserId'>): Actor {
  return { userId: row.botUserId, role: 'member', sessionId: `webhook:${row.id}` };
}

export function secretAad(hookId: string): string {
  return `webhook-secret:${hookId}`;
}

/**
 * Creating, listing, rotating and deleting a group's incoming webhooks (its owner and admins, or an org admin who
 * is in it). Each hook gets a bot user — a member of the group — with one device whose keys the server holds.
 */
@Injectable()
export class WebhooksService {
  constructor(
    private readonly hooks: WebhooksRepository,
    private readonly conversations: ConversationsService,
    private readonly keys: KeysService,
    private readonly text: TextFilterService,
    private readonly hasher: PasswordHasher,
    private readonly box: SecretBox,
    private readonly dataSource: DataSource,
    private readonly events: EventEmitter2,
  ) {}

  async list(actor: Actor, conversationId: string): Promise<WebhookDto[]> {
    await this.requireManager(actor, conversationId);
    return (await this.hooks.listFor(conversationId)).map(toWebhookDto);
  }

  /** Any member may ask which senders of a conversation are bots (to badge their messages). */
  async bots(actor: Actor, conversationId: string): Promise<ConversationBots> {
    await this.conversations.requireMember(actor, conversationId);
    return { bots: await this.hooks.botsOf(conversationId) };
  }

  async create(actor: Actor, conversationId: string, request: CreateWebhookRequest): Promise<CreatedWebhook> {
    const { conversation } = await this.requireManager(actor, conversationId);
    const name = await this.text.check(request.name, 'display_name', actor);
    const id = uuidv7();
    const botUserId = uuidv7();
    const botDeviceId = uuidv7();
    const secret = newSecret();
    // Nobody knows this password: the bot cannot sign in.
    const passwordHash = await this.hasher.hash(randomToken());
    await this.hooks.transaction((manager) =>
      this.hooks.insertBotUser(
        { id: botUserId, login: `bot.${id.replaceAll('-', '')}`, displayName: name, passwordHash },
        manager,
      ),
    );
    const row = { id, botUserId, botDeviceId };
    try {
      const crypto = await MiyuCrypto.create({
        store: new PgBotCryptoStore(this.dataSource, this.box, botDeviceId),
        userId: botUserId,
        deviceId: botDeviceId,
        directory: { claimBundles: async () => [] },
      });
      const bundle = await crypto.createPrekeyBundle(0);
      await this.keys.register(botActor(row), { name: `Webhook: ${name}`, bundle: bundleToJson(bundle) });
      const secretBox = await this.box.seal(Buffer.from(secret, 'utf8'), secretAad(id));
      await this.hooks.transaction((manager) =>
        this.hooks.insert(
          {
            id,
            conversationId,
            name,
            avatarUrl: request.avatarUrl ?? null,
            botUserId,
            botDeviceId,
            secretBox,
            createdBy: actor.userId,
          },
          manager,
        ),
      );
      await this.conversations.addMembers(actor, conversationId, [botUserId]);
    } catch (error) {
      await this.hooks.deleteBotUser(botUserId, botDeviceId);
      throw error;
    }
    this.audit({
      action: 'webhook.created',
      entity: { type: 'webhook', id, name },
      context: { conversationId, conversationName: conversation.name, botUserId },
    });
    const created = await this.hooks.find(id);
    return { ...toWebhookDto(created!), secret };
  }

  async rotateSecret(actor: Actor, conversationId: string, hookId: string): Promise<CreatedWebhook> {
    const row = await this.requireHook(actor, conversationId, hookId);
    const secret = newSecret();
    await this.hooks.setSecret(row.id, await this.box.seal(Buffer.from(secret, 'utf8'), secretAad(row.id)));
    this.audit({
      action: 'webhook.secret_rotated',
      entity: { type: 'webhook', id: row.id, name: row.name },
      context: { conversationId },
    });
    return { ...toWebhookDto(row), secret };
  }

  async delete(actor: Actor, conversationId: string, hookId: string): Promise<void> {
    const row = await this.requireHook(actor, conversationId, hookId);
    await this.conversations.removeMember(actor, conversationId, row.botUserId);
    await this.keys.revokeDevices(row.botUserId, 'removed_by_admin');
    await this.hooks.delete(row);
    this.audit({
      action: 'webhook.deleted',
      entity: { type: 'webhook', id: row.id, name: row.name },
      context: { conversationId, botUserId: row.botUserId },
    });
  }

  private async requireHook(actor: Actor, conversationId: string, hookId: string): Promise<WebhookRow> {
    await this.requireManager(actor, conversationId);
    const row = await this.hooks.find(hookId);
    if (!row || row.conversationId !== conversationId) throw WebhookError.notFound();
    return row;
  }

  /** Group owners and admins manage hooks; an org admin may too, when in the group. */
  private async requireManager(actor: Actor, conversationId: string) {
    const found = await this.conversations.requireMember(actor, conversationId);
    if (found.conversation.kind !== 'group') throw MessagingError.managed();
    if (found.membership.role === 'member' && actor.role !== 'admin') throw new ForbiddenError();
    return found;
  }

  private audit(record: AuditRecord): void {
    this.events.emit(AUDIT_EVENT, record);
  }
}

function newSecret(): string {
  return `whsec_${randomToken(32)}`;
}

export function toWebhookDto(row: WebhookRow): WebhookDto {
  return {
    id: row.id,
    conversationId: row.conversationId,
    name: row.name,
    avatarUrl: row.avatarUrl,
    botUserId: row.botUserId,
    createdBy: row.createdBy,
    createdAt: new Date(row.createdAt).toISOString(),
    url: `/hooks/${row.id}`,
    lastPostedAt: row.lastPostedAt ? new Date(row.lastPostedAt).toISOString() : null,
  };
}
