import {
  WEBHOOK_MAX_TEXT_LENGTH,
  webhookMiyuPayloadSchema,
  webhookSlackPayloadSchema,
  type WebhookSlackPayload,
} from '@miyu/protocol';
import type { z } from 'zod';
import { WebhookError } from './webhooks.errors.js';

/** What a payload asks to post: the message text and the members to mention (user ids, not yet checked). */
export interface WebhookMessage {
  text: string;
  mentions: string[];
}

/**
 * Reads a webhook body: the Miyu shape (`text`, optional `title`, `link`, `mentions`, `markdown`) or the Slack
 * subset (`text` and/or `blocks`, of which `header`, `section` and `context` text is taken). Anything else, or
 * malformed JSON, is WEBHOOK_PAYLOAD_INVALID.
 */
export function parseWebhookPayload(body: Buffer): WebhookMessage {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch {
    throw WebhookError.payloadInvalid('(root)', 'the body is not valid JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json))
    throw WebhookError.payloadInvalid('(root)', 'expected a JSON object');
  const message = 'blocks' in json ? fromSlack(parse(webhookSlackPayloadSchema, json)) : fromMiyu(json);
  if (!message.text.trim()) throw WebhookError.payloadInvalid('text', 'there is no text to post');
  if (message.text.length > WEBHOOK_MAX_TEXT_LENGTH)
    throw WebhookError.payloadInvalid('text', `the text is longer than ${WEBHOOK_MAX_TEXT_LENGTH} characters`);
  return message;
}

function parse<S extends z.ZodType>(schema: S, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw WebhookError.payloadInvalid(issue.path.map(String).join('.') || '(root)', issue.message);
}

function fromMiyu(json: object): WebhookMessage {
  const p = parse(webhookMiyuPayloadSchema, json);
  const parts = [p.title ? (p.markdown === false ? p.title : `**${p.title}**`) : null, p.text, p.link ?? null];
  return { text: parts.filter((s): s is string => s !== null).join('\n\n'), mentions: p.mentions ?? [] };
}

function fromSlack(p: WebhookSlackPayload): WebhookMessage {
  const parts: string[] = [];
  for (const block of p.blocks) {
    if (block.type !== 'section' && block.type !== 'header' && block.type !== 'context') continue;
    if (block.text?.text) parts.push(block.type === 'header' ? `**${block.text.text}**` : block.text.text);
    for (const field of block.fields ?? []) if (field.text) parts.push(field.text);
  }
  // Slack shows `text` only as the notification fallback when there are blocks; Miyu has no such fallback,
  // so it is shown first unless the blocks already say the same.
  if (p.text && !parts.includes(p.text)) parts.unshift(p.text);
  return { text: parts.join('\n\n'), mentions: [] };
}
