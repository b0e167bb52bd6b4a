import { bundleFromJson, bundleToJson, MiyuCrypto, ready } from '@miyu/crypto';
import { isApiError } from '../../../lib/apiClient';
import { summarizeUserAgent } from '../../../lib/userAgent';
import type { ChatApi } from './chatApi';
import type { DeviceStore } from './deviceStore';

/** One-time prekeys published at registration; X3DH falls back to the signed prekey when they run out. */
export const INITIAL_ONE_TIME_PREKEYS = 50;

export interface OpenedDevice {
  crypto: MiyuCrypto;
  deviceId: string;
  /** True when this call registered the device (first sign-in on this browser profile). */
  registered: boolean;
}

/** The server no longer knows this browser's device (removed by the user or an admin): start over. */
export class DeviceGoneError extends Error {
  constructor() {
    super('this device was removed; its keys must be deleted and a new device set up');
  }
}

/**
 * Opens this browser's device for `userId`, registering it on first use. The device id is remembered as
 * "pending" before registration, so a registration whose answer was lost is completed, not duplicated.
 */
export async function openDevice(options: {
  api: ChatApi;
  store: DeviceStore;
  userId: string;
  deviceName: string;
}): Promise<OpenedDevice> {
  const { api, store, userId } = options;
  await ready();
  const known = await store.getMeta<string>('deviceId');
  const pending = await store.getMeta<string>('pendingDeviceId');
  const deviceId = known ?? pending ?? crypto.randomUUID();
  const cryptoApi = await MiyuCrypto.create({
    store,
    userId,
    deviceId,
    directory: {
      claimBundles: async (devices) => {
        if (devices.length === 0) return [];
        const res = await api.claimKeys(devices.map((d) => d.deviceId));
        return res.bundles.map((b) => bundleFromJson(b.bundle));
      },
    },
  });
  const mine = await api.devicesOf(userId);
  const onServer = mine.some((d) => d.id === deviceId);
  if (known) {
    if (!onServer) throw new DeviceGoneError();
    return { crypto: cryptoApi, deviceId, registered: false };
  }
  if (!pending) await store.setMeta('pendingDeviceId', deviceId);
  if (!onServer) {
    const bundle = await cryptoApi.createPrekeyBundle(INITIAL_ONE_TIME_PREKEYS);
    try {
      await api.registerDevice({ name: options.deviceName, bundle: bundleToJson(bundle) });
    } catch (error) {
      // A registration that raced with itself (two tabs): fine if the device now exists.
      if (!isApiError(error) || !(await api.devicesOf(userId)).some((d) => d.id === deviceId)) throw error;
    }
  }
  await store.setMeta('deviceId', deviceId);
  await store.setMeta('pendingDeviceId', null);
  return { crypto: cryptoApi, deviceId, registered: true };
}

/** A readable device name from the browser, e.g. "Chrome on Linux" (shown in device lists and to contacts). */
export function browserDeviceName(userAgent: string): string {
  const { browser, os } = summarizeUserAgent(userAgent);
  return `${browser ?? 'Browser'} on ${os ?? 'unknown OS'}`;
}
