import { z } from 'zod';

/**
 * Encrypted attachments (docs/attachments.md). The browser encrypts a file with libs/crypto (secretstream) under a
 * random key carried inside the E2E message; the server only stores the opaque blob, uploaded in resumable
 * pieces (`Upload-Offset`, tus-style) and downloadable by members of its conversation.
 */
export const DEFAULT_ATTACHMENT_MAX_BYTES = 100 * 1024 * 1024;
/** Header carrying the byte offset of an upload piece (request) or the bytes stored so far (response). */
export const UPLOAD_OFFSET_HEADER = 'upload-offset';
/** Header carrying the declared total size of an upload (HEAD response). */
export const UPLOAD_LENGTH_HEADER = 'upload-length';
/** Content types accepted for upload pieces (raw bytes, never JSON). */
export const ATTACHMENT_UPLOAD_CONTENT_TYPES = ['application/offset+octet-stream', 'application/octet-stream'] as const;

/** BLAKE2b-256 of the whole blob (libs/crypto `attachmentDigest`), base64url without padding. */
export const attachmentDigestSchema = z.string().regex(/^[A-Za-z0-9_-]{43}$/, 'expected 32 bytes as base64url');

/** What a client checks before it starts an upload: the largest ciphertext the server accepts. */
export const attachmentLimitsSchema = z.object({ maxBytes: z.number().int() });
export type AttachmentLimits = z.infer<typeof attachmentLimitsSchema>;

export const createAttachmentRequestSchema = z.strictObject({
  /** Ciphertext size in bytes (libs/crypto `attachmentCiphertextSize`). */
  size: z.number().int().min(1).max(Number.MAX_SAFE_INTEGER),
  /** When given, the server checks the completed blob against it and refuses a mismatch. */
  digest: attachmentDigestSchema.optional(),
});
export type CreateAttachmentRequest = z.infer<typeof createAttachmentRequestSchema>;

export const attachmentSchema = z.object({
  id: z.uuid(),
  conversationId: z.uuid(),
  uploaderUserId: z.uuid(),
  size: z.number().int(),
  /** Bytes stored so far: where the next upload piece starts. Equals `size` once complete. */
  offset: z.number().int(),
  complete: z.boolean(),
  digest: z.string().nullable(),
  /** Where to PATCH pieces (while incomplete) and GET the blob (once complete). */
  url: z.string(),
  createdAt: z.string(),
  completedAt: z.string().nullable(),
});
export type AttachmentDto = z.infer<typeof attachmentSchema>;
