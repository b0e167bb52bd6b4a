import { z } from 'zod';
import { singleLine } from './common.js';

/**
 * Incoming webhooks (docs/integrations.md "Incoming webhooks"). Another system posts into a group conversation with
 * `POST /hooks/:id`, signed with the hook's secret. The server encrypts the message to the members' devices as the
 * hook's bot (a bot user with its own device): the text is seen by the server, so clients mark it as "sent by an
 * integration, not end-to-end from its origin".
 */

/** Largest accepted request body of `POST /hooks/:id`, in bytes. */
export const WEBHOOK_MAX_BODY_BYTES = 64 * 1024;
/** A signed request is accepted only within this many seconds of its `X-Miyu-Timestamp` (either way). */
export const WEBHOOK_MAX_CLOCK_SKEW_SECONDS = 300;
/** Posts accepted per hook per minute. */
export const WEBHOOK_RATE_LIMIT_PER_MINUTE = 100;
export const WEBHOOK_TIMESTAMP_HEADER = 'x-miyu-timestamp';
export const WEBHOOK_SIGNATURE_HEADER = 'x-miyu-signature';
/** Longest text a hook may post (after title, text, blocks and link are put together). */
export const WEBHOOK_MAX_TEXT_LENGTH = 16_000;

export const createWebhookSchema = z.strictObject({
  name: singleLine(1, 64),
  /** An https (or site-relative) image URL shown as the bot's avatar. */
  avatarUrl: z
    .string()
    .max(1000)
    .regex(/^(https:\/\/|\/)[^\s]*$/, 'must be an https:// or site-relative URL')
    .nullable()
    .optional(),
});
export type CreateWebhookRequest = z.infer<typeof createWebhookSchema>;

export interface WebhookDto {
  id: string;
  conversationId: string;
  name: string;
  avatarUrl: string | null;
  /** The bot user the hook posts as (`bot: true` on its user record). */
  botUserId: string;
  createdBy: string | null;
  createdAt: string;
  /** Path to post to (relative to the server's origin). */
  url: string;
  lastPostedAt: string | null;
}

/** Returned on creation and on rotation: the secret is shown this once. */
export interface CreatedWebhook extends WebhookDto {
  secret: string;
}

const mentionsSchema = z.array(z.uuid()).max(50);

/**
 * The Miyu shape: `text` (plain or a Markdown subset: **bold**, *italic*, `code`, [label](url), lists), an optional
 * `title` shown first, a `link` shown last, and `mentions` (user ids of members) appended as @names.
 */
export const webhookMiyuPayloadSchema = z.strictObject({
  text: z.string().min(1).max(WEBHOOK_MAX_TEXT_LENGTH),
  markdown: z.boolean().optional(),
  title: singleLine(1, 200).optional(),
  link: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .optional(),
  mentions: mentionsSchema.optional(),
});

/** The subset of Slack's incoming-webhook shape Miyu reads: `text`, and `section` blocks' `text.text`. */
const slackTextObject = z.looseObject({ type: z.enum(['mrkdwn', 'plain_text']), text: z.string().max(3000) });
const slackBlock = z.looseObject({
  type: z.string().max(50),
  text: slackTextObject.optional(),
  fields: z.array(slackTextObject).max(10).optional(),
});
export const webhookSlackPayloadSchema = z.looseObject({
  text: z.string().max(WEBHOOK_MAX_TEXT_LENGTH).optional(),
  blocks: z.array(slackBlock).min(1).max(50),
});

export type WebhookMiyuPayload = z.infer<typeof webhookMiyuPayloadSchema>;
export type WebhookSlackPayload = z.infer<typeof webhookSlackPayloadSchema>;

export interface WebhookPostResult {
  conversationId: string;
  seq: number;
  /** True when the word filter masked part of the text. */
  masked: boolean;
}

/** A bot that is or was in a conversation: clients badge its messages ("sent by an integration"). */
export const conversationBotSchema = z.object({
  userId: z.uuid(),
  name: z.string(),
  avatarUrl: z.string().nullable(),
});
export const conversationBotsSchema = z.object({ bots: z.array(conversationBotSchema) });
export type ConversationBots = z.infer<typeof conversationBotsSchema>;
