import { fail } from './errors.js';
import { KdfLabel, kdf } from './kdf.js';
import { type DeviceIdentity, type PublicBundle, verifyBundle, verifyDeviceIdentity } from './keys.js';
import { type RandomSource, type X25519KeyPair, systemRandom, x25519, x25519GenerateKeyPair } from './primitives.js';

/**
 * X3DH (docs/protocol.md §5). With A the initiator and B the responder:
 *   DH1 = X25519(IK_A, SPK_B)  DH2 = X25519(EK_A, IK_B)  DH3 = X25519(EK_A, SPK_B)  DH4 = X25519(EK_A, OPK_B) | ε
 *   SK  = KDF(∅, "miyu/v1/x3dh/secret", [DH1, DH2, DH3, DH4, SIG_A, IK_A, SIG_B, IK_B], 32)
 *   sessionId = KDF(∅, "miyu/v1/x3dh/session-id", [EK_A, IK_A, IK_B], 16)
 * The identity keys are bound into SK itself, so no separate associated-data prefix is needed later.
 */

export interface X3dhResult {
  sharedSecret: Uint8Array;
  sessionId: Uint8Array;
}

export interface X3dhInitiation extends X3dhResult {
  ephemeralKey: X25519KeyPair;
  signedPrekeyId: number;
  /** The responder's signed prekey: the first receiving ratchet key of the initiator. */
  signedPrekey: Uint8Array;
  oneTimePrekeyId: number | null;
}

function deriveSecret(
  dh: readonly Uint8Array[],
  dh4: Uint8Array | null,
  initiator: DeviceIdentity,
  responder: DeviceIdentity,
): Uint8Array {
  return kdf(
    null,
    KdfLabel.X3DH_SECRET,
    [
      ...dh,
      dh4 ?? new Uint8Array(0),
      initiator.signingKey,
      initiator.identityKey,
      responder.signingKey,
      responder.identityKey,
    ],
    32,
  );
}

export function x3dhSessionId(
  ephemeralKey: Uint8Array,
  initiator: DeviceIdentity,
  responder: DeviceIdentity,
): Uint8Array {
  return kdf(null, KdfLabel.X3DH_SESSION_ID, [ephemeralKey, initiator.identityKey, responder.identityKey], 16);
}

/** Initiator side. The bundle is verified here; it must carry at most one (claimed) one-time prekey. */
export function x3dhInitiate(
  own: { identity: DeviceIdentity; identityKeyPair: X25519KeyPair },
  bundle: PublicBundle,
  random: RandomSource = systemRandom,
): X3dhInitiation {
  verifyBundle(bundle);
  if (bundle.oneTimePrekeys.length > 1)
    fail('INVALID_ARGUMENT', 'a claimed bundle carries at most one one-time prekey');
  const otp = bundle.oneTimePrekeys[0] ?? null;
  const ephemeralKey = x25519GenerateKeyPair(random);
  const spk = bundle.signedPrekey.publicKey;
  const dh1 = x25519(own.identityKeyPair.secretKey, spk);
  const dh2 = x25519(ephemeralKey.secretKey, bundle.identity.identityKey);
  const dh3 = x25519(ephemeralKey.secretKey, spk);
  const dh4 = otp ? x25519(ephemeralKey.secretKey, otp.publicKey) : null;
  return {
    sharedSecret: deriveSecret([dh1, dh2, dh3], dh4, own.identity, bundle.identity),
    sessionId: x3dhSessionId(ephemeralKey.publicKey, own.identity, bundle.identity),
    ephemeralKey,
    signedPrekeyId: bundle.signedPrekey.id,
    signedPrekey: spk,
    oneTimePrekeyId: otp ? otp.id : null,
  };
}

/** Responder side, from the fields of a prekey message. Pure: deletes nothing. */
export function x3dhRespond(
  own: { identity: DeviceIdentity; identityKeyPair: X25519KeyPair },
  signedPrekey: X25519KeyPair,
  oneTimePrekey: X25519KeyPair | null,
  initiator: DeviceIdentity,
  ephemeralKey: Uint8Array,
): X3dhResult {
  verifyDeviceIdentity(initiator);
  const dh1 = x25519(signedPrekey.secretKey, initiator.identityKey);
  const dh2 = x25519(own.identityKeyPair.secretKey, ephemeralKey);
  const dh3 = x25519(signedPrekey.secretKey, ephemeralKey);
  const dh4 = oneTimePrekey ? x25519(oneTimePrekey.secretKey, ephemeralKey) : null;
  return {
    sharedSecret: deriveSecret([dh1, dh2, dh3], dh4, initiator, own.identity),
    sessionId: x3dhSessionId(ephemeralKey, initiator, own.identity),
  };
}
