import { DomainError } from '../../common/errors/domain-error.js';
import { parseWebhookPayload } from './webhook-payload.js';

const parse = (value: unknown) =>
  parseWebhookPayload(Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)));

function refusal(value: unknown): string | null {
  try {
    parse(value);
    return null;
  } catch (error) {
    return error instanceof DomainError ? error.code : 'not a domain error';
  }
}

describe('webhook payloads', () => {
  it('reads the Miyu shape: text, title, link, mentions', () => {
    expect(parse({ text: 'hello' })).toEqual({ text: 'hello', mentions: [] });
    const id = '0192f0c4-0000-7000-8000-000000000001';
    expect(parse({ title: 'T', text: 'body', link: 'https://x.example/1', mentions: [id] })).toEqual({
      text: '**T**\n\nbody\n\nhttps://x.example/1',
      mentions: [id],
    });
    expect(parse({ title: 'T', text: 'b', markdown: false }).text).toBe('T\n\nb');
  });

  it('reads the Slack subset: text first, then header/section/context text and fields', () => {
    expect(
      parse({
        text: 'fallback',
        blocks: [
          { type: 'header', text: { type: 'plain_text', text: 'H' } },
          { type: 'divider' },
          { type: 'section', text: { type: 'mrkdwn', text: '*s*' }, fields: [{ type: 'mrkdwn', text: 'f1' }] },
          { type: 'actions', elements: [] },
        ],
      }).text,
    ).toBe('fallback\n\n**H**\n\n*s*\n\nf1');
    expect(parse({ blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'only' } }] }).text).toBe('only');
  });

  it('refuses malformed JSON and unsupported shapes with WEBHOOK_PAYLOAD_INVALID', () => {
    for (const bad of [
      '{',
      '"text"',
      '[]',
      'null',
      {},
      { text: '' },
      { text: 5 },
      { text: 'x', extra: true },
      { text: 'x', link: 'javascript:alert(1)' },
      { text: 'x', mentions: ['bob'] },
      { text: 'x'.repeat(16_001) },
      { blocks: [] },
      { blocks: [{ type: 'divider' }] },
      { blocks: [{ type: 'section', text: { type: 'html', text: 'x' } }] },
    ]) {
      expect([bad, refusal(bad)]).toEqual([bad, 'WEBHOOK_PAYLOAD_INVALID']);
    }
  });
});
