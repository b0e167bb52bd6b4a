import { MemoryCryptoStore, MiyuCrypto, ready } from '@miyu/crypto';
import type { DeviceDto } from '@miyu/protocol';
import type { ApiClient } from '../../../lib/apiClient';
import type { ChatApi } from './chatApi';
import { maintainDeviceKeys, PREKEY_LOW_WATER } from './keyMaintenance';

const USER = '0190a0a0-0000-7000-8000-000000000001';
const DEVICE = '0190a0a0-0000-7000-8000-0000000000d1';

async function setUp(available: number, now: () => number) {
  await ready();
  const crypto = await MiyuCrypto.create({
    store: new MemoryCryptoStore(),
    userId: USER,
    deviceId: DEVICE,
    directory: { claimBundles: async () => [] },
    now,
  });
  await crypto.createPrekeyBundle(5);
  const device = { id: DEVICE, userId: USER, oneTimePrekeysAvailable: available } as DeviceDto;
  const api = { devicesOf: async () => [device] } as unknown as ChatApi;
  const sent: Array<{ method: string; path: string; body: unknown }> = [];
  const http = {
    send: async (method: string, path: string, options?: { body?: unknown }) => {
      sent.push({ method, path, body: options?.body });
    },
  } as unknown as ApiClient;
  return { crypto, api, http, sent };
}

describe('device key maintenance', () => {
  it('publishes new one-time prekeys only when the server runs low', async () => {
    const plenty = await setUp(PREKEY_LOW_WATER, () => Date.now());
    expect(await maintainDeviceKeys({ ...plenty, userId: USER, deviceId: DEVICE })).toEqual({
      refilled: 0,
      rotated: false,
    });
    expect(plenty.sent).toEqual([]);

    const low = await setUp(3, () => Date.now());
    const result = await maintainDeviceKeys({ ...low, userId: USER, deviceId: DEVICE });
    expect(result.refilled).toBe(50);
    expect(low.sent).toHaveLength(1);
    expect(low.sent[0]).toMatchObject({ method: 'POST', path: `/api/devices/${DEVICE}/prekeys` });
    const keys = (low.sent[0]!.body as { oneTimePrekeys: Array<{ id: number; publicKey: string }> }).oneTimePrekeys;
    expect(keys).toHaveLength(50);
    expect(new Set(keys.map((k) => k.id)).size).toBe(50);
    expect(keys.every((k) => /^[A-Za-z0-9_-]{43}$/.test(k.publicKey))).toBe(true);
  });

  it('rotates the signed prekey when it is due and publishes the signed replacement', async () => {
    let now = Date.now();
    const device = await setUp(PREKEY_LOW_WATER, () => now);
    now += 60 * 24 * 3600 * 1000; // far beyond any rotation interval
    const result = await maintainDeviceKeys({ ...device, userId: USER, deviceId: DEVICE });
    expect(result.rotated).toBe(true);
    const put = device.sent.find((s) => s.method === 'PUT');
    expect(put?.path).toBe(`/api/devices/${DEVICE}/signed-prekey`);
    expect(put?.body).toMatchObject({ createdAt: now, signature: expect.stringMatching(/^[A-Za-z0-9_-]{86}$/) });
  });
});
