import { createHmac } from 'node:crypto';
import { isErrorCode } from '@miyu/protocol';
import { DomainError } from '../../common/errors/domain-error.js';
import { verifyWebhookSignature, webhookSignature } from './webhook-signature.js';

const secret = 'whsec_test';
const body = Buffer.from('{"text":"hi"}');
const nowMs = 1_800_000_000_000;
const ts = String(nowMs / 1000);

function codeOf(fn: () => void): string | null {
  try {
    fn();
    return null;
  } catch (error) {
    return error instanceof DomainError && isErrorCode(error.code) ? error.code : 'not a domain error';
  }
}

describe('webhook signatures', () => {
  it('is sha256= and the hex HMAC-SHA256 of "timestamp.body" keyed with the secret', () => {
    const expected = createHmac('sha256', secret).update(`${ts}.{"text":"hi"}`).digest('hex');
    expect(webhookSignature(secret, ts, body)).toBe(`sha256=${expected}`);
  });

  it('accepts a fresh, correctly signed request (hex in either case), within 5 minutes either way', () => {
    for (const at of [nowMs, nowMs - 300_000, nowMs + 300_000]) {
      expect(
        codeOf(() =>
          verifyWebhookSignature({
            secret,
            timestamp: ts,
            signature: webhookSignature(secret, ts, body),
            body,
            nowMs: at,
          }),
        ),
      ).toBeNull();
    }
    const upper = `sha256=${webhookSignature(secret, ts, body).slice(7).toUpperCase()}`;
    expect(codeOf(() => verifyWebhookSignature({ secret, timestamp: ts, signature: upper, body, nowMs }))).toBeNull();
  });

  it('refuses stale, future, malformed or missing timestamps before looking at the signature', () => {
    const sig = webhookSignature(secret, ts, body);
    for (const [timestamp, at] of [
      [ts, nowMs + 301_000],
      [ts, nowMs - 301_000],
      [undefined, nowMs],
      ['', nowMs],
      ['1.5', nowMs],
      ['-1', nowMs],
      [String(nowMs), nowMs],
    ] as const) {
      expect([
        timestamp,
        codeOf(() => verifyWebhookSignature({ secret, timestamp, signature: sig, body, nowMs: at })),
      ]).toEqual([timestamp, 'WEBHOOK_TIMESTAMP_INVALID']);
    }
  });

  it('refuses a wrong key, a changed body or timestamp, and malformed signatures', () => {
    const good = webhookSignature(secret, ts, body);
    const cases: Array<[string | undefined, Buffer, string]> = [
      [webhookSignature('whsec_other', ts, body), body, 'wrong key'],
      [good, Buffer.from('{"text":"hi!"}'), 'changed body'],
      [webhookSignature(secret, String(Number(ts) - 1), body), body, 'other timestamp'],
      [good.slice(7), body, 'no prefix'],
      [`sha1=${good.slice(7)}`, body, 'other algorithm'],
      [good.slice(0, -2), body, 'short'],
      [undefined, body, 'missing'],
    ];
    for (const [signature, b, what] of cases) {
      expect([
        what,
        codeOf(() => verifyWebhookSignature({ secret, timestamp: ts, signature, body: b, nowMs })),
      ]).toEqual([what, 'WEBHOOK_SIGNATURE_INVALID']);
    }
  });
});
