import { bundleFromJson, bundleToJson, MemoryCryptoStore, MiyuCrypto } from '@miyu/crypto';
import type { ClaimKeysResponse, DeviceDto } from '@miyu/protocol';
import { uuidv7 } from '../../src/common/security/uuid.js';
import type { TestClient } from './http-client.js';

/**
 * A new E2E device of the signed-in user, as a client makes one: libs/crypto keys in memory, the key directory
 * reached through the REST API (bundles claimed with POST /api/keys/claim), and the device registered with its
 * prekey bundle. A refused claim throws `HTTP_<status>`.
 */
export async function registerDevice(
  http: TestClient,
  userId: string,
  options: { name?: string; oneTimePrekeys?: number } = {},
): Promise<{ deviceId: string; crypto: MiyuCrypto }> {
  const deviceId = uuidv7();
  const crypto = await MiyuCrypto.create({
    store: new MemoryCryptoStore(),
    userId,
    deviceId,
    directory: {
      claimBundles: async (devices) => {
        const res = await http.request<ClaimKeysResponse>('POST', '/api/keys/claim', {
          deviceIds: devices.map((d) => d.deviceId),
        });
        if (res.status !== 200) throw new Error(`HTTP_${res.status}`);
        return res.body.bundles.map((b) => bundleFromJson(b.bundle));
      },
    },
  });
  const reg = await http.request<DeviceDto>('POST', '/api/devices', {
    name: options.name ?? 'test device',
    bundle: bundleToJson(await crypto.createPrekeyBundle(options.oneTimePrekeys ?? 20)),
  });
  if (reg.status !== 201) throw new Error(`device registration failed: ${JSON.stringify(reg.body)}`);
  return { deviceId, crypto };
}
