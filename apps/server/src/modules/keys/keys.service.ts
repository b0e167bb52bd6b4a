import { Injectable, type OnModuleInit } from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import {
  bundleFromJson,
  bundleToJson,
  CryptoError,
  decodeDeviceIdentity,
  encodeDeviceIdentity,
  fromBase64Url,
  ready as cryptoReady,
  toBase64Url,
  verifyBundle,
  type PublicBundle,
} from '@miyu/crypto';
import {
  type ClaimKeysResponse,
  type DeviceAddedEvent,
  type DeviceDto,
  type DeviceRemovedEvent,
  MAX_ONE_TIME_PREKEYS,
  type RegisterDeviceRequest,
} from '@miyu/protocol';
import { ForbiddenError } from '../../common/errors/domain-error.js';
import type { Actor } from '../auth/auth.types.js';
import { AUDIT_EVENT, type AuditRecord } from '../audit/audit.events.js';
import { DeviceEntity } from './entities/device.entity.js';
import { KeysError } from './keys.errors.js';
import { KeysRepository } from './keys.repository.js';

export const DEVICE_ADDED_EVENT = 'keys.device.added';
export const DEVICE_REMOVED_EVENT = 'keys.device.removed';
export const MAX_DEVICES_PER_USER = 20;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/**
 * Devices and the key directory. The server stores public keys only, and only after verifying every signature
 * with libs/crypto; one-time prekeys are handed out once each.
 */
@Injectable()
export class KeysService implements OnModuleInit {
  constructor(
    private readonly keys: KeysRepository,
    private readonly events: EventEmitter2,
  ) {}

  async onModuleInit(): Promise<void> {
    await cryptoReady();
  }

  async register(actor: Actor, request: RegisterDeviceRequest): Promise<DeviceDto> {
    const bundle = parseBundle(request.bundle);
    const { identity } = bundle;
    if (identity.userId !== actor.userId) throw KeysError.identityMismatch();
    if (!UUID.test(identity.deviceId)) throw KeysError.bundleInvalid('the device id must be a lowercase UUID');
    if (bundle.oneTimePrekeys.length > MAX_ONE_TIME_PREKEYS) throw KeysError.prekeysFull(MAX_ONE_TIME_PREKEYS);
    const now = new Date();
    const device = Object.assign(new DeviceEntity(), {
      id: identity.deviceId,
      userId: actor.userId,
      name: request.name,
      identity: Buffer.from(encodeDeviceIdentity(identity)),
      signingKey: Buffer.from(identity.signingKey),
      signedPrekeyId: String(bundle.signedPrekey.id),
      signedPrekey: Buffer.from(bundle.signedPrekey.publicKey),
      signedPrekeyCreatedAt: String(bundle.signedPrekey.createdAt),
      signedPrekeySignature: Buffer.from(bundle.signedPrekey.signature),
      createdAt: now,
      lastSeenAt: now,
      revokedAt: null,
      revokeReason: null,
    });
    await this.keys.transaction(async (manager) => {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`miyu:devices:${actor.userId}`]);
      if ((await this.keys.countActiveDevices(actor.userId, manager)) >= MAX_DEVICES_PER_USER) {
        throw KeysError.deviceLimit(MAX_DEVICES_PER_USER);
      }
      try {
        await this.keys.insertDevice(device, manager);
      } catch (err) {
        if ((err as { driverError?: { code?: string } }).driverError?.code === '23505')
          throw KeysError.alreadyRegistered();
        throw err;
      }
      await this.keys.addPrekeys(
        device.id,
        bundle.oneTimePrekeys.map((p) => ({ id: p.id, publicKey: Buffer.from(p.publicKey) })),
        manager,
      );
    });
    const added: DeviceAddedEvent = { deviceId: device.id, userId: actor.userId };
    this.events.emit(DEVICE_ADDED_EVENT, added);
    this.audit({
      action: 'device.added',
      actor: { userId: actor.userId },
      entity: { type: 'device', id: device.id, name: device.name },
      context: { userId: actor.userId, oneTimePrekeys: bundle.oneTimePrekeys.length },
    });
    return toDeviceDto(device, bundle.oneTimePrekeys.length);
  }

  /** Any signed-in user may list anyone's devices: that is how senders find whom to encrypt to. */
  /**
   * A user's devices, for clients to share their sender keys with. A webhook bot's device keys are held by the server,
   * so it is listed with none: nothing a member encrypts ever reaches a key the server holds.
   */
  async listDevices(_actor: Actor, userId: string): Promise<DeviceDto[]> {
    if (await this.keys.isBot(userId)) return [];
    const devices = await this.keys.activeDevicesOf(userId);
    const counts = await this.keys.countPrekeys(devices.map((d) => d.id));
    return devices.map((d) => toDeviceDto(d, counts.get(d.id) ?? 0));
  }

  async refill(actor: Actor, deviceId: string, prekeys: Array<{ id: number; publicKey: string }>): Promise<DeviceDto> {
    const device = await this.ownActiveDevice(actor, deviceId);
    // Validate the keys exactly as a bundle would be validated (point checks, no low-order keys, unique ids).
    const decoded = guarded(() => {
      const keys = prekeys.map((p) => ({ id: p.id, publicKey: fromBase64Url(p.publicKey, 'prekey') }));
      verifyBundle({
        identity: decodeDeviceIdentity(device.identity),
        signedPrekey: signedPrekeyOf(device),
        oneTimePrekeys: keys,
      });
      return keys.map((k) => ({ id: k.id, publicKey: Buffer.from(k.publicKey) }));
    });
    const existing = (await this.keys.countPrekeys([device.id])).get(device.id) ?? 0;
    if (existing + decoded.length > MAX_ONE_TIME_PREKEYS) throw KeysError.prekeysFull(MAX_ONE_TIME_PREKEYS);
    await this.keys.addPrekeys(device.id, decoded);
    const count = (await this.keys.countPrekeys([device.id])).get(device.id) ?? 0;
    this.audit({
      action: 'keys.prekeys_added',
      actor: { userId: actor.userId, deviceId: device.id },
      entity: { type: 'device', id: device.id, name: device.name },
      context: { count: decoded.length, available: count },
    });
    return toDeviceDto(device, count);
  }

  async rotateSignedPrekey(
    actor: Actor,
    deviceId: string,
    spk: { id: number; publicKey: string; createdAt: number; signature: string },
  ): Promise<DeviceDto> {
    const device = await this.ownActiveDevice(actor, deviceId);
    const signedPrekey = guarded(() => {
      const candidate = {
        id: spk.id,
        publicKey: fromBase64Url(spk.publicKey, 'signed prekey'),
        createdAt: spk.createdAt,
        signature: fromBase64Url(spk.signature, 'signature'),
      };
      verifyBundle({ identity: decodeDeviceIdentity(device.identity), signedPrekey: candidate, oneTimePrekeys: [] });
      return candidate;
    });
    const patch = {
      signedPrekeyId: String(spk.id),
      signedPrekey: Buffer.from(signedPrekey.publicKey),
      signedPrekeyCreatedAt: String(spk.createdAt),
      signedPrekeySignature: Buffer.from(signedPrekey.signature),
    };
    await this.keys.updateDevice(device.id, patch);
    const count = (await this.keys.countPrekeys([device.id])).get(device.id) ?? 0;
    return toDeviceDto(Object.assign(device, patch), count);
  }

  /** One bundle per requested device, each with at most one one-time prekey (claimed, so never handed out twice). */
  async claim(_actor: Actor, deviceIds: string[]): Promise<ClaimKeysResponse> {
    const unique = [...new Set(deviceIds)];
    // No bundles of bot devices (see listDevices): nobody opens a pairwise channel to a key the server holds.
    const candidates = await this.keys.activeDevicesByIds(unique);
    const bots = await this.keys.botsAmong([...new Set(candidates.map((d) => d.userId))]);
    const devices = candidates.filter((d) => !bots.has(d.userId));
    const claimed = await this.keys.claimOnePerDevice(devices.map((d) => d.id));
    const byDevice = new Map(claimed.map((c) => [c.deviceId, c]));
    const found = new Set(devices.map((d) => d.id));
    return {
      bundles: devices.map((d) => {
        const otk = byDevice.get(d.id);
        const bundle: PublicBundle = {
          identity: decodeDeviceIdentity(d.identity),
          signedPrekey: signedPrekeyOf(d),
          oneTimePrekeys: otk ? [{ id: otk.keyId, publicKey: new Uint8Array(otk.publicKey) }] : [],
        };
        return { deviceId: d.id, userId: d.userId, bundle: bundleToJson(bundle) };
      }),
      missing: unique.filter((id) => !found.has(id)),
    };
  }

  /** A user removes one of their devices; an admin may remove anyone's. */
  async remove(actor: Actor, deviceId: string): Promise<void> {
    const device = await this.keys.findDevice(deviceId);
    if (!device || device.revokedAt) throw KeysError.deviceNotFound();
    const byOwner = device.userId === actor.userId;
    if (!byOwner && actor.role !== 'admin') throw KeysError.deviceNotFound();
    await this.revokeDevices(device.userId, byOwner ? 'removed_by_user' : 'removed_by_admin', device.id);
  }

  /** For the realtime handshake: the device must be the user's and not removed. */
  async assertActiveDevice(userId: string, deviceId: string): Promise<void> {
    if (!UUID.test(deviceId)) throw KeysError.deviceNotFound();
    const device = await this.keys.findDevice(deviceId);
    if (!device || device.revokedAt || device.userId !== userId) throw KeysError.deviceNotFound();
    await this.keys.updateDevice(device.id, { lastSeenAt: new Date() });
  }

  async revokeDevices(userId: string, reason: DeviceRemovedEvent['reason'], onlyId?: string): Promise<string[]> {
    const ids = await this.keys.revoke(userId, reason, onlyId);
    for (const deviceId of ids) {
      const event: DeviceRemovedEvent = { deviceId, userId, reason };
      this.events.emit(DEVICE_REMOVED_EVENT, event);
      this.audit({ action: 'device.removed', entity: { type: 'device', id: deviceId }, context: { userId, reason } });
    }
    return ids;
  }

  private audit(record: AuditRecord): void {
    this.events.emit(AUDIT_EVENT, record);
  }

  private async ownActiveDevice(actor: Actor, deviceId: string): Promise<DeviceEntity> {
    const device = await this.keys.findDevice(deviceId);
    if (!device || device.revokedAt) throw KeysError.deviceNotFound();
    if (device.userId !== actor.userId) throw new ForbiddenError('Only the device itself can publish its keys.');
    return device;
  }
}

/** Runs decoding/verification and turns libs/crypto's typed errors into DEVICE_BUNDLE_INVALID. */
function guarded<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof CryptoError) throw KeysError.bundleInvalid(err.message);
    throw err;
  }
}

function parseBundle(json: unknown): PublicBundle {
  return guarded(() => verifyBundle(bundleFromJson(json)));
}

function signedPrekeyOf(d: DeviceEntity): PublicBundle['signedPrekey'] {
  return {
    id: Number(d.signedPrekeyId),
    publicKey: new Uint8Array(d.signedPrekey),
    createdAt: Number(d.signedPrekeyCreatedAt),
    signature: new Uint8Array(d.signedPrekeySignature),
  };
}

function toDeviceDto(d: DeviceEntity, prekeys: number): DeviceDto {
  return {
    id: d.id,
    userId: d.userId,
    name: d.name,
    signingKey: toBase64Url(new Uint8Array(d.signingKey)),
    createdAt: d.createdAt.toISOString(),
    lastSeenAt: d.lastSeenAt.toISOString(),
    oneTimePrekeysAvailable: prekeys,
  };
}
