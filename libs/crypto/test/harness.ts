import { type KeyDirectory, MiyuCrypto } from '../src/api.js';
import type { PublicBundle } from '../src/keys.js';
import { MemoryCryptoStore } from '../src/store.js';
import { type DeviceAddress, deviceKey } from '../src/sender-keys.js';

/** A fake key directory: devices publish bundles; claims hand out one one-time prekey each. */
export class FakeDirectory implements KeyDirectory {
  private readonly bundles = new Map<string, PublicBundle>();
  claims = 0;

  publish(bundle: PublicBundle): void {
    const key = deviceKey(bundle.identity);
    const existing = this.bundles.get(key);
    this.bundles.set(key, {
      ...bundle,
      oneTimePrekeys: [...(existing?.oneTimePrekeys ?? []), ...bundle.oneTimePrekeys],
    });
  }

  async claimBundles(devices: readonly DeviceAddress[]): Promise<PublicBundle[]> {
    this.claims += 1;
    const out: PublicBundle[] = [];
    for (const d of devices) {
      const bundle = this.bundles.get(deviceKey(d));
      if (!bundle) continue;
      const [otp, ...rest] = bundle.oneTimePrekeys;
      this.bundles.set(deviceKey(d), { ...bundle, oneTimePrekeys: rest });
      out.push({ ...bundle, oneTimePrekeys: otp ? [otp] : [] });
    }
    return out;
  }
}

export interface TestDevice {
  crypto: MiyuCrypto;
  store: MemoryCryptoStore;
  address: DeviceAddress;
}

export async function makeDevice(
  directory: FakeDirectory,
  userId: string,
  deviceId: string,
  options: { prekeys?: number; now?: () => number } = {},
): Promise<TestDevice> {
  const store = new MemoryCryptoStore();
  const crypto = await MiyuCrypto.create({
    store,
    directory,
    userId,
    deviceId,
    ...(options.now ? { now: options.now } : {}),
  });
  directory.publish(await crypto.createPrekeyBundle(options.prekeys ?? 3));
  return { crypto, store, address: { userId, deviceId } };
}
