import { bytesEqual } from './bytes.js';
import { fail } from './errors.js';
import type { DeviceKeys, OneTimePrekeyPrivate, PublicBundle } from './keys.js';
import { type PrekeyPreamble, type RatchetSession, initiatorSession, responderSession } from './ratchet.js';
import { type RandomSource, systemRandom, x25519KeyPairFromSecret } from './primitives.js';
import { x3dhInitiate, x3dhRespond } from './x3dh.js';

/** Glue between device keys, X3DH and the Double Ratchet: opening a pairwise session from either side. */

export function createOutboundPairwiseSession(
  keys: DeviceKeys,
  bundle: PublicBundle,
  random: RandomSource = systemRandom,
): RatchetSession {
  const x3dh = x3dhInitiate({ identity: keys.identity, identityKeyPair: keys.identityKeyPair }, bundle, random);
  return initiatorSession(x3dh, keys.identity, bundle.identity, random);
}

/**
 * Builds the responder's session from a prekey message's preamble. `oneTimePrekey` is the private key the
 * preamble names (looked up by the caller); nothing is deleted here — the caller deletes the one-time prekey
 * only after the first message decrypted.
 */
export function createInboundPairwiseSession(
  keys: DeviceKeys,
  preamble: PrekeyPreamble,
  oneTimePrekey: OneTimePrekeyPrivate | null,
): RatchetSession {
  const spk = keys.signedPrekeys.find((k) => k.id === preamble.signedPrekeyId);
  if (!spk) fail('UNKNOWN_PREKEY', `signed prekey ${preamble.signedPrekeyId} is not held`);
  if (preamble.oneTimePrekeyId !== null && (!oneTimePrekey || oneTimePrekey.id !== preamble.oneTimePrekeyId)) {
    fail('UNKNOWN_PREKEY', `one-time prekey ${preamble.oneTimePrekeyId} is not held`);
  }
  if (preamble.oneTimePrekeyId === null && oneTimePrekey) fail('INVALID_ARGUMENT', 'unexpected one-time prekey');
  if (bytesEqual(preamble.initiator.signingKey, keys.identity.signingKey))
    fail('INVALID_ARGUMENT', 'session with oneself');
  const spkPair = x25519KeyPairFromSecret(spk.secretKey);
  const x3dh = x3dhRespond(
    { identity: keys.identity, identityKeyPair: keys.identityKeyPair },
    spkPair,
    oneTimePrekey ? oneTimePrekey.keyPair : null,
    preamble.initiator,
    preamble.ephemeralKey,
  );
  return responderSession(x3dh, spkPair, preamble.initiator);
}
