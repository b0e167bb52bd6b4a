import fc from 'fast-check';
import { utf8Decode, utf8Encode } from './bytes.js';
import type { MessageContent } from './content.js';
import {
  type Envelope,
  type EnvelopeJson,
  decodeEnvelope,
  encodeEnvelope,
  envelopeToJson,
  parseEnvelope,
} from './envelope.js';
import { CryptoError } from './errors.js';
import { withEscrow } from './escrow.js';
import { decryptGroupMessage, encryptGroupMessage } from './group.js';
import { type OneTimePrekeyPrivate, generateDeviceKeys, generateOneTimePrekeys, publicBundle } from './keys.js';
import { createInboundPairwiseSession, createOutboundPairwiseSession } from './pairwise.js';
import { x25519GenerateKeyPair } from './primitives.js';
import { type RatchetSession, decodePairwiseMessage, ratchetDecrypt, ratchetEncrypt } from './ratchet.js';
import {
  type InboundSenderKey,
  createOutboundSenderKey,
  exportOutboundSenderKey,
  importSenderKey,
} from './sender-keys.js';
import { ready } from './sodium.js';

// Bounded runs keep the suite quick under both Jest environments; seeds are printed by fast-check on failure.
const RUNS = 40;

beforeAll(async () => {
  await ready();
});

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (error) {
    if (error instanceof CryptoError) return error.code;
    throw error; // a raw exception is a failure of the property
  }
}

type Action = { kind: 'send'; from: 'A' | 'B' } | { kind: 'deliver' | 'drop' | 'replay'; pick: number };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant('send' as const), from: fc.constantFrom('A' as const, 'B' as const) }),
  fc.record({ kind: fc.constantFrom('deliver' as const, 'drop' as const, 'replay' as const), pick: fc.nat() }),
);

describe('property: Double Ratchet under random delivery', () => {
  let aliceKeys: ReturnType<typeof generateDeviceKeys>;
  let bobKeys: ReturnType<typeof generateDeviceKeys>;
  let otp: OneTimePrekeyPrivate;

  beforeAll(() => {
    aliceKeys = generateDeviceKeys({ userId: 'alice', deviceId: 'a' });
    const g = generateOneTimePrekeys(generateDeviceKeys({ userId: 'bob', deviceId: 'b' }), 1);
    bobKeys = g.keys;
    otp = g.prekeys[0] as OneTimePrekeyPrivate;
  });

  it('random orders, drops and duplicates: each delivered message opens exactly once', () => {
    fc.assert(
      fc.property(fc.array(action, { maxLength: 60 }), (actions) => {
        let alice: RatchetSession = createOutboundPairwiseSession(aliceKeys, publicBundle(bobKeys, [otp]));
        let bob: RatchetSession | null = null;
        let counter = 0;
        const inFlight: { to: 'A' | 'B'; bytes: Uint8Array; text: string }[] = [];
        const delivered: { to: 'A' | 'B'; bytes: Uint8Array }[] = [];
        const receive = (to: 'A' | 'B', bytes: Uint8Array): string => {
          const msg = decodePairwiseMessage(bytes);
          if (to === 'A') {
            const out = ratchetDecrypt(alice, msg);
            alice = out.session;
            return utf8Decode(out.plaintext);
          }
          const session = bob ?? createInboundPairwiseSession(bobKeys, msg.preamble!, otp);
          const out = ratchetDecrypt(session, msg);
          bob = out.session;
          return utf8Decode(out.plaintext);
        };
        const deliver = (i: number): void => {
          const [m] = inFlight.splice(i, 1);
          expect(receive(m!.to, m!.bytes)).toBe(m!.text);
          delivered.push(m!);
        };
        for (const a of actions) {
          if (a.kind === 'send') {
            const text = `m${counter++}`;
            if (a.from === 'A') {
              const out = ratchetEncrypt(alice, utf8Encode(text));
              alice = out.session;
              inFlight.push({ to: 'B', bytes: out.message, text });
            } else if (bob) {
              const out = ratchetEncrypt(bob, utf8Encode(text));
              bob = out.session;
              inFlight.push({ to: 'A', bytes: out.message, text });
            }
          } else if (a.kind === 'deliver' && inFlight.length > 0) {
            deliver(a.pick % inFlight.length);
          } else if (a.kind === 'drop' && inFlight.length > 0) {
            inFlight.splice(a.pick % inFlight.length, 1);
          } else if (a.kind === 'replay' && delivered.length > 0) {
            const m = delivered[a.pick % delivered.length]!;
            expect(codeOf(() => receive(m.to, m.bytes))).toBe('REPLAY');
          }
        }
        while (inFlight.length > 0) deliver(0);
      }),
      { numRuns: RUNS },
    );
  });
});

describe('property: sender keys under random delivery', () => {
  it('any delivery sequence with drops and duplicates opens each index exactly once', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 30 })
          .chain((n) => fc.tuple(fc.constant(n), fc.array(fc.nat(n - 1), { maxLength: 60 }))),
        ([n, order]) => {
          let out = createOutboundSenderKey({ conversationId: 'c', senderUserId: 'u', senderDeviceId: 'd', epoch: 1 });
          let inbound: InboundSenderKey = importSenderKey(exportOutboundSenderKey(out));
          const envelopes: Envelope[] = [];
          for (let i = 0; i < n; i += 1) {
            const r = encryptGroupMessage(out, {
              clientMsgId: `m${i}`,
              policyVersion: 1,
              content: { type: 'text', body: `b${i}`, mentions: [], replyTo: null },
            });
            out = r.session;
            envelopes.push(r.envelope);
          }
          const seen = new Set<number>();
          for (const i of order) {
            const open = () => decryptGroupMessage(inbound, envelopes[i]!, { compliancePublicKey: null });
            if (seen.has(i)) {
              expect(codeOf(open)).toBe('REPLAY');
            } else {
              const r = open();
              inbound = r.session;
              expect(r.message.content).toEqual({ type: 'text', body: `b${i}`, mentions: [], replyTo: null });
              seen.add(i);
            }
          }
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('property: every single-bit flip of an envelope is rejected', () => {
  let compliance: ReturnType<typeof x25519GenerateKeyPair>;
  let envelope: Envelope;
  let inbound: InboundSenderKey;
  const content: MessageContent = { type: 'text', body: 'bit flips', mentions: [], replyTo: null };

  beforeAll(() => {
    compliance = x25519GenerateKeyPair();
    const out = withEscrow(
      createOutboundSenderKey({ conversationId: 'conv', senderUserId: 'u', senderDeviceId: 'd', epoch: 1 }),
      compliance.publicKey,
    );
    inbound = importSenderKey(exportOutboundSenderKey(out));
    envelope = encryptGroupMessage(out, { clientMsgId: 'msg-1', policyVersion: 9, content }).envelope;
  });

  const open = (e: Envelope) =>
    decryptGroupMessage(inbound, e, { compliancePublicKey: compliance.publicKey, mode: 'history' });

  it('the intact envelope opens', () => {
    expect(open(envelope).message).toEqual({ content, escrow: 'valid' });
  });

  it('exhaustively, on the binary encoding: a typed error, never plaintext', () => {
    const bytes = encodeEnvelope(envelope);
    const codes = new Set<string>();
    for (let bit = 0; bit < bytes.length * 8; bit += 1) {
      const flipped = bytes.slice();
      flipped[bit >> 3]! ^= 1 << (bit & 7);
      const code = codeOf(() => open(decodeEnvelope(flipped)));
      codes.add(code);
      if (code === 'ok') throw new Error(`bit ${bit} flip was accepted`);
    }
    expect(codes.has('BAD_SIGNATURE')).toBe(true);
    expect(codes.has('MALFORMED')).toBe(true);
  });

  it('on each field of the JSON form (random field, random bit)', () => {
    const json = envelopeToJson(envelope);
    const fields = Object.keys(json) as (keyof EnvelopeJson)[];
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.nat(), (field, bitSeed) => {
        const value = json[field];
        const copy: Record<string, unknown> = { ...json };
        if (typeof value === 'number') {
          copy[field] = value ^ (1 << (bitSeed % 31));
        } else if (typeof value === 'string') {
          // Flip one bit of the field's bytes (decoded for binary fields, the characters for identifiers).
          if (['conversationId', 'clientMsgId', 'senderUserId', 'senderDeviceId', 'proto'].includes(field)) {
            const i = bitSeed % value.length;
            copy[field] =
              value.slice(0, i) + String.fromCharCode(value.charCodeAt(i) ^ (1 << (bitSeed % 7))) + value.slice(i + 1);
          } else {
            const raw = parseEnvelope(json)[field as 'nonce'] as Uint8Array;
            const bit = bitSeed % (raw.length * 8);
            const flipped = raw.slice();
            flipped[bit >> 3]! ^= 1 << (bit & 7);
            copy[field] = envelopeToJson({ ...parseEnvelope(json), [field]: flipped })[field];
          }
        }
        expect(codeOf(() => open(parseEnvelope(copy)))).not.toBe('ok');
      }),
      { numRuns: 300 },
    );
  });
});
