import { createHmac, timingSafeEqual } from 'node:crypto';
import { WEBHOOK_MAX_CLOCK_SKEW_SECONDS } from '@miyu/protocol';
import { WebhookError } from './webhooks.errors.js';

/** `sha256=` + hex HMAC-SHA256 over `timestamp + "." + body`, keyed with the secret's UTF-8 bytes. */
export function webhookSignature(secret: string, timestamp: string, body: Buffer): string {
  const mac = createHmac('sha256', Buffer.from(secret, 'utf8'));
  mac.update(`${timestamp}.`, 'utf8');
  mac.update(body);
  return `sha256=${mac.digest('hex')}`;
}

/**
 * Checks the timestamp (Unix seconds, within ±5 minutes of `nowMs`: older requests are replays) and then the
 * signature, in constant time. Throws WEBHOOK_TIMESTAMP_INVALID or WEBHOOK_SIGNATURE_INVALID.
 */
export function verifyWebhookSignature(input: {
  secret: string;
  timestamp: string | undefined;
  signature: string | undefined;
  body: Buffer;
  nowMs: number;
}): void {
  const { timestamp, signature } = input;
  if (!timestamp) throw WebhookError.timestampInvalid('is missing');
  if (!/^\d{1,12}$/.test(timestamp)) throw WebhookError.timestampInvalid('is not a whole number of seconds');
  const skew = Math.abs(input.nowMs / 1000 - Number(timestamp));
  if (skew > WEBHOOK_MAX_CLOCK_SKEW_SECONDS) throw WebhookError.timestampInvalid('is too old or in the future');
  if (!signature) throw WebhookError.signatureInvalid('the X-Miyu-Signature header is missing');
  if (!/^sha256=[0-9a-fA-F]{64}$/.test(signature))
    throw WebhookError.signatureInvalid('expected sha256=<64 hex digits>');
  const expected = Buffer.from(webhookSignature(input.secret, timestamp, input.body).slice(7), 'hex');
  const given = Buffer.from(signature.slice(7), 'hex');
  if (!timingSafeEqual(expected, given)) throw WebhookError.signatureInvalid('it does not match the body');
}
