import { toBase64Url } from './bytes.js';
import type { MessageContent } from './content.js';
import { decodeEnvelope, encodeEnvelope, envelopeToJson, parseEnvelope } from './envelope.js';
import { escrowUnwrap, escrowedSessionExport, withEscrow } from './escrow.js';
import { decryptGroupMessage, encryptGroupMessage } from './group.js';
import { x25519GenerateKeyPair } from './primitives.js';
import {
  type InboundSenderKey,
  type OutboundSenderKey,
  MAX_SENDER_KEY_SKIP,
  createOutboundSenderKey,
  decodeInboundSenderKey,
  decodeOutboundSenderKey,
  encodeInboundSenderKey,
  encodeOutboundSenderKey,
  exportInboundSenderKey,
  exportOutboundSenderKey,
  importSenderKey,
  mergeInboundSenderKey,
  senderKeyRotation,
} from './sender-keys.js';
import { ready } from './sodium.js';
import { expectCryptoError } from '../test/helpers.js';

beforeAll(async () => {
  await ready();
});

const text = (body: string): MessageContent => ({ type: 'text', body, mentions: [], replyTo: null });

function outbound(): OutboundSenderKey {
  return createOutboundSenderKey({ conversationId: 'conv-1', senderUserId: 'alice', senderDeviceId: 'a1', epoch: 1 });
}

function send(session: OutboundSenderKey, body: string, i: number) {
  return encryptGroupMessage(session, { clientMsgId: `m-${i}`, policyVersion: 3, content: text(body) });
}

function bodyOf(
  session: InboundSenderKey,
  envelope: ReturnType<typeof send>['envelope'],
  mode: 'live' | 'history' = 'live',
) {
  const out = decryptGroupMessage(session, envelope, { compliancePublicKey: null, mode });
  const content = out.message.content;
  return { session: out.session, body: content.type === 'text' ? content.body : null };
}

describe('sender keys', () => {
  it('encrypts, signs and decrypts a chain; each index once', () => {
    let out = outbound();
    let inbound = importSenderKey(exportOutboundSenderKey(out));
    const envelopes = [];
    for (let i = 0; i < 5; i += 1) {
      const r = send(out, `hello ${i}`, i);
      out = r.session;
      envelopes.push(r.envelope);
    }
    for (const i of [2, 0, 4, 3, 1]) {
      const r = bodyOf(inbound, envelopes[i]!);
      inbound = r.session;
      expect(r.body).toBe(`hello ${i}`);
    }
    for (const e of envelopes) expectCryptoError(() => bodyOf(inbound, e), 'REPLAY');
    // History mode re-reads without state and without replay rejection.
    expect(bodyOf(inbound, envelopes[0]!, 'history').body).toBe('hello 0');
  });

  it('a new member gets the session at the current index and cannot read earlier messages', () => {
    let out = outbound();
    const early = send(out, 'before', 0);
    out = early.session;
    const late = importSenderKey(exportOutboundSenderKey(out));
    const after = send(out, 'after', 1);
    expect(bodyOf(late, after.envelope).body).toBe('after');
    expectCryptoError(() => bodyOf(late, early.envelope), 'UNKNOWN_SESSION');
    expectCryptoError(() => bodyOf(late, early.envelope, 'history'), 'UNKNOWN_SESSION');
  });

  it('rejects indices beyond the skip bound, bad signatures and mismatched senders', () => {
    const out = outbound();
    const inbound = importSenderKey(exportOutboundSenderKey(out));
    const far = send({ ...out, chainIndex: MAX_SENDER_KEY_SKIP + 1 }, 'far', 9);
    expectCryptoError(() => bodyOf(inbound, far.envelope), 'TOO_FAR_AHEAD');
    const ok = send(out, 'x', 1).envelope;
    expectCryptoError(() => bodyOf(inbound, { ...ok, clientMsgId: 'other' }), 'BAD_SIGNATURE');
    expectCryptoError(() => bodyOf(inbound, { ...ok, senderDeviceId: 'a2' }), 'SESSION_MISMATCH');
    const forged = createOutboundSenderKey({
      conversationId: 'conv-1',
      senderUserId: 'alice',
      senderDeviceId: 'a1',
      epoch: 1,
    });
    const forgedEnvelope = send({ ...forged, sessionId: out.sessionId, chainKey: out.chainKey }, 'forged', 2).envelope;
    expectCryptoError(() => bodyOf(inbound, forgedEnvelope), 'BAD_SIGNATURE');
  });

  it('exports at an index, merges an earlier export, and serialises state', () => {
    let out = outbound();
    const first = exportOutboundSenderKey(out);
    for (let i = 0; i < 3; i += 1) out = send(out, 'x', i).session;
    const late = importSenderKey(exportOutboundSenderKey(out));
    const merged = mergeInboundSenderKey(late, first);
    expect(merged.firstIndex).toBe(0);
    expect(exportInboundSenderKey(merged, 3).chainKey).toEqual(late.firstChainKey);
    expectCryptoError(
      () => mergeInboundSenderKey(late, { ...first, chainKey: new Uint8Array(32) }),
      'SESSION_MISMATCH',
    );
    expect(decodeInboundSenderKey(encodeInboundSenderKey(merged))).toEqual(merged);
    expect(decodeOutboundSenderKey(encodeOutboundSenderKey(out))).toEqual(out);
  });

  it('envelopes round-trip through binary and JSON forms', () => {
    const { envelope } = send(outbound(), 'json', 0);
    expect(decodeEnvelope(encodeEnvelope(envelope))).toEqual(envelope);
    const json = JSON.parse(JSON.stringify(envelopeToJson(envelope))) as unknown;
    expect(parseEnvelope(json)).toEqual(envelope);
    expectCryptoError(() => parseEnvelope({ ...envelopeToJson(envelope), extra: 1 }), 'MALFORMED');
    expectCryptoError(() => parseEnvelope({ ...envelopeToJson(envelope), v: 2 }), 'UNSUPPORTED_VERSION');
    expectCryptoError(
      () => parseEnvelope({ ...envelopeToJson(envelope), nonce: toBase64Url(new Uint8Array(23)) }),
      'MALFORMED',
    );
  });
});

describe('compliance escrow', () => {
  it('is deterministic, verified by recipients, and opened with the compliance private key', () => {
    const compliance = x25519GenerateKeyPair();
    const out = withEscrow(outbound(), compliance.publicKey);
    expect(withEscrow({ ...out, escrow: null }, compliance.publicKey).escrow!.wrap).toEqual(out.escrow!.wrap);
    const inbound = importSenderKey(exportOutboundSenderKey(out));
    const { envelope } = send(out, 'retained', 0);
    const opts = { compliancePublicKey: compliance.publicKey };
    expect(decryptGroupMessage(inbound, envelope, opts).message.escrow).toBe('valid');

    // A sender that escrows to someone else is detected by every recipient.
    const other = withEscrow(outbound(), x25519GenerateKeyPair().publicKey);
    const sneaky = send({ ...out, escrow: other.escrow }, 'sneaky', 0).envelope;
    expect(decryptGroupMessage(inbound, sneaky, opts).message.escrow).toBe('mismatch');
    const missing = send({ ...out, escrow: null }, 'none', 0).envelope;
    expect(decryptGroupMessage(inbound, missing, opts).message.escrow).toBe('missing');

    const unwrapped = escrowUnwrap(envelope.escrow!, compliance);
    const recovered = importSenderKey(escrowedSessionExport(unwrapped, envelope));
    const read = decryptGroupMessage(recovered, envelope, { compliancePublicKey: null, mode: 'history' });
    expect(read.message.content).toEqual(text('retained'));
    expectCryptoError(() => escrowUnwrap(envelope.escrow!, x25519GenerateKeyPair()), 'DECRYPT_FAILED');
    expectCryptoError(() => withEscrow(outbound(), new Uint8Array(32)), 'INVALID_KEY');
  });

  it('verifies against every listed key (a rotation keeps old wraps valid) and expects a wrap only when told', () => {
    const retired = x25519GenerateKeyPair();
    const active = x25519GenerateKeyPair();
    const out = withEscrow(outbound(), retired.publicKey);
    const inbound = importSenderKey(exportOutboundSenderKey(out));
    const { envelope } = send(out, 'before rotation', 0);
    const check = (keys: Uint8Array[], expected: boolean, e = envelope) =>
      decryptGroupMessage(inbound, e, { compliancePublicKey: null, mode: 'history', compliance: { keys, expected } })
        .message.escrow;
    expect(check([active.publicKey, retired.publicKey], true)).toBe('valid');
    expect(check([active.publicKey], true)).toBe('mismatch');
    expect(check([], true)).toBe('unverifiable');
    const plain = send({ ...out, escrow: null }, 'not retained', 0).envelope;
    expect(check([active.publicKey], false, plain)).toBe('none');
    expect(check([active.publicKey], true, plain)).toBe('missing');
    // A member given the session from a later index cannot recompute the index-0 wrap.
    const later = send(out, 'one', 0).session;
    const fromLater = importSenderKey(exportOutboundSenderKey(later));
    const second = send(later, 'two', 1).envelope;
    expect(
      decryptGroupMessage(fromLater, second, {
        compliancePublicKey: null,
        compliance: { keys: [retired.publicKey], expected: true },
      }).message.escrow,
    ).toBe('unverifiable');
  });
});

describe('rotation helper', () => {
  const a1 = { userId: 'a', deviceId: '1' };
  const b1 = { userId: 'b', deviceId: '1' };
  const b2 = { userId: 'b', deviceId: '2' };
  const session = { chainIndex: 5, createdAt: 0 };

  it('rotates on removal, limits and age; shares without rotating on additions', () => {
    expect(senderKeyRotation({ previousDevices: [], currentDevices: [a1], session: null, now: 1 }).reason).toBe(
      'no-session',
    );
    const removed = senderKeyRotation({ previousDevices: [a1, b1, b2], currentDevices: [a1, b1], session, now: 1 });
    expect(removed).toMatchObject({ rotate: true, reason: 'device-removed', removed: [b2], shareWith: [a1, b1] });
    const added = senderKeyRotation({ previousDevices: [a1], currentDevices: [a1, b1], session, now: 1 });
    expect(added).toMatchObject({ rotate: false, reason: null, shareWith: [b1] });
    expect(
      senderKeyRotation({
        previousDevices: [a1],
        currentDevices: [a1],
        session: { chainIndex: 100, createdAt: 0 },
        now: 1,
      }).reason,
    ).toBe('message-limit');
    expect(
      senderKeyRotation({ previousDevices: [a1], currentDevices: [a1], session, now: 7 * 86_400_000 }).reason,
    ).toBe('expired');
  });
});
