import { Injectable } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { bundleFromJson, envelopeToJson, type Mention, MiyuCrypto, toBase64Url } from '@miyu/crypto';
import {
  ErrorCode,
  WEBHOOK_MAX_BODY_BYTES,
  WEBHOOK_RATE_LIMIT_PER_MINUTE,
  type WebhookPostResult,
} from '@miyu/protocol';
import { DataSource } from 'typeorm';
import { DomainError } from '../../common/errors/domain-error.js';
import { SecretBox } from '../../common/security/secret-box.js';
import { uuidv7 } from '../../common/security/uuid.js';
import { AUDIT_EVENT, type AuditRecord } from '../audit/audit.events.js';
import type { Actor, ClientInfo } from '../auth/auth.types.js';
import { requireAdmin } from '../auth/require-admin.js';
import { RetentionResolver } from '../compliance/retention-resolver.js';
import { InboxService } from '../inbox/inbox.service.js';
import { KeysService } from '../keys/keys.service.js';
import { MessagesService } from '../messaging/messages.service.js';
import { CurrentWordPolicy } from '../word-policy/current-policy.js';
import { TextFilterService } from '../word-policy/text-filter.service.js';
import { PgBotCryptoStore } from './bot-crypto-store.js';
import { parseWebhookPayload, type WebhookMessage } from './webhook-payload.js';
import { verifyWebhookSignature } from './webhook-signature.js';
import { WebhookError } from './webhooks.errors.js';
import { WebhooksRepository, type WebhookRow } from './webhooks.repository.js';
import { botActor, secretAad } from './webhooks.service.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface WebhookRequest {
  hookId: string;
  timestamp: string | undefined;
  signature: string | undefined;
  body: Buffer;
  client: ClientInfo;
}

/**
 * `POST /hooks/:id`: checks the signed request, then posts as the hook's bot device exactly as a client would —
 * word filter first, sender-key shares to every member device through the inbox, then the envelope through
 * MessagesService (with the escrow wrap when the conversation is retained). One post per bot at a time, across
 * replicas (a PostgreSQL advisory lock), so its ratchet state never forks.
 */
@Injectable()
export class WebhookDeliveryService {
  /** The tail of each bot's queue of posts in this process. */
  private readonly queues = new Map<string, Promise<void>>();

  constructor(
    private readonly hooks: WebhooksRepository,
    private readonly box: SecretBox,
    private readonly keys: KeysService,
    private readonly inbox: InboxService,
    private readonly messages: MessagesService,
    private readonly retention: RetentionResolver,
    private readonly policy: CurrentWordPolicy,
    private readonly text: TextFilterService,
    private readonly dataSource: DataSource,
    private readonly events: EventEmitter2,
  ) {}

  /** `POST /hooks/:id`: the caller proves it holds the hook's secret (HMAC over timestamp and body). */
  async post(request: WebhookRequest): Promise<WebhookPostResult> {
    const hook = await this.hook(request.hookId);
    const secret = (await this.box.open(hook.secretBox, secretAad(hook.id))).toString('utf8');
    verifyWebhookSignature({
      secret,
      timestamp: request.timestamp,
      signature: request.signature,
      body: request.body,
      nowMs: Date.now(),
    });
    return this.deliver(hook, request.body, request.client, 'signature');
  }

  /**
   * `POST /api/webhooks/:id/messages`: an admin's session or a service token with `bot:post` posts as the hook's
   * bot, the same payload without a signature (the token or session is the proof).
   */
  async postAuthenticated(actor: Actor, hookId: string, body: Buffer, client: ClientInfo): Promise<WebhookPostResult> {
    requireAdmin(actor);
    if (body.length > WEBHOOK_MAX_BODY_BYTES) throw WebhookError.tooLarge();
    return this.deliver(await this.hook(hookId), body, client, 'token');
  }

  private async hook(hookId: string): Promise<WebhookRow> {
    const hook = UUID.test(hookId) ? await this.hooks.find(hookId) : null;
    if (!hook) throw WebhookError.notFound();
    return hook;
  }

  private async deliver(
    hook: WebhookRow,
    raw: Buffer,
    client: ClientInfo,
    via: 'signature' | 'token',
  ): Promise<WebhookPostResult> {
    const message = parseWebhookPayload(raw);
    const rate = await this.hooks.countPost(hook.id);
    if (rate.count > WEBHOOK_RATE_LIMIT_PER_MINUTE) {
      throw WebhookError.rateLimited(Math.max(1, Math.ceil((rate.windowEndsAt.getTime() - Date.now()) / 1000)));
    }
    const body = await this.filter(hook, message.text);
    const content = await this.withMentions(hook, body, message);
    const result = await this.exclusive(hook, () => this.send(hook, content, client));
    await this.hooks.markPosted(hook.id);
    this.audit({
      action: 'webhook.posted',
      actor: { userId: hook.botUserId, deviceId: hook.botDeviceId, ip: client.ip, userAgent: client.userAgent },
      entity: { type: 'webhook', id: hook.id, name: hook.name },
      context: { hookId: hook.id, conversationId: hook.conversationId, seq: result.seq, bytes: raw.length, via },
    });
    return { conversationId: hook.conversationId, seq: result.seq, masked: body !== message.text };
  }

  /** The organisation's word policy on the text the server sees: block refuses (422, with the rule categories). */
  private async filter(hook: WebhookRow, text: string): Promise<string> {
    const { filter } = await this.policy.load();
    const blocked = filter
      ? [
          ...new Set(
            filter
              .scan(text)
              .hits.filter((h) => h.action === 'block')
              .map((h) => h.category),
          ),
        ]
      : [];
    try {
      return await this.text.check(
        text,
        'message',
        { userId: hook.botUserId, deviceId: hook.botDeviceId },
        hook.conversationId,
      );
    } catch (error) {
      if (error instanceof DomainError && error.code === ErrorCode.WORD_FILTER_BLOCKED)
        throw WebhookError.blocked(blocked);
      throw error;
    }
  }

  /** Appends `@Name` for each mentioned member (others are ignored) and records where each is. */
  private async withMentions(
    hook: WebhookRow,
    body: string,
    message: WebhookMessage,
  ): Promise<{ body: string; mentions: Mention[] }> {
    const names = await this.hooks.memberNames(hook.conversationId, [...new Set(message.mentions)]);
    const mentions: Mention[] = [];
    let text = body;
    for (const userId of new Set(message.mentions)) {
      const name = names.get(userId);
      if (!name || userId === hook.botUserId) continue;
      text += mentions.length === 0 ? '\n\n' : ' ';
      mentions.push({ userId, start: text.length, length: name.length + 1 });
      text += `@${name}`;
    }
    return { body: text, mentions };
  }

  private async send(
    hook: WebhookRow,
    content: { body: string; mentions: Mention[] },
    client: ClientInfo,
  ): Promise<{ seq: number }> {
    const actor = botActor(hook);
    const crypto = await MiyuCrypto.create({
      store: new PgBotCryptoStore(this.dataSource, this.box, hook.botDeviceId),
      userId: hook.botUserId,
      deviceId: hook.botDeviceId,
      directory: {
        claimBundles: async (devices) =>
          (
            await this.keys.claim(
              actor,
              devices.map((d) => d.deviceId),
            )
          ).bundles.map((b) => bundleFromJson(b.bundle)),
      },
    });
    const devices = await this.hooks.memberDevices(hook.conversationId, hook.botDeviceId);
    const retention = await this.retention.forConversation(hook.conversationId);
    await crypto.setConversationDevices(hook.conversationId, devices, {
      compliancePublicKey: retention.retained && retention.key ? new Uint8Array(retention.key.encryptionKey) : null,
    });
    const clientMsgId = uuidv7();
    const sent = await crypto.encryptMessage({
      conversationId: hook.conversationId,
      clientMsgId,
      policyVersion: await this.policy.version(),
      content: { type: 'text', body: content.body, mentions: content.mentions, replyTo: null },
    });
    const sender = { userId: hook.botUserId, deviceId: hook.botDeviceId };
    if (sent.keyShares.length > 0) {
      await this.inbox.send(sender, {
        messages: sent.keyShares.map((m) => ({ deviceId: m.recipient.deviceId, payload: toBase64Url(m.ciphertext) })),
      });
    }
    const ack = await this.messages.send(
      { ...sender, ip: client.ip, userAgent: client.userAgent },
      {
        clientMsgId,
        conversationId: hook.conversationId,
        envelope: envelopeToJson(sent.envelope) as unknown as Parameters<MessagesService['send']>[1]['envelope'],
      },
    );
    await this.dropInbox(sender);
    return { seq: ack.seq };
  }

  /** Members' clients share their sessions with the bot's device too; the bot never reads, so it drops them. */
  private async dropInbox(sender: { userId: string; deviceId: string }): Promise<void> {
    const queued = await this.inbox.fetch(sender);
    const last = queued[queued.length - 1];
    if (last) await this.inbox.ack(sender, last.id);
  }

  /**
   * Runs `work` as the only post of this bot: queued in this process first (so waiting posts do not each hold a
   * pooled connection), then under the bot's advisory lock (session-level, on a connection of its own) against
   * other replicas.
   */
  private exclusive<T>(hook: WebhookRow, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(hook.botDeviceId) ?? Promise.resolve();
    const run = previous.then(() => this.locked(hook, work));
    const tail = run.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(hook.botDeviceId, tail);
    void tail.then(() => {
      if (this.queues.get(hook.botDeviceId) === tail) this.queues.delete(hook.botDeviceId);
    });
    return run;
  }

  private async locked<T>(hook: WebhookRow, work: () => Promise<T>): Promise<T> {
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      await runner.query(`SELECT pg_advisory_lock(hashtext($1))`, [`miyu:webhook-bot:${hook.botDeviceId}`]);
      try {
        return await work();
      } finally {
        await runner.query(`SELECT pg_advisory_unlock(hashtext($1))`, [`miyu:webhook-bot:${hook.botDeviceId}`]);
      }
    } finally {
      await runner.release();
    }
  }

  private audit(record: AuditRecord): void {
    this.events.emit(AUDIT_EVENT, record);
  }
}
