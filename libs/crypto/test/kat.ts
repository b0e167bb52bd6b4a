import { toHex, fromHex, utf8Encode } from '../src/bytes.js';
import { encodeEnvelope } from '../src/envelope.js';
import { escrowWrap } from '../src/escrow.js';
import { encryptGroupMessage } from '../src/group.js';
import { encryptSessionBackup } from '../src/history.js';
import { KdfLabel, kdf } from '../src/kdf.js';
import {
  type OneTimePrekeyPrivate,
  encodeBundle,
  generateDeviceKeys,
  generateOneTimePrekeys,
  publicBundle,
} from '../src/keys.js';
import { createInboundPairwiseSession, createOutboundPairwiseSession } from '../src/pairwise.js';
import { x25519KeyPairFromSecret, type RandomSource } from '../src/primitives.js';
import {
  decodePairwiseMessage,
  kdfChain,
  kdfRoot,
  messageNonce,
  ratchetDecrypt,
  ratchetEncrypt,
} from '../src/ratchet.js';
import { recoveryKeyToWords, wrapHistoryKey } from '../src/recovery.js';
import { safetyNumber } from '../src/safety-number.js';
import { createOutboundSenderKey, exportOutboundSenderKey, senderKeyStep } from '../src/sender-keys.js';
import { x3dhInitiate } from '../src/x3dh.js';

/**
 * Known-answer vectors (docs/protocol.md, appendix A). Every input is fixed: secrets are the byte patterns
 * below, handed to the library through a scripted random source in a documented order. `buildVectors()`
 * recomputes everything; kat.spec.ts compares it with the committed JSON and cross-checks the KDF and the
 * X3DH secret with an independent BLAKE2b and X25519.
 */

/** 32 bytes b, b+1, …, b+31 (mod 256): the fixed secrets of the vectors. */
export function pattern(start: number, length = 32): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (start + i) & 0xff);
}

/** Returns the given chunks in order; fails if asked for anything else. */
export function scriptedRandom(chunks: Uint8Array[]): RandomSource {
  const queue = [...chunks];
  return (length) => {
    const next = queue.shift();
    if (!next || next.length !== length) throw new Error(`scripted random: unexpected draw of ${length} bytes`);
    return next.slice();
  };
}

export const KAT_INPUTS = {
  now: 1_700_000_000_000,
  alice: {
    userId: 'alice',
    deviceId: 'alice-laptop',
    signingSeed: 0x10,
    identitySecret: 0x30,
    signedPrekeySecret: 0x50,
  },
  bob: {
    userId: 'bob',
    deviceId: 'bob-phone',
    signingSeed: 0x20,
    identitySecret: 0x40,
    signedPrekeySecret: 0x60,
    oneTimePrekeySecret: 0x70,
  },
  aliceEphemeral: 0x80,
  aliceRatchet1: 0x90,
  bobRatchet1: 0xa0,
  aliceRatchet2: 0xb0,
  senderKey: { sessionId: 0xc0, chainKey: 0xd0, signingSeed: 0xe0, nonce: 0xf0 },
  compliance: 0x05,
  historyKey: 0x15,
  backupNonce: 0x25,
  recoveryKey: 0x35,
  recoveryNonce: 0x45,
} as const;

export interface KdfVector {
  label: string;
  key: string | null;
  parts: string[];
  length: number;
  output: string;
}

export interface KnownAnswerVectors {
  kdf: KdfVector[];
  doubleRatchet: Record<string, string>;
  x3dh: Record<string, string>;
  exchange: { from: string; plaintext: string; message: string }[];
  senderKey: {
    chainKey0: string;
    steps: { index: number; messageKey: string; nextChainKey: string }[];
    envelope: string;
    content: string;
  };
  escrow: { compliancePublicKey: string; wrap: string };
  history: { historyKey: string; backupItem: string; recoveryKey: string; recoveryWords: string; recoveryWrap: string };
  safetyNumber: { digits: string; qr: string };
}

const hex = toHex;

export function buildVectors(): KnownAnswerVectors {
  const I = KAT_INPUTS;
  // --- every KDF label once, with fixed inputs
  const kdfVectors: KdfVector[] = Object.values(KdfLabel).map((label, i) => {
    const key = i % 2 === 0 ? pattern(i) : null;
    const parts = [pattern(0x40 + i, 16), utf8Encode('part'), new Uint8Array(0)];
    const length = [32, 64, 24, 16][i % 4] as number;
    return {
      label,
      key: key ? hex(key) : null,
      parts: parts.map(hex),
      length,
      output: hex(kdf(key, label, parts, length)),
    };
  });

  // --- device keys (draw order: signing seed, identity secret, signed prekey secret; then one-time prekeys)
  const aliceKeys = generateDeviceKeys({
    userId: I.alice.userId,
    deviceId: I.alice.deviceId,
    now: I.now,
    random: scriptedRandom([
      pattern(I.alice.signingSeed),
      pattern(I.alice.identitySecret),
      pattern(I.alice.signedPrekeySecret),
    ]),
  });
  const bobBase = generateDeviceKeys({
    userId: I.bob.userId,
    deviceId: I.bob.deviceId,
    now: I.now,
    random: scriptedRandom([
      pattern(I.bob.signingSeed),
      pattern(I.bob.identitySecret),
      pattern(I.bob.signedPrekeySecret),
    ]),
  });
  const bobOtp = generateOneTimePrekeys(bobBase, 1, scriptedRandom([pattern(I.bob.oneTimePrekeySecret)]));
  const bobKeys = bobOtp.keys;
  const otp = bobOtp.prekeys[0] as OneTimePrekeyPrivate;
  const bundle = publicBundle(bobKeys, [otp]);

  // --- X3DH and the first three ratchet messages (draw order: ephemeral, then each new ratchet key)
  const x3dh = x3dhInitiate(
    { identity: aliceKeys.identity, identityKeyPair: aliceKeys.identityKeyPair },
    bundle,
    scriptedRandom([pattern(I.aliceEphemeral)]),
  );
  let alice = createOutboundPairwiseSession(
    aliceKeys,
    bundle,
    scriptedRandom([pattern(I.aliceEphemeral), pattern(I.aliceRatchet1)]),
  );
  const exchange: KnownAnswerVectors['exchange'] = [];
  const m1 = ratchetEncrypt(alice, utf8Encode('hello bob'));
  alice = m1.session;
  exchange.push({ from: 'alice', plaintext: 'hello bob', message: hex(m1.message) });
  const parsed1 = decodePairwiseMessage(m1.message);
  let bob = createInboundPairwiseSession(bobKeys, parsed1.preamble as NonNullable<typeof parsed1.preamble>, otp);
  bob = ratchetDecrypt(bob, parsed1, scriptedRandom([pattern(I.bobRatchet1)])).session;
  const m2 = ratchetEncrypt(bob, utf8Encode('hi alice'));
  exchange.push({ from: 'bob', plaintext: 'hi alice', message: hex(m2.message) });
  alice = ratchetDecrypt(alice, decodePairwiseMessage(m2.message), scriptedRandom([pattern(I.aliceRatchet2)])).session;
  const m3 = ratchetEncrypt(alice, utf8Encode('ratchet turned'));
  exchange.push({ from: 'alice', plaintext: 'ratchet turned', message: hex(m3.message) });

  // --- Double Ratchet KDF steps on fixed inputs
  const root = kdfRoot(pattern(0x01), pattern(0x02));
  const chain = kdfChain(pattern(0x03));

  // --- sender key chain (draw order: session id 16, chain key 32, signing seed 32)
  const sk = createOutboundSenderKey(
    { conversationId: 'conv-1', senderUserId: I.alice.userId, senderDeviceId: I.alice.deviceId, epoch: 1, now: I.now },
    scriptedRandom([
      pattern(I.senderKey.sessionId, 16),
      pattern(I.senderKey.chainKey),
      pattern(I.senderKey.signingSeed),
    ]),
  );
  const steps: KnownAnswerVectors['senderKey']['steps'] = [];
  let ck = sk.chainKey;
  for (let index = 0; index < 3; index += 1) {
    const step = senderKeyStep(ck);
    steps.push({ index, messageKey: hex(step.messageKey), nextChainKey: hex(step.nextChainKey) });
    ck = step.nextChainKey;
  }
  const compliance = x25519KeyPairFromSecret(pattern(I.compliance));
  const escrowed = { sessionId: sk.sessionId, chainKey: sk.chainKey, signingKey: sk.signing.publicKey };
  const wrap = escrowWrap(escrowed, compliance.publicKey);
  const content = { type: 'text' as const, body: '你好, group', mentions: [], replyTo: null };
  const group = encryptGroupMessage(
    { ...sk, escrow: { compliancePublicKey: compliance.publicKey, wrap } },
    {
      clientMsgId: '0190f5c2-7d6e-7000-8000-000000000001',
      policyVersion: 7,
      content,
      nonce: pattern(I.senderKey.nonce, 24),
    },
  );

  // --- history, recovery, safety number
  const historyKey = pattern(I.historyKey);
  const backup = encryptSessionBackup(
    historyKey,
    exportOutboundSenderKey(sk),
    scriptedRandom([pattern(I.backupNonce, 24)]),
  );
  const recoveryKey = pattern(I.recoveryKey);
  const recoveryWrap = wrapHistoryKey(
    historyKey,
    { recoveryKey },
    { random: scriptedRandom([pattern(I.recoveryNonce, 24)]) },
  );
  const sn = safetyNumber(
    { userId: I.alice.userId, deviceKeys: [aliceKeys.identity.signingKey] },
    { userId: I.bob.userId, deviceKeys: [bobKeys.identity.signingKey] },
  );

  return {
    kdf: kdfVectors,
    doubleRatchet: {
      rootKeyIn: hex(pattern(0x01)),
      dhOutput: hex(pattern(0x02)),
      rootKeyOut: hex(root.rootKey),
      chainKeyOut: hex(root.chainKey),
      chainKeyIn: hex(pattern(0x03)),
      messageKey: hex(chain.messageKey),
      nextChainKey: hex(chain.nextChainKey),
      messageNonce: hex(messageNonce(chain.messageKey)),
    },
    x3dh: {
      aliceSigningKey: hex(aliceKeys.identity.signingKey),
      aliceIdentityKey: hex(aliceKeys.identity.identityKey),
      aliceIdentitySignature: hex(aliceKeys.identity.signature),
      bobSigningKey: hex(bobKeys.identity.signingKey),
      bobIdentityKey: hex(bobKeys.identity.identityKey),
      bobSignedPrekey: hex(bundle.signedPrekey.publicKey),
      bobSignedPrekeySignature: hex(bundle.signedPrekey.signature),
      bobOneTimePrekey: hex(otp.keyPair.publicKey),
      bobBundle: hex(encodeBundle(bundle)),
      aliceEphemeralKey: hex(x3dh.ephemeralKey.publicKey),
      sharedSecret: hex(x3dh.sharedSecret),
      sessionId: hex(x3dh.sessionId),
    },
    exchange,
    senderKey: {
      chainKey0: hex(sk.chainKey),
      steps,
      envelope: hex(encodeEnvelope(group.envelope)),
      content: JSON.stringify(content),
    },
    escrow: { compliancePublicKey: hex(compliance.publicKey), wrap: hex(wrap) },
    history: {
      historyKey: hex(historyKey),
      backupItem: hex(backup.blob),
      recoveryKey: hex(recoveryKey),
      recoveryWords: recoveryKeyToWords(recoveryKey),
      recoveryWrap: hex(recoveryWrap),
    },
    safetyNumber: { digits: sn.digits, qr: hex(sn.qr) },
  };
}

export { fromHex };
