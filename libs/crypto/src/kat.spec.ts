import { createPrivateKey, createPublicKey, diffieHellman, verify } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fromHex, toHex } from './bytes.js';
import { KdfLabel, SignatureLabel } from './kdf.js';
import { ready } from './sodium.js';
import { type KnownAnswerVectors, KAT_INPUTS, buildVectors, pattern } from '../test/kat.js';
import { referenceBlake2b } from '../test/reference-blake2b.js';

const VECTORS_FILE = path.resolve(__dirname, '../test/vectors/kat-v1.json');
const PROTOCOL_DOC = path.resolve(__dirname, '../../../docs/protocol.md');

beforeAll(async () => {
  await ready();
});

/** LP framing written out again from the spec text, independently of kdf.ts. */
function specFrame(label: string, parts: Uint8Array[]): Uint8Array {
  const chunks = [new TextEncoderShim().encode(label), ...parts];
  const total = chunks.reduce((n, c) => n + 4 + c.length, 0);
  const out = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    out[o] = c.length >>> 24;
    out[o + 1] = (c.length >>> 16) & 0xff;
    out[o + 2] = (c.length >>> 8) & 0xff;
    out[o + 3] = c.length & 0xff;
    out.set(c, o + 4);
    o += 4 + c.length;
  }
  return out;
}

/** Labels are ASCII; jsdom lacks TextEncoder, so encode by hand. */
class TextEncoderShim {
  encode(text: string): Uint8Array {
    return Uint8Array.from(text, (ch) => ch.charCodeAt(0));
  }
}

function nodeX25519(secret: Uint8Array, publicKey: Uint8Array): Uint8Array {
  const privateKey = createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b656e04220420', 'hex'), Buffer.from(secret)]),
    format: 'der',
    type: 'pkcs8',
  });
  const pub = createPublicKey({
    key: Buffer.concat([Buffer.from('302a300506032b656e032100', 'hex'), Buffer.from(publicKey)]),
    format: 'der',
    type: 'spki',
  });
  return new Uint8Array(diffieHellman({ privateKey, publicKey: pub }));
}

function nodeX25519Public(secret: Uint8Array): Uint8Array {
  const privateKey = createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b656e04220420', 'hex'), Buffer.from(secret)]),
    format: 'der',
    type: 'pkcs8',
  });
  const der = createPublicKey(privateKey).export({ format: 'der', type: 'spki' });
  return new Uint8Array(der.subarray(der.length - 32));
}

function nodeEd25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const key = createPublicKey({
    key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(publicKey)]),
    format: 'der',
    type: 'spki',
  });
  return verify(null, message, key, signature);
}

describe('known-answer vectors (docs/protocol.md appendix A)', () => {
  let computed: KnownAnswerVectors;
  let stored: KnownAnswerVectors;

  beforeAll(() => {
    computed = buildVectors();
    // Regenerate only deliberately (a protocol change): MIYU_WRITE_KAT=1, then update docs/protocol.md.
    if (process.env['MIYU_WRITE_KAT'] === '1') writeFileSync(VECTORS_FILE, `${JSON.stringify(computed, null, 2)}\n`);
    stored = JSON.parse(readFileSync(VECTORS_FILE, 'utf8')) as KnownAnswerVectors;
  });

  it('the implementation reproduces every committed vector', () => {
    expect(computed).toEqual(stored);
  });

  it('covers every KDF label', () => {
    expect(stored.kdf.map((v) => v.label).sort()).toEqual(Object.values(KdfLabel).sort());
  });

  it('every KDF vector matches an independent BLAKE2b over the LP framing of the spec', () => {
    for (const v of stored.kdf) {
      const message = specFrame(v.label, v.parts.map(fromHex));
      const expected = referenceBlake2b(v.length, message, v.key === null ? null : fromHex(v.key));
      expect([v.label, toHex(expected)]).toEqual([v.label, v.output]);
    }
    const dr = stored.doubleRatchet;
    const root = referenceBlake2b(
      64,
      specFrame(KdfLabel.DR_ROOT, [fromHex(dr['dhOutput']!)]),
      fromHex(dr['rootKeyIn']!),
    );
    expect(toHex(root)).toBe(dr['rootKeyOut']! + dr['chainKeyOut']!);
    const ck = fromHex(dr['chainKeyIn']!);
    expect(toHex(referenceBlake2b(32, specFrame(KdfLabel.DR_MESSAGE_KEY, []), ck))).toBe(dr['messageKey']);
    expect(toHex(referenceBlake2b(32, specFrame(KdfLabel.DR_CHAIN, []), ck))).toBe(dr['nextChainKey']);
    expect(toHex(referenceBlake2b(24, specFrame(KdfLabel.DR_NONCE, []), fromHex(dr['messageKey']!)))).toBe(
      dr['messageNonce'],
    );
    let chainKey = fromHex(stored.senderKey.chainKey0);
    for (const step of stored.senderKey.steps) {
      expect(toHex(referenceBlake2b(32, specFrame(KdfLabel.SK_MESSAGE_KEY, []), chainKey))).toBe(step.messageKey);
      chainKey = referenceBlake2b(32, specFrame(KdfLabel.SK_CHAIN, []), chainKey);
      expect(toHex(chainKey)).toBe(step.nextChainKey);
    }
  });

  it('the X3DH secret matches an independent X25519 (node:crypto) and the spec formula', () => {
    const x = stored.x3dh;
    const I = KAT_INPUTS;
    expect(toHex(nodeX25519Public(pattern(I.alice.identitySecret)))).toBe(x['aliceIdentityKey']);
    expect(toHex(nodeX25519Public(pattern(I.aliceEphemeral)))).toBe(x['aliceEphemeralKey']);
    const ek = pattern(I.aliceEphemeral);
    const dh1 = nodeX25519(pattern(I.alice.identitySecret), fromHex(x['bobSignedPrekey']!));
    const dh2 = nodeX25519(ek, fromHex(x['bobIdentityKey']!));
    const dh3 = nodeX25519(ek, fromHex(x['bobSignedPrekey']!));
    const dh4 = nodeX25519(ek, fromHex(x['bobOneTimePrekey']!));
    const sk = referenceBlake2b(
      32,
      specFrame(KdfLabel.X3DH_SECRET, [
        dh1,
        dh2,
        dh3,
        dh4,
        fromHex(x['aliceSigningKey']!),
        fromHex(x['aliceIdentityKey']!),
        fromHex(x['bobSigningKey']!),
        fromHex(x['bobIdentityKey']!),
      ]),
    );
    expect(toHex(sk)).toBe(x['sharedSecret']);
    const sessionId = referenceBlake2b(
      16,
      specFrame(KdfLabel.X3DH_SESSION_ID, [
        fromHex(x['aliceEphemeralKey']!),
        fromHex(x['aliceIdentityKey']!),
        fromHex(x['bobIdentityKey']!),
      ]),
    );
    expect(toHex(sessionId)).toBe(x['sessionId']);
  });

  it('signatures follow the spec framing (independent Ed25519 verify)', () => {
    const x = stored.x3dh;
    const te = new TextEncoderShim();
    const identityData = specFrame(SignatureLabel.DEVICE_IDENTITY, [
      te.encode(KAT_INPUTS.alice.userId),
      te.encode(KAT_INPUTS.alice.deviceId),
      fromHex(x['aliceSigningKey']!),
      fromHex(x['aliceIdentityKey']!),
    ]);
    expect(nodeEd25519Verify(fromHex(x['aliceSigningKey']!), identityData, fromHex(x['aliceIdentitySignature']!))).toBe(
      true,
    );
    const createdAt = new Uint8Array(8);
    new DataView(createdAt.buffer).setBigUint64(0, BigInt(KAT_INPUTS.now));
    const spkData = specFrame(SignatureLabel.SIGNED_PREKEY, [
      fromHex(x['bobSigningKey']!),
      Uint8Array.of(0, 0, 0, 1),
      fromHex(x['bobSignedPrekey']!),
      createdAt,
    ]);
    expect(nodeEd25519Verify(fromHex(x['bobSigningKey']!), spkData, fromHex(x['bobSignedPrekeySignature']!))).toBe(
      true,
    );
  });

  it('docs/protocol.md publishes the same vectors', () => {
    expect(existsSync(PROTOCOL_DOC)).toBe(true);
    const doc = readFileSync(PROTOCOL_DOC, 'utf8').replace(/\s+/g, '');
    const values: string[] = [
      ...Object.values(stored.x3dh),
      ...stored.exchange.map((m) => m.message),
      ...['rootKeyOut', 'chainKeyOut', 'messageKey', 'nextChainKey', 'messageNonce'].map(
        (k) => stored.doubleRatchet[k]!,
      ),
      stored.senderKey.envelope,
      ...stored.senderKey.steps.flatMap((s) => [s.messageKey, s.nextChainKey]),
      stored.escrow.wrap,
      stored.history.backupItem,
      stored.history.recoveryWrap,
      stored.safetyNumber.digits,
      ...stored.kdf.map((v) => v.output),
    ];
    for (const value of values) expect([value.slice(0, 16), doc.includes(value)]).toEqual([value.slice(0, 16), true]);
  });
});
