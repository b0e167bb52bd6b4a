import { utf8Encode } from './bytes.js';
import { type MessageContent, decodeContent, encodeContent } from './content.js';
import { MAX_PADDED_LENGTH, isBucketLength, pad, paddedLength, unpad } from './padding.js';
import { ready } from './sodium.js';
import { expectCryptoError } from '../test/helpers.js';

beforeAll(async () => {
  await ready();
});

const ref = { clientMsgId: '0190f5c2-7d6e-7000-8000-000000000001', senderUserId: 'u1' };

describe('content union', () => {
  const samples: MessageContent[] = [
    { type: 'text', body: '你好 @bob', mentions: [{ userId: 'bob', start: 3, length: 4 }], replyTo: ref },
    { type: 'reaction', target: ref, emoji: '👍', remove: false },
    { type: 'edit', target: ref, body: 'fixed', mentions: [] },
    { type: 'recall', target: ref },
    {
      type: 'attachment',
      attachments: [
        {
          blobId: 'blob-1',
          name: '报告.pdf',
          mimeType: 'application/pdf',
          size: 1234,
          chunkSize: 65536,
          key: new Uint8Array(32).fill(1),
          digest: new Uint8Array(32).fill(2),
        },
      ],
      caption: null,
      replyTo: null,
    },
    { type: 'system', notice: 'retention-enabled', userIds: ['admin'], text: null },
  ];

  it.each(samples.map((s) => [s.type, s]))('round-trips %s', (_type, content) => {
    expect(decodeContent(encodeContent(content as MessageContent))).toEqual(content);
  });

  it('decodes an unknown type as unsupported (evolution) and refuses another version', () => {
    expect(decodeContent(utf8Encode('{"v":1,"type":"poll","question":"?"}'))).toEqual({
      type: 'unsupported',
      originalType: 'poll',
    });
    expectCryptoError(
      () => decodeContent(utf8Encode('{"v":2,"type":"text","body":"","mentions":[],"replyTo":null}')),
      'UNSUPPORTED_VERSION',
    );
  });

  it('rejects malformed fields with MALFORMED', () => {
    const bad = [
      '{"v":1,"type":"text","body":"hi","mentions":[{"userId":"x","start":1,"length":5}],"replyTo":null}',
      '{"v":1,"type":"text","body":5,"mentions":[],"replyTo":null}',
      '{"v":1,"type":"reaction","target":{"clientMsgId":"a b","senderUserId":"u"},"emoji":"x","remove":false}',
      '{"v":1,"type":"attachment","attachments":[],"caption":null,"replyTo":null}',
      '{"v":1,"type":"system","notice":"Bad Notice","userIds":[],"text":null}',
      '{"v":1}',
      '[1,2]',
      'not json',
    ];
    for (const json of bad) expectCryptoError(() => decodeContent(utf8Encode(json)), 'MALFORMED');
    expectCryptoError(
      () => encodeContent({ type: 'text', body: 'x'.repeat(40_000), mentions: [], replyTo: null }),
      'INVALID_ARGUMENT',
    );
  });
});

describe('padding', () => {
  it('uses 64-byte minimum, powers of two, then 16 KiB steps', () => {
    expect([0, 1, 63, 64, 127, 128, 1000, 16383, 16384, 40_000].map(paddedLength)).toEqual([
      64, 64, 64, 128, 128, 256, 1024, 16384, 32768, 49152,
    ]);
    expect(isBucketLength(96)).toBe(false);
    expectCryptoError(() => paddedLength(MAX_PADDED_LENGTH), 'INVALID_ARGUMENT');
  });

  it('round-trips and unpads strictly', () => {
    for (const n of [0, 1, 63, 64, 500, 20_000]) {
      const data = new Uint8Array(n).fill(0x80);
      expect(unpad(pad(data))).toEqual(data);
    }
    const p = pad(new Uint8Array([1, 2, 3]));
    const noMarker = p.slice();
    noMarker[3] = 0;
    expectCryptoError(() => unpad(noMarker), 'MALFORMED');
    const junk = p.slice();
    junk[63] = 1;
    expectCryptoError(() => unpad(junk), 'MALFORMED');
    // Content of 100 bytes padded into 256 instead of its 128 bucket: refused.
    const overPadded = new Uint8Array(256);
    overPadded[100] = 0x80;
    expectCryptoError(() => unpad(overPadded), 'MALFORMED');
  });
});
