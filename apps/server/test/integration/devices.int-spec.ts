import {
  bundleFromJson,
  bundleToJson,
  currentSignedPrekey,
  type DeviceKeys,
  generateDeviceKeys,
  generateOneTimePrekeys,
  publicBundle,
  ready,
  rotateSignedPrekey,
  toBase64Url,
  verifyBundle,
} from '@miyu/crypto';
import type { ClaimKeysResponse, DeviceDto, DeviceRemovedEvent, UserDto } from '@miyu/protocol';
import { uuidv7 } from '../../src/common/security/uuid.js';
import { TestClient } from '../support/http-client.js';
import { connected, connectError, connectSocket, nextDisconnect, type ClientSocket } from '../support/socket-client.js';
import { startTestServer, type TestServer } from '../support/test-server.js';

/** A browser-side device: real keys from libs/crypto, and the registration body the web client would send. */
function newDevice(
  userId: string,
  prekeys = 5,
): { keys: DeviceKeys; body: { name: string; bundle: ReturnType<typeof bundleToJson> } } {
  const base = generateDeviceKeys({ userId, deviceId: uuidv7() });
  const { keys, prekeys: otks } = generateOneTimePrekeys(base, prekeys);
  return { keys, body: { name: 'Chromium on Linux', bundle: bundleToJson(publicBundle(keys, otks)) } };
}

describe('devices and key directory (real PostgreSQL, real libs/crypto bundles)', () => {
  let t: TestServer;
  let admin: TestClient;
  let alice: TestClient;
  let bob: TestClient;
  let aliceUser: UserDto;
  const sockets: ClientSocket[] = [];

  beforeAll(async () => {
    await ready();
    t = await startTestServer();
    admin = new TestClient(t.url);
    await admin.setupAdmin();
    for (const login of ['alice', 'bob']) {
      await admin.request('POST', '/api/admin/users', { login, displayName: login, password: `${login}-password-1` });
    }
    alice = new TestClient(t.url);
    aliceUser = (await alice.login('alice', 'alice-password-1')).body.user;
    bob = new TestClient(t.url);
    await bob.login('bob', 'bob-password-1');
  });
  afterAll(async () => {
    sockets.forEach((s) => s.disconnect());
    await t.close();
  });

  it('registers a device after verifying its bundle, and lists it for anyone', async () => {
    const d = newDevice(aliceUser.id);
    const res = await alice.request<DeviceDto>('POST', '/api/devices', d.body);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ id: d.keys.identity.deviceId, userId: aliceUser.id, oneTimePrekeysAvailable: 5 });
    const list = await bob.request<DeviceDto[]>('GET', `/api/users/${aliceUser.id}/devices`);
    expect(list.body.map((x) => x.id)).toContain(d.keys.identity.deviceId);
    expect((await alice.request('POST', '/api/devices', d.body)).body).toMatchObject({
      error: { code: 'DEVICE_ALREADY_REGISTERED' },
    });
  });

  it('refuses bundles with a bad signature, for another user, or malformed', async () => {
    const d = newDevice(aliceUser.id);
    const bytes = Buffer.from(d.body.bundle.bundle, 'base64url');
    bytes[60] = bytes[60]! ^ 0x01; // inside the signed identity
    const flipped = { ...d.body, bundle: { v: 1, bundle: bytes.toString('base64url') } };
    expect((await alice.request('POST', '/api/devices', flipped)).body).toMatchObject({
      error: { code: 'DEVICE_BUNDLE_INVALID' },
    });
    expect((await bob.request('POST', '/api/devices', d.body)).body).toMatchObject({
      error: { code: 'DEVICE_IDENTITY_MISMATCH' },
    });
    const truncated = { ...d.body, bundle: { v: 1, bundle: d.body.bundle.bundle.slice(0, 40) } };
    expect((await alice.request('POST', '/api/devices', truncated)).body).toMatchObject({
      error: { code: 'DEVICE_BUNDLE_INVALID' },
    });
    const wrongShape = { ...d.body, bundle: { v: 2, bundle: '!!' } };
    expect((await alice.request('POST', '/api/devices', wrongShape)).body).toMatchObject({
      error: { code: 'VALIDATION_FAILED' },
    });
    const nonUuid = generateDeviceKeys({ userId: aliceUser.id, deviceId: 'not-a-uuid' });
    const res = await alice.request('POST', '/api/devices', { name: 'x', bundle: bundleToJson(publicBundle(nonUuid)) });
    expect(res.body).toMatchObject({ error: { code: 'DEVICE_BUNDLE_INVALID' } });
  });

  it('hands each one-time prekey out once, even to concurrent claimers, then falls back to the signed prekey', async () => {
    const d = newDevice(aliceUser.id, 3);
    await alice.request('POST', '/api/devices', d.body);
    const deviceId = d.keys.identity.deviceId;
    const claims = await Promise.all(
      Array.from({ length: 5 }, () =>
        bob.request<ClaimKeysResponse>('POST', '/api/keys/claim', { deviceIds: [deviceId] }),
      ),
    );
    const claimedIds = claims.flatMap((c) => bundleFromJson(c.body.bundles[0]!.bundle).oneTimePrekeys.map((k) => k.id));
    const published = bundleFromJson(d.body.bundle).oneTimePrekeys.map((k) => k.id);
    expect(published).toHaveLength(3);
    expect(claimedIds.sort()).toEqual(published.sort());
    for (const c of claims) {
      const b = verifyBundle(bundleFromJson(c.body.bundles[0]!.bundle));
      expect(b.identity.deviceId).toBe(deviceId);
      expect(b.oneTimePrekeys.length).toBeLessThanOrEqual(1);
    }
    const missing = await bob.request<ClaimKeysResponse>('POST', '/api/keys/claim', { deviceIds: [uuidv7()] });
    expect(missing.body.bundles).toEqual([]);
    expect(missing.body.missing).toHaveLength(1);
  });

  it('refills prekeys and rotates the signed prekey only with valid keys from the owner', async () => {
    const d = newDevice(aliceUser.id, 1);
    const deviceId = d.keys.identity.deviceId;
    await alice.request('POST', '/api/devices', d.body);
    const { prekeys } = generateOneTimePrekeys(d.keys, 4);
    const body = { oneTimePrekeys: prekeys.map((p) => ({ id: p.id, publicKey: toBase64Url(p.keyPair.publicKey) })) };
    expect((await bob.request('POST', `/api/devices/${deviceId}/prekeys`, body)).status).toBe(403);
    const refilled = await alice.request<DeviceDto>('POST', `/api/devices/${deviceId}/prekeys`, body);
    expect(refilled.body.oneTimePrekeysAvailable).toBe(5);
    const lowOrder = { oneTimePrekeys: [{ id: 999, publicKey: toBase64Url(new Uint8Array(32)) }] };
    expect((await alice.request('POST', `/api/devices/${deviceId}/prekeys`, lowOrder)).body).toMatchObject({
      error: { code: 'DEVICE_BUNDLE_INVALID' },
    });

    const rotated = currentSignedPrekey(rotateSignedPrekey(d.keys, Date.now()));
    const spk = {
      id: rotated.id,
      publicKey: toBase64Url(rotated.publicKey),
      createdAt: rotated.createdAt,
      signature: toBase64Url(rotated.signature),
    };
    const forged = { ...spk, createdAt: spk.createdAt + 1 };
    expect((await alice.request('PUT', `/api/devices/${deviceId}/signed-prekey`, forged)).body).toMatchObject({
      error: { code: 'DEVICE_BUNDLE_INVALID' },
    });
    expect((await alice.request('PUT', `/api/devices/${deviceId}/signed-prekey`, spk)).status).toBe(200);
    const claimed = await bob.request<ClaimKeysResponse>('POST', '/api/keys/claim', { deviceIds: [deviceId] });
    expect(bundleFromJson(claimed.body.bundles[0]!.bundle).signedPrekey.id).toBe(rotated.id);
  });

  it('joins the device room only for an own, active device, and ends its sockets when it is removed', async () => {
    const d = newDevice(aliceUser.id);
    const deviceId = d.keys.identity.deviceId;
    await alice.request('POST', '/api/devices', d.body);
    const bobsView = connectSocket(t.url, bob.cookie!, t.url, deviceId);
    sockets.push(bobsView);
    expect((await connectError(bobsView)).message).toBe('DEVICE_NOT_FOUND');

    const deviceSocket = connectSocket(t.url, alice.cookie!, t.url, deviceId);
    const otherSocket = connectSocket(t.url, alice.cookie);
    sockets.push(deviceSocket, otherSocket);
    await Promise.all([connected(deviceSocket), connected(otherSocket)]);
    const told = new Promise<DeviceRemovedEvent>((resolve) => otherSocket.once('device:removed', resolve));
    const ended = nextDisconnect(deviceSocket);
    expect((await bob.request('DELETE', `/api/devices/${deviceId}`)).status).toBe(404);
    expect((await alice.request('DELETE', `/api/devices/${deviceId}`)).status).toBe(204);
    expect(await told).toEqual({ deviceId, userId: aliceUser.id, reason: 'removed_by_user' });
    expect(await ended).toBe('io server disconnect');
    expect(otherSocket.connected).toBe(true);
    const list = await bob.request<DeviceDto[]>('GET', `/api/users/${aliceUser.id}/devices`);
    expect(list.body.map((x) => x.id)).not.toContain(deviceId);
    expect(
      (await bob.request<ClaimKeysResponse>('POST', '/api/keys/claim', { deviceIds: [deviceId] })).body.missing,
    ).toEqual([deviceId]);
  });

  it('revokes every device of a user an admin disables, and drops their prekeys', async () => {
    const carol = (
      await admin.request<UserDto>('POST', '/api/admin/users', {
        login: 'carol',
        displayName: 'carol',
        password: 'carol-password-1',
      })
    ).body;
    const c = new TestClient(t.url);
    await c.login('carol', 'carol-password-1');
    const d = newDevice(carol.id);
    await c.request('POST', '/api/devices', d.body);
    await admin.request('PATCH', `/api/admin/users/${carol.id}`, { status: 'disabled' });
    const left = await t.dataSource.query(
      `SELECT (SELECT count(*)::int FROM devices WHERE user_id = $1 AND revoked_at IS NULL) AS devices,
              (SELECT count(*)::int FROM one_time_prekeys WHERE device_id = $2) AS prekeys`,
      [carol.id, d.keys.identity.deviceId],
    );
    expect(left[0]).toEqual({ devices: 0, prekeys: 0 });
  });
});
