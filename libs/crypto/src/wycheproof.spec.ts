import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fromHex, toHex } from './bytes.js';
import { CryptoError } from './errors.js';
import { aeadDecrypt, aeadEncrypt, assertX25519PublicKey, ed25519Verify, x25519 } from './primitives.js';
import { ready } from './sodium.js';

// Wycheproof vectors live beside the repository (../shared/test-vectors), never inside it.
const VECTORS = path.resolve(__dirname, '../../../../shared/test-vectors/wycheproof');
const present = existsSync(path.join(VECTORS, 'x25519_test.json'));
if (!present) {
  console.warn(`\n!!! Wycheproof vectors not found at ${VECTORS}: SKIPPING the Wycheproof conformance tests !!!\n`);
}
const describeVectors = present ? describe : describe.skip;

interface Test {
  tcId: number;
  comment: string;
  flags: string[];
  result: 'valid' | 'invalid' | 'acceptable';
}
interface Suite<G> {
  numberOfTests: number;
  testGroups: (G & { tests: Test[] })[];
}

function load<G>(file: string): Suite<G> {
  return JSON.parse(readFileSync(path.join(VECTORS, file), 'utf8')) as Suite<G>;
}

function count<G>(suite: Suite<G>): number {
  return suite.testGroups.reduce((n, g) => n + g.tests.length, 0);
}

beforeAll(async () => {
  await ready();
});

describeVectors('Wycheproof through the protocol wrappers (skipped only when ../shared is absent)', () => {
  it('X25519: valid cases match; low-order (zero shared secret) cases are rejected with INVALID_KEY', () => {
    const suite = load<object>('x25519_test.json');
    let checked = 0;
    let rejected = 0;
    for (const group of suite.testGroups) {
      for (const t of group.tests as (Test & { public: string; private: string; shared: string })[]) {
        const expectedZero = /^0+$/.test(t.shared);
        let out: Uint8Array | CryptoError;
        try {
          out = x25519(fromHex(t.private), fromHex(t.public));
        } catch (error) {
          if (!(error instanceof CryptoError)) throw error;
          out = error;
        }
        const label = `tcId ${t.tcId} (${t.comment})`;
        if (t.result === 'valid' || (t.result === 'acceptable' && !expectedZero)) {
          expect([label, out instanceof CryptoError ? out.code : toHex(out)]).toEqual([label, t.shared]);
        } else if (expectedZero) {
          expect([label, out instanceof CryptoError ? out.code : 'accepted']).toEqual([label, 'INVALID_KEY']);
          expect(() => assertX25519PublicKey(fromHex(t.public))).toThrow(CryptoError);
          rejected += 1;
        } else {
          expect([label, out instanceof CryptoError]).toEqual([label, true]);
        }
        checked += 1;
      }
    }
    expect(checked).toBe(suite.numberOfTests);
    expect(checked).toBe(count(suite));
    expect(rejected).toBeGreaterThan(0);
  });

  it('Ed25519: exactly the valid signatures verify', () => {
    const suite = load<{ publicKey: { pk: string } }>('ed25519_test.json');
    let checked = 0;
    for (const group of suite.testGroups) {
      const pk = fromHex(group.publicKey.pk);
      for (const t of group.tests as (Test & { msg: string; sig: string })[]) {
        const ok = ed25519Verify(pk, fromHex(t.msg), fromHex(t.sig));
        expect([t.tcId, ok]).toEqual([t.tcId, t.result === 'valid']);
        checked += 1;
      }
    }
    expect(checked).toBe(suite.numberOfTests);
  });

  it('XChaCha20-Poly1305: valid cases round-trip; every invalid case is a typed error', () => {
    const suite = load<{ ivSize: number; keySize: number; tagSize: number }>('xchacha20_poly1305_test.json');
    let checked = 0;
    for (const group of suite.testGroups) {
      for (const t of group.tests as (Test & {
        key: string;
        iv: string;
        aad: string;
        msg: string;
        ct: string;
        tag: string;
      })[]) {
        const key = fromHex(t.key);
        const iv = fromHex(t.iv);
        const aad = fromHex(t.aad);
        const sealed = fromHex(t.ct + t.tag);
        if (t.result === 'valid') {
          expect([t.tcId, toHex(aeadEncrypt(key, iv, fromHex(t.msg), aad))]).toEqual([t.tcId, t.ct + t.tag]);
          expect([t.tcId, toHex(aeadDecrypt(key, iv, sealed, aad))]).toEqual([t.tcId, t.msg]);
        } else {
          let error: unknown = null;
          try {
            aeadDecrypt(key, iv, sealed, aad);
          } catch (e) {
            error = e;
          }
          expect([t.tcId, error instanceof CryptoError]).toEqual([t.tcId, true]);
        }
        checked += 1;
      }
    }
    expect(checked).toBe(suite.numberOfTests);
  });
});
