import fc from 'fast-check';
import { toBase64Url } from './bytes.js';
import { decodeContent, encodeContent } from './content.js';
import { decodeEnvelope, encodeEnvelope, envelopeToJson, parseEnvelope, safeParseEnvelope } from './envelope.js';
import { CryptoError } from './errors.js';
import { escrowUnwrap, escrowWrap } from './escrow.js';
import { encryptGroupMessage } from './group.js';
import { decryptSessionBackup, encryptSessionBackup, generateHistoryKey } from './history.js';
import {
  decodeBundle,
  decodeDeviceIdentity,
  decodeDeviceKeys,
  encodeBundle,
  encodeDeviceIdentity,
  encodeDeviceKeys,
  generateDeviceKeys,
  generateOneTimePrekeys,
  publicBundle,
  verifyBundle,
  verifyDeviceIdentity,
} from './keys.js';
import { unpad } from './padding.js';
import { DevicePairing } from './pairing.js';
import { createInboundPairwiseSession, createOutboundPairwiseSession } from './pairwise.js';
import { x25519, x25519GenerateKeyPair } from './primitives.js';
import {
  decodePairwiseMessage,
  decodeRatchetSession,
  encodeRatchetSession,
  ratchetDecrypt,
  ratchetEncrypt,
} from './ratchet.js';
import { unwrapHistoryKey, wrapHistoryKey } from './recovery.js';
import {
  createOutboundSenderKey,
  decodeInboundSenderKey,
  decodeOutboundSenderKey,
  decodeSenderKeyExport,
  encodeInboundSenderKey,
  encodeOutboundSenderKey,
  encodeSenderKeyExport,
  exportOutboundSenderKey,
  importSenderKey,
} from './sender-keys.js';
import { ready } from './sodium.js';
import { decodeToDevicePayload, encodeToDevicePayload } from './to-device.js';
import { expectCryptoError } from '../test/helpers.js';

beforeAll(async () => {
  await ready();
});

/** Runs fn; a CryptoError or a return is fine, any other exception fails the test. */
function typedOnly(fn: () => unknown): void {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof CryptoError)) throw new Error(`raw exception escaped: ${String(error)}`, { cause: error });
  }
}

interface Decoder {
  name: string;
  valid: () => Uint8Array;
  decode: (bytes: Uint8Array) => unknown;
}

function decoders(): Decoder[] {
  const keys = generateOneTimePrekeys(generateDeviceKeys({ userId: 'u', deviceId: 'd' }), 2);
  const bundle = publicBundle(keys.keys, keys.prekeys);
  const peer = generateDeviceKeys({ userId: 'p', deviceId: 'q' });
  const pairwise = createOutboundPairwiseSession(peer, publicBundle(keys.keys, [keys.prekeys[0]!]));
  const pairwiseMessage = ratchetEncrypt(pairwise, new Uint8Array([1, 2, 3])).message;
  const out = createOutboundSenderKey({ conversationId: 'c', senderUserId: 'u', senderDeviceId: 'd', epoch: 2 });
  const exported = exportOutboundSenderKey(out);
  const envelope = encryptGroupMessage(out, {
    clientMsgId: 'm',
    policyVersion: 1,
    content: { type: 'recall', target: { clientMsgId: 'x', senderUserId: 'u' } },
  }).envelope;
  const hk = generateHistoryKey();
  const compliance = x25519GenerateKeyPair();
  const wrap = escrowWrap(
    { sessionId: out.sessionId, chainKey: out.chainKey, signingKey: out.signing.publicKey },
    compliance.publicKey,
  );
  const recoveryKey = generateHistoryKey();
  const pairingOffer = DevicePairing.initiate({ mode: 'sas', self: { userId: 'u', deviceId: 'd' } }).message;
  return [
    { name: 'bundle', valid: () => encodeBundle(bundle), decode: (b) => verifyBundle(decodeBundle(b)) },
    {
      name: 'device identity',
      valid: () => encodeDeviceIdentity(keys.keys.identity),
      decode: (b) => verifyDeviceIdentity(decodeDeviceIdentity(b)),
    },
    { name: 'device keys record', valid: () => encodeDeviceKeys(keys.keys), decode: decodeDeviceKeys },
    {
      name: 'pairwise message',
      valid: () => pairwiseMessage,
      // The ciphertext runs to the end of the message, so length errors surface at authentication.
      decode: (b) => {
        const m = decodePairwiseMessage(b);
        if (!m.preamble) throw new CryptoError('MALFORMED', 'expected a prekey message');
        return ratchetDecrypt(createInboundPairwiseSession(keys.keys, m.preamble, keys.prekeys[0]!), m);
      },
    },
    { name: 'ratchet session record', valid: () => encodeRatchetSession(pairwise), decode: decodeRatchetSession },
    { name: 'envelope', valid: () => encodeEnvelope(envelope), decode: decodeEnvelope },
    {
      name: 'sender key export',
      valid: () => encodeSenderKeyExport(exported),
      decode: (b) => importSenderKey(decodeSenderKeyExport(b)),
    },
    { name: 'outbound sender key record', valid: () => encodeOutboundSenderKey(out), decode: decodeOutboundSenderKey },
    {
      name: 'inbound sender key record',
      valid: () => encodeInboundSenderKey(importSenderKey(exported)),
      decode: decodeInboundSenderKey,
    },
    {
      name: 'to-device payload',
      valid: () => encodeToDevicePayload({ type: 'sender-key', session: exported }),
      decode: decodeToDevicePayload,
    },
    {
      name: 'to-device key request',
      valid: () =>
        encodeToDevicePayload({
          type: 'key-request',
          request: {
            conversationId: 'c',
            sessionId: exported.sessionId,
            senderUserId: 'u',
            senderDeviceId: 'd',
            fromIndex: 7,
          },
        }),
      decode: decodeToDevicePayload,
    },
    {
      name: 'content',
      valid: () =>
        encodeContent({ type: 'text', body: 'hi @x', mentions: [{ userId: 'x', start: 3, length: 2 }], replyTo: null }),
      decode: decodeContent,
    },
    {
      name: 'backup item',
      valid: () => encryptSessionBackup(hk, exported).blob,
      decode: (b) => decryptSessionBackup(hk, b),
    },
    { name: 'escrow wrap', valid: () => wrap, decode: (b) => escrowUnwrap(b, compliance) },
    {
      name: 'recovery wrap',
      valid: () => wrapHistoryKey(hk, { recoveryKey }),
      decode: (b) => unwrapHistoryKey(b, { recoveryKey }),
    },
    {
      name: 'pairing offer',
      valid: () => pairingOffer,
      decode: (b) => DevicePairing.respond({ self: { userId: 'u', deviceId: 'e' }, first: b }),
    },
    {
      name: 'padding',
      valid: () => new Uint8Array(64).fill(0).map((_, i) => (i === 10 ? 0x80 : i < 10 ? 7 : 0)),
      decode: unpad,
    },
  ];
}

describe('bad input: every decoder answers with a typed error', () => {
  let all: Decoder[];
  beforeAll(() => {
    all = decoders();
  });

  it('valid encodings decode', () => {
    for (const d of all) expect([d.name, (() => (d.decode(d.valid()), 'ok'))()]).toEqual([d.name, 'ok']);
  });

  it('every truncation is rejected with a CryptoError', () => {
    for (const d of all) {
      const bytes = d.valid();
      for (let length = 0; length < bytes.length; length += 1) {
        let outcome = 'accepted';
        try {
          d.decode(bytes.slice(0, length));
        } catch (error) {
          outcome = error instanceof CryptoError ? 'typed' : String(error);
        }
        expect([d.name, length, outcome]).toEqual([d.name, length, 'typed']);
      }
    }
  });

  it('trailing bytes (oversized input) are rejected', () => {
    for (const d of all) {
      if (d.name === 'content') continue; // JSON allows trailing whitespace; checked below
      let outcome = 'accepted';
      try {
        d.decode(new Uint8Array([...d.valid(), 0]));
      } catch (error) {
        outcome = error instanceof CryptoError ? 'typed' : String(error);
      }
      expect([d.name, outcome]).toEqual([d.name, 'typed']);
    }
    expectCryptoError(
      () => decodeContent(new Uint8Array([...all.find((d) => d.name === 'content')!.valid(), 0x20, 0x7b])),
      'MALFORMED',
    );
  });

  it('wrong versions are UNSUPPORTED_VERSION', () => {
    for (const d of all) {
      if (['content', 'padding', 'device identity'].includes(d.name)) continue;
      const bytes = d.valid();
      bytes[0] = 0x7f;
      const error = expectCryptoError(() => d.decode(bytes));
      // Authenticated blobs may report the version or fail authentication first; both are typed.
      expect(['UNSUPPORTED_VERSION', 'DECRYPT_FAILED', 'PAIRING_FAILED']).toContain(error.code);
    }
    expectCryptoError(() => decodeContent(new TextEncoderLike('{"v":2,"type":"text"}').bytes), 'UNSUPPORTED_VERSION');
  });

  it('random bytes and random single-byte corruptions never escape as raw exceptions', () => {
    fc.assert(
      fc.property(fc.nat(all.length - 1), fc.uint8Array({ maxLength: 400 }), (i, bytes) => {
        typedOnly(() => all[i]!.decode(bytes));
      }),
      { numRuns: 300 },
    );
    fc.assert(
      fc.property(fc.nat(all.length - 1), fc.nat(), fc.integer({ min: 1, max: 255 }), (i, at, xor) => {
        const bytes = all[i]!.valid();
        bytes[at % bytes.length]! ^= xor;
        typedOnly(() => all[i]!.decode(bytes));
      }),
      { numRuns: 300 },
    );
  });

  it('parseEnvelope rejects arbitrary JSON values with a typed error', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = safeParseEnvelope(value);
        expect(result.ok).toBe(false);
      }),
      { numRuns: 200 },
    );
    const out = createOutboundSenderKey({ conversationId: 'c', senderUserId: 'u', senderDeviceId: 'd', epoch: 1 });
    const json = envelopeToJson(
      encryptGroupMessage(out, {
        clientMsgId: 'm',
        policyVersion: 1,
        content: { type: 'text', body: '', mentions: [], replyTo: null },
      }).envelope,
    );
    expect(parseEnvelope(json)).toBeDefined();
    for (const key of Object.keys(json)) {
      const missing: Record<string, unknown> = { ...json };
      delete missing[key];
      expectCryptoError(() => parseEnvelope(missing));
    }
    expectCryptoError(() => parseEnvelope({ ...json, chainIndex: -1 }), 'MALFORMED');
    expectCryptoError(() => parseEnvelope({ ...json, chainIndex: 2 ** 32 }), 'MALFORMED');
    expectCryptoError(() => parseEnvelope({ ...json, policyVersion: 1.5 }), 'MALFORMED');
    expectCryptoError(() => parseEnvelope({ ...json, conversationId: 'has space' }), 'MALFORMED');
    expectCryptoError(() => parseEnvelope({ ...json, conversationId: 'x'.repeat(129) }), 'MALFORMED');
    expectCryptoError(() => parseEnvelope({ ...json, sessionId: `${json.sessionId}=` }), 'MALFORMED');
    expectCryptoError(() => parseEnvelope({ ...json, ciphertext: toBase64Url(new Uint8Array(100)) }), 'MALFORMED');
    expectCryptoError(() => parseEnvelope({ ...json, proto: 'sk2' }), 'UNSUPPORTED_VERSION');
  });

  it('low-order X25519 public keys are rejected everywhere they enter', () => {
    const zero = new Uint8Array(32);
    const one = new Uint8Array(32);
    one[0] = 1;
    const keys = generateDeviceKeys({ userId: 'u', deviceId: 'd' });
    for (const bad of [zero, one]) {
      expectCryptoError(() => x25519(keys.identityKeyPair.secretKey, bad), 'INVALID_KEY');
      const bundle = publicBundle(keys);
      expectCryptoError(
        () => verifyBundle({ ...bundle, signedPrekey: { ...bundle.signedPrekey, publicKey: bad } }),
        'INVALID_KEY',
      );
      expectCryptoError(() => verifyBundle({ ...bundle, oneTimePrekeys: [{ id: 9, publicKey: bad }] }), 'INVALID_KEY');
    }
  });
});

/** Minimal ASCII encoder (jsdom has no TextEncoder). */
class TextEncoderLike {
  readonly bytes: Uint8Array;
  constructor(text: string) {
    this.bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
  }
}
