import sodium from 'libsodium-wrappers-sumo';
import { CryptoError } from './errors.js';

export type Sodium = typeof sodium;

let initialised = false;

/** Loads libsodium (WebAssembly). Call once before anything else; further calls are cheap. */
export async function ready(): Promise<void> {
  await sodium.ready;
  initialised = true;
}

/** The initialised libsodium instance; throws `NOT_READY` before `ready()` resolved. */
export function lib(): Sodium {
  if (!initialised) throw new CryptoError('NOT_READY', 'call ready() before using @miyu/crypto');
  return sodium;
}
