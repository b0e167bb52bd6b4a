import { z } from 'zod';
import { singleLine } from './common.js';

/**
 * Devices and the key directory. Key material travels in the binary encodings of libs/crypto (docs/protocol.md),
 * base64url-encoded; the server verifies signatures with libs/crypto before it stores anything.
 */
const base64Url = (max: number) =>
  z
    .string()
    .min(1)
    .max(max)
    .regex(/^[A-Za-z0-9_-]+$/, { message: 'expected base64url' });

/** A 32-byte public key, base64url without padding. */
const publicKey32 = z.string().regex(/^[A-Za-z0-9_-]{43}$/, { message: 'expected a 32-byte base64url key' });

/** The most one-time prekeys one device keeps published (and one refill may upload). */
export const MAX_ONE_TIME_PREKEYS = 1000;
/** The most devices one key claim may name (a client claims in batches for big groups). */
export const MAX_CLAIM_DEVICES = 500;

export const publicBundleJsonSchema = z.strictObject({
  v: z.literal(1),
  /** encodeBundle() of libs/crypto, base64url; with up to MAX_ONE_TIME_PREKEYS one-time prekeys ≈ 49 KiB. */
  bundle: base64Url(80_000),
});

export const registerDeviceRequestSchema = z.strictObject({
  name: singleLine(1, 64),
  bundle: publicBundleJsonSchema,
});
export type RegisterDeviceRequest = z.input<typeof registerDeviceRequestSchema>;

export const oneTimePrekeySchema = z.strictObject({
  id: z.number().int().min(0).max(0xfffffffe),
  publicKey: publicKey32,
});

export const refillPrekeysRequestSchema = z.strictObject({
  oneTimePrekeys: z.array(oneTimePrekeySchema).min(1).max(MAX_ONE_TIME_PREKEYS),
});

export const signedPrekeyRequestSchema = z.strictObject({
  id: z.number().int().min(0).max(0xfffffffe),
  publicKey: publicKey32,
  createdAt: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  signature: z.string().regex(/^[A-Za-z0-9_-]{86}$/, { message: 'expected a 64-byte base64url signature' }),
});

export const claimKeysRequestSchema = z.strictObject({
  deviceIds: z.array(z.uuid()).min(1).max(MAX_CLAIM_DEVICES),
});

export const deviceSchema = z.object({
  id: z.uuid(),
  userId: z.uuid(),
  name: z.string(),
  /** Ed25519 identity key of the device (base64url): what safety numbers are computed from. */
  signingKey: z.string(),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  oneTimePrekeysAvailable: z.number().int(),
});
export type DeviceDto = z.infer<typeof deviceSchema>;

export const claimedBundleSchema = z.object({
  deviceId: z.uuid(),
  userId: z.uuid(),
  /** The device's bundle with at most one one-time prekey (none when its pool is empty: X3DH uses the signed prekey). */
  bundle: publicBundleJsonSchema,
});
export type ClaimedBundle = z.infer<typeof claimedBundleSchema>;

export const claimKeysResponseSchema = z.object({
  bundles: z.array(claimedBundleSchema),
  /** Requested devices that do not exist or were removed. */
  missing: z.array(z.uuid()),
});
export type ClaimKeysResponse = z.infer<typeof claimKeysResponseSchema>;

export interface DeviceRemovedEvent {
  deviceId: string;
  userId: string;
  reason: 'removed_by_user' | 'removed_by_admin' | 'user_disabled';
}

export interface DeviceAddedEvent {
  deviceId: string;
  userId: string;
}
