import { type MiyuCrypto, toBase64Url } from '@miyu/crypto';
import type { ApiClient } from '../../../lib/apiClient';
import type { ChatApi } from './chatApi';
import { INITIAL_ONE_TIME_PREKEYS } from './device';

/** Refill when the server holds fewer one-time prekeys than this (others then fall back to the signed prekey). */
export const PREKEY_LOW_WATER = 20;

/**
 * Keeps this device reachable with forward secrecy: publishes new one-time prekeys when the server's stock runs
 * low, and rotates the signed prekey when it is due (libs/crypto decides; the server verifies the signature).
 * Returns what it did, for tests and logs.
 */
export async function maintainDeviceKeys(options: {
  api: ChatApi;
  http: ApiClient;
  crypto: MiyuCrypto;
  userId: string;
  deviceId: string;
}): Promise<{ refilled: number; rotated: boolean }> {
  const { api, http, crypto, userId, deviceId } = options;
  const path = `/api/devices/${encodeURIComponent(deviceId)}`;
  const self = (await api.devicesOf(userId)).find((d) => d.id === deviceId);
  let refilled = 0;
  if (self && self.oneTimePrekeysAvailable < PREKEY_LOW_WATER) {
    const bundle = await crypto.createPrekeyBundle(INITIAL_ONE_TIME_PREKEYS);
    await http.send('POST', `${path}/prekeys`, {
      body: {
        oneTimePrekeys: bundle.oneTimePrekeys.map((k) => ({ id: k.id, publicKey: toBase64Url(k.publicKey) })),
      },
    });
    refilled = bundle.oneTimePrekeys.length;
  }
  const rotated = await crypto.rotateSignedPrekeyIfDue();
  if (rotated) {
    const { signedPrekey } = await crypto.createPrekeyBundle(0);
    await http.send('PUT', `${path}/signed-prekey`, {
      body: {
        id: signedPrekey.id,
        publicKey: toBase64Url(signedPrekey.publicKey),
        createdAt: signedPrekey.createdAt,
        signature: toBase64Url(signedPrekey.signature),
      },
    });
  }
  return { refilled, rotated };
}
