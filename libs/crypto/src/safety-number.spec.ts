import { ed25519GenerateKeyPair } from './primitives.js';
import { safetyNumber, verifySafetyNumberQr } from './safety-number.js';
import { ready } from './sodium.js';
import { expectCryptoError } from '../test/helpers.js';

beforeAll(async () => {
  await ready();
});

describe('safety numbers', () => {
  it('are order-independent, stable and key-sensitive', () => {
    const a1 = ed25519GenerateKeyPair().publicKey;
    const a2 = ed25519GenerateKeyPair().publicKey;
    const b1 = ed25519GenerateKeyPair().publicKey;
    const alice = { userId: 'alice', deviceKeys: [a1, a2] };
    const bob = { userId: 'bob', deviceKeys: [b1] };
    const ab = safetyNumber(alice, bob);
    const ba = safetyNumber(bob, { userId: 'alice', deviceKeys: [a2, a1] });
    expect(ab.digits).toMatch(/^\d{60}$/);
    expect(ab.groups).toHaveLength(12);
    expect(ba).toEqual(ab);
    expect(verifySafetyNumberQr(ab, ba.qrText)).toBe(true);
    const changed = safetyNumber({ userId: 'alice', deviceKeys: [a1] }, bob);
    expect(changed.digits).not.toBe(ab.digits);
    expect(verifySafetyNumberQr(ab, changed.qr)).toBe(false);
    expectCryptoError(() => verifySafetyNumberQr(ab, 'miyu-sn:AQ'), 'MALFORMED');
    expectCryptoError(() => safetyNumber({ userId: 'x', deviceKeys: [new Uint8Array(32)] }, bob), 'INVALID_KEY');
  });
});
