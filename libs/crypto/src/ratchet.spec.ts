import { utf8Decode, utf8Encode } from './bytes.js';
import {
  type DeviceKeys,
  type OneTimePrekeyPrivate,
  decodeBundle,
  decodeDeviceKeys,
  encodeBundle,
  encodeDeviceKeys,
  generateDeviceKeys,
  generateOneTimePrekeys,
  needsSignedPrekeyRotation,
  publicBundle,
  rotateSignedPrekey,
  SIGNED_PREKEY_ROTATION_MS,
  verifyBundle,
} from './keys.js';
import { createInboundPairwiseSession, createOutboundPairwiseSession } from './pairwise.js';
import {
  MAX_SKIP,
  type RatchetSession,
  decodePairwiseMessage,
  decodeRatchetSession,
  encodeRatchetSession,
  ratchetDecrypt,
  ratchetEncrypt,
} from './ratchet.js';
import { ready } from './sodium.js';
import { expectCryptoError } from '../test/helpers.js';

beforeAll(async () => {
  await ready();
});

interface Pair {
  alice: RatchetSession;
  bob: RatchetSession;
  bobKeys: DeviceKeys;
  otp: OneTimePrekeyPrivate;
}

function setup(): { alice: RatchetSession; bobKeys: DeviceKeys; otp: OneTimePrekeyPrivate; aliceKeys: DeviceKeys } {
  const aliceKeys = generateDeviceKeys({ userId: 'alice', deviceId: 'a1' });
  const generated = generateOneTimePrekeys(generateDeviceKeys({ userId: 'bob', deviceId: 'b1' }), 2);
  const otp = generated.prekeys[0] as OneTimePrekeyPrivate;
  const bundle = publicBundle(generated.keys, [otp]);
  return { alice: createOutboundPairwiseSession(aliceKeys, bundle), bobKeys: generated.keys, otp, aliceKeys };
}

function enc(session: RatchetSession, text: string): { session: RatchetSession; message: Uint8Array } {
  return ratchetEncrypt(session, utf8Encode(text));
}

function dec(session: RatchetSession, message: Uint8Array): { session: RatchetSession; text: string } {
  const out = ratchetDecrypt(session, decodePairwiseMessage(message));
  return { session: out.session, text: utf8Decode(out.plaintext) };
}

function established(): Pair {
  const { alice, bobKeys, otp } = setup();
  const first = enc(alice, 'hello bob');
  const parsed = decodePairwiseMessage(first.message);
  const bob0 = createInboundPairwiseSession(bobKeys, parsed.preamble!, otp);
  const received = dec(bob0, first.message);
  expect(received.text).toBe('hello bob');
  return { alice: first.session, bob: received.session, bobKeys, otp };
}

describe('device keys', () => {
  it('verifies bundles: a bad signature is BAD_SIGNATURE, a wrong key INVALID_KEY', () => {
    const keys = generateDeviceKeys({ userId: 'u', deviceId: 'd' });
    const bundle = publicBundle(keys);
    expect(verifyBundle(bundle)).toBe(bundle);
    const sig = bundle.signedPrekey.signature.slice();
    sig[0]! ^= 1;
    expectCryptoError(
      () => verifyBundle({ ...bundle, signedPrekey: { ...bundle.signedPrekey, signature: sig } }),
      'BAD_SIGNATURE',
    );
    expectCryptoError(
      () => verifyBundle({ ...bundle, signedPrekey: { ...bundle.signedPrekey, createdAt: 1 } }),
      'BAD_SIGNATURE',
    );
    expectCryptoError(
      () => verifyBundle({ ...bundle, identity: { ...bundle.identity, deviceId: 'other' } }),
      'BAD_SIGNATURE',
    );
    const other = generateDeviceKeys({ userId: 'u', deviceId: 'd' });
    expectCryptoError(
      () => verifyBundle({ ...bundle, identity: { ...bundle.identity, identityKey: other.identity.identityKey } }),
      'BAD_SIGNATURE',
    );
    expectCryptoError(
      () => verifyBundle({ ...bundle, identity: { ...bundle.identity, signingKey: new Uint8Array(32) } }),
      'INVALID_KEY',
    );
  });

  it('rotates the signed prekey weekly and keeps the newest three', () => {
    let keys = generateDeviceKeys({ userId: 'u', deviceId: 'd', now: 0 });
    expect(needsSignedPrekeyRotation(keys, SIGNED_PREKEY_ROTATION_MS - 1)).toBe(false);
    expect(needsSignedPrekeyRotation(keys, SIGNED_PREKEY_ROTATION_MS)).toBe(true);
    for (let week = 1; week <= 4; week += 1) keys = rotateSignedPrekey(keys, week * SIGNED_PREKEY_ROTATION_MS);
    expect(keys.signedPrekeys.map((k) => k.id)).toEqual([5, 4, 3]);
    expect(verifyBundle(publicBundle(keys)).signedPrekey.id).toBe(5);
  });

  it('round-trips bundles and private records', () => {
    const keys = generateDeviceKeys({ userId: 'u', deviceId: 'd' });
    const { keys: k2, prekeys } = generateOneTimePrekeys(keys, 3);
    const bundle = publicBundle(k2, prekeys);
    expect(decodeBundle(encodeBundle(bundle))).toEqual(bundle);
    expect(decodeDeviceKeys(encodeDeviceKeys(k2))).toEqual(k2);
  });
});

describe('X3DH + Double Ratchet', () => {
  it('exchanges messages both ways across several DH ratchet steps', () => {
    let { alice, bob } = established();
    for (let round = 0; round < 4; round += 1) {
      const b = enc(bob, `from bob ${round}`);
      bob = b.session;
      const a1 = dec(alice, b.message);
      alice = a1.session;
      expect(a1.text).toBe(`from bob ${round}`);
      expect(alice.preamble).toBeNull();
      const a = enc(alice, `from alice ${round}`);
      alice = a.session;
      const b1 = dec(bob, a.message);
      bob = b1.session;
      expect(b1.text).toBe(`from alice ${round}`);
    }
  });

  it('opens the session without a one-time prekey (signed prekey only)', () => {
    const aliceKeys = generateDeviceKeys({ userId: 'alice', deviceId: 'a1' });
    const bobKeys = generateDeviceKeys({ userId: 'bob', deviceId: 'b1' });
    const first = enc(createOutboundPairwiseSession(aliceKeys, publicBundle(bobKeys)), 'no otp');
    const parsed = decodePairwiseMessage(first.message);
    expect(parsed.preamble!.oneTimePrekeyId).toBeNull();
    expect(dec(createInboundPairwiseSession(bobKeys, parsed.preamble!, null), first.message).text).toBe('no otp');
  });

  it('decrypts out-of-order messages once and rejects replays', () => {
    let { alice, bob } = established();
    const sent: Uint8Array[] = [];
    for (let i = 0; i < 5; i += 1) {
      const out = enc(alice, `m${i}`);
      alice = out.session;
      sent.push(out.message);
    }
    for (const i of [3, 0, 4, 1, 2]) {
      const out = dec(bob, sent[i]!);
      bob = out.session;
      expect(out.text).toBe(`m${i}`);
    }
    for (const m of sent) expectCryptoError(() => dec(bob, m), 'REPLAY');
  });

  it('rejects a gap larger than MAX_SKIP with TOO_FAR_AHEAD and stays usable', () => {
    const pair = established();
    let alice = pair.alice;
    const bob = pair.bob;
    let last: Uint8Array = new Uint8Array();
    for (let i = 0; i <= MAX_SKIP + 1; i += 1) {
      const out = enc(alice, `m${i}`);
      alice = out.session;
      last = out.message;
    }
    expectCryptoError(() => dec(bob, last), 'TOO_FAR_AHEAD');
    const b = enc(bob, 'still here');
    expect(dec(alice, b.message).text).toBe('still here');
  });

  it('a tampered message fails without changing the session', () => {
    const { alice, bob } = established();
    const out = enc(alice, 'secret');
    const before = encodeRatchetSession(bob);
    const tampered = out.message.slice();
    tampered[tampered.length - 1]! ^= 1;
    expectCryptoError(() => dec(bob, tampered), 'DECRYPT_FAILED');
    expect(encodeRatchetSession(bob)).toEqual(before);
    expect(dec(bob, out.message).text).toBe('secret');
  });

  it('serialises sessions losslessly mid-conversation', () => {
    let { alice, bob } = established();
    const skippedOne = enc(alice, 'skipped');
    alice = skippedOne.session;
    const next = enc(alice, 'next');
    bob = dec(bob, next.message).session;
    const restored = decodeRatchetSession(encodeRatchetSession(bob));
    expect(restored).toEqual(bob);
    expect(dec(restored, skippedOne.message).text).toBe('skipped');
  });

  it('refuses an unknown signed or one-time prekey', () => {
    const { alice, bobKeys } = setup();
    const parsed = decodePairwiseMessage(enc(alice, 'x').message);
    expectCryptoError(() => createInboundPairwiseSession(bobKeys, parsed.preamble!, null), 'UNKNOWN_PREKEY');
    expectCryptoError(
      () => createInboundPairwiseSession(bobKeys, { ...parsed.preamble!, signedPrekeyId: 99 }, null),
      'UNKNOWN_PREKEY',
    );
  });
});
