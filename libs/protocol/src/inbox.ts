import { z } from 'zod';

/**
 * To-device messages (ARCHITECTURE §4): sender-key distribution, key requests and pairing go to a per-device inbox,
 * delivered in order and deleted only when the device acks them. Payloads are pairwise-encrypted by libs/crypto
 * and opaque to the server.
 */
export const MAX_TO_DEVICE_PAYLOAD_CHARS = 87_382; // 64 KiB of bytes, base64url
export const MAX_TO_DEVICE_BATCH = 1000;

const base64Url = z
  .string()
  .min(1)
  .max(MAX_TO_DEVICE_PAYLOAD_CHARS)
  .regex(/^[A-Za-z0-9_-]+$/, { message: 'expected base64url' });

export const toDeviceSendSchema = z.strictObject({
  messages: z
    .array(z.strictObject({ deviceId: z.uuid(), payload: base64Url }))
    .min(1)
    .max(MAX_TO_DEVICE_BATCH),
});
export type ToDeviceSend = z.infer<typeof toDeviceSendSchema>;

export interface ToDeviceSendAck {
  stored: number;
  /** Devices that do not exist, were removed, or that this user may not write to (no shared conversation). */
  refused: string[];
}

export const toDeviceFetchSchema = z.strictObject({
  afterId: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER).optional(),
  limit: z.number().int().min(1).max(MAX_TO_DEVICE_BATCH).optional(),
});
export type ToDeviceFetch = z.infer<typeof toDeviceFetchSchema>;

export const toDeviceAckSchema = z.strictObject({
  upToId: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
});
export type ToDeviceAckRequest = z.infer<typeof toDeviceAckSchema>;

export interface ToDeviceMessage {
  id: number;
  senderUserId: string;
  senderDeviceId: string;
  payload: string;
  createdAt: string;
}

/** History backup items (libs/crypto history.ts): public key id and session id, opaque encrypted blob. */
const b64Fixed = (bytes: number) =>
  z.string().regex(new RegExp(`^[A-Za-z0-9_-]{${Math.ceil((bytes * 4) / 3)}}$`), {
    message: `expected ${bytes} bytes, base64url`,
  });

export const backupItemSchema = z.strictObject({
  keyId: b64Fixed(8),
  sessionId: b64Fixed(16),
  blob: z
    .string()
    .min(1)
    .max(1400)
    .regex(/^[A-Za-z0-9_-]+$/, { message: 'expected base64url' }),
});
export type BackupItemDto = z.infer<typeof backupItemSchema>;

export const putBackupsRequestSchema = z.strictObject({
  deviceId: z.uuid(),
  items: z.array(backupItemSchema).min(1).max(500),
});

/** The History Key wrapped under the recovery key (libs/crypto wrapHistoryKey): at most a few hundred bytes. */
export const putHistoryRecoveryRequestSchema = z.strictObject({
  keyId: b64Fixed(8),
  wrap: z
    .string()
    .min(1)
    .max(400)
    .regex(/^[A-Za-z0-9_-]+$/, { message: 'expected base64url' }),
});
export type PutHistoryRecoveryRequest = z.infer<typeof putHistoryRecoveryRequestSchema>;

export interface HistoryRecoveryDto {
  keyId: string;
  wrap: string;
  updatedAt: string;
}

/** `recovery` is null until the user's first device has created the History Key. */
export interface HistoryRecoveryState {
  recovery: HistoryRecoveryDto | null;
}

export const historyRecoveryStateSchema = z.object({
  recovery: z.object({ keyId: z.string(), wrap: z.string(), updatedAt: z.string() }).nullable(),
}) satisfies z.ZodType<HistoryRecoveryState>;

export const listBackupsQuerySchema = z.strictObject({
  keyId: b64Fixed(8),
  after: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(500),
});

export interface BackupPage {
  items: BackupItemDto[];
  /** Pass as `after` for the next page; null at the end. */
  next: string | null;
}

export const backupPageSchema = z.object({
  items: z.array(z.object({ keyId: z.string(), sessionId: z.string(), blob: z.string() })),
  next: z.string().nullable(),
}) satisfies z.ZodType<BackupPage>;
