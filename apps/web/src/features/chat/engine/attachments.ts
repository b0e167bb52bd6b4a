import {
  type AttachmentRef,
  attachmentCiphertextSize,
  decryptAttachmentStream,
  encryptAttachmentStream,
  toBase64Url,
} from '@miyu/crypto';
import { attachmentLimitsSchema, attachmentSchema, UPLOAD_OFFSET_HEADER } from '@miyu/protocol';
import type { ApiClient } from '../../../lib/apiClient';

/**
 * Encrypted files (docs/attachments.md): the browser encrypts a file under a fresh key (libs/crypto secretstream),
 * uploads the ciphertext in pieces that resume from the server's offset after any failure, and puts the key and
 * digest in the E2E message. Downloads check the digest and decrypt in the browser.
 */

/** Bytes per upload request: small enough for frequent progress, large enough to keep requests few. */
export const UPLOAD_PIECE_BYTES = 1024 * 1024;
const MAX_RESUMES = 8;

/** A file over the server's limit: refused before anything is encrypted or uploaded. */
export class AttachmentTooLargeError extends Error {
  readonly code = 'ATTACHMENT_TOO_LARGE';
  constructor(
    readonly fileName: string,
    readonly maxBytes: number,
  ) {
    super(`${fileName} is larger than the ${maxBytes}-byte limit`);
  }
}

export async function attachmentLimit(api: ApiClient): Promise<number> {
  return (await api.get('/api/attachments/limits', attachmentLimitsSchema)).maxBytes;
}

/** Throws AttachmentTooLargeError when the file's ciphertext would exceed the limit. */
export function checkSize(file: { name: string; size: number }, maxBytes: number): void {
  if (attachmentCiphertextSize(file.size) > maxBytes) throw new AttachmentTooLargeError(file.name, maxBytes);
}

async function* chunksOf(file: Blob): AsyncGenerator<Uint8Array> {
  const reader = file.stream().getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    yield value;
  }
}

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Encrypts and uploads one file in `conversationId`; `onProgress` gets the fraction uploaded. Interrupted pieces
 * resume from the offset the server reports, so nothing is sent twice and nothing is lost.
 */
export async function uploadFile(
  api: ApiClient,
  conversationId: string,
  file: File,
  onProgress: (fraction: number) => void,
): Promise<AttachmentRef> {
  const encrypted = encryptAttachmentStream(chunksOf(file));
  const parts: Uint8Array[] = [];
  for await (const part of encrypted.stream) parts.push(part);
  const { digest, size, ciphertextSize } = await encrypted.result;
  const blob = new Blob(parts as BlobPart[]);

  const created = await api.post(
    `/api/conversations/${encodeURIComponent(conversationId)}/attachments`,
    attachmentSchema,
    {
      body: { size: ciphertextSize, digest: toBase64Url(digest) },
    },
  );
  let offset = created.offset;
  let failures = 0;
  onProgress(0);
  while (offset < ciphertextSize) {
    try {
      const stored = await api.patch(`/api/attachments/${created.id}`, attachmentSchema, {
        file: { data: blob.slice(offset, offset + UPLOAD_PIECE_BYTES), contentType: 'application/offset+octet-stream' },
        headers: { [UPLOAD_OFFSET_HEADER]: String(offset) },
      });
      offset = stored.offset;
      failures = 0;
    } catch (error) {
      failures += 1;
      if (failures > MAX_RESUMES) throw error;
      await wait(Math.min(8000, 250 * 2 ** failures));
      // Whatever reached storage counts: continue from there.
      offset = (await api.get(`/api/attachments/${created.id}/status`, attachmentSchema)).offset;
    }
    onProgress(offset / ciphertextSize);
  }
  return {
    blobId: created.id,
    name: file.name,
    mimeType: file.type || 'application/octet-stream',
    size,
    chunkSize: encrypted.chunkSize,
    key: encrypted.key,
    digest,
  };
}

/** Downloads, checks and decrypts an attachment into a Blob of its original type. */
export async function downloadFile(api: ApiClient, ref: AttachmentRef): Promise<Blob> {
  const blob = await api.download(`/api/attachments/${encodeURIComponent(ref.blobId)}`);
  const data = new Uint8Array(await blob.arrayBuffer());
  const out: Uint8Array[] = [];
  for await (const piece of decryptAttachmentStream([data], {
    key: ref.key,
    chunkSize: ref.chunkSize,
    digest: ref.digest,
    size: ref.size,
  })) {
    out.push(piece);
  }
  return new Blob(out as BlobPart[], { type: ref.mimeType });
}
