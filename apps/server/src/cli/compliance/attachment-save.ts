import { rm } from 'node:fs/promises';
import path from 'node:path';
import { type AttachmentRef, AttachmentDecryptor } from '@miyu/crypto';
import type { ComplianceApi } from './export-client.js';
import { type ManifestFile, OutputFile } from './output-file.js';

/**
 * Attachments of exported messages: the encrypted blob is fetched from the export endpoint and decrypted as it
 * streams (libs/crypto secretstream), checking its BLAKE2b digest and size against the message's reference; a
 * file that fails any check is deleted, never left half-written.
 */

const MAX_NAME_BYTES = 120;

/**
 * A file name safe on every file system: path separators, control and reserved characters become `_`, leading
 * dots and trailing dots/spaces are dropped, the length is capped (keeping the extension), never empty.
 */
export function safeFileName(name: string): string {
  let clean = name
    .normalize('NFC')
    // eslint-disable-next-line no-control-regex -- control characters are exactly what must go
    .replace(/[\u0000-\u001f\u007f/\\:*?"<>|]/g, '_')
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '');
  if (Buffer.byteLength(clean, 'utf8') > MAX_NAME_BYTES) {
    const ext = path.extname(clean).slice(0, 16);
    let stem = clean.slice(0, clean.length - ext.length);
    while (Buffer.byteLength(stem + ext, 'utf8') > MAX_NAME_BYTES) stem = [...stem].slice(0, -1).join('');
    clean = stem + ext;
  }
  if (/^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i.test(clean)) clean = `_${clean}`;
  return clean === '' ? 'file' : clean;
}

/** `attachments/<conversationId>/<seq>-<n>-<safe name>` */
export function attachmentPath(conversationId: string, seq: number, n: number, name: string): string {
  return `attachments/${conversationId}/${seq}-${n}-${safeFileName(name)}`;
}

export async function saveAttachment(
  api: ComplianceApi,
  ref: AttachmentRef,
  root: string,
  relativePath: string,
): Promise<ManifestFile> {
  const out = new OutputFile(root, relativePath);
  try {
    const decryptor = new AttachmentDecryptor({
      key: ref.key,
      chunkSize: ref.chunkSize,
      digest: ref.digest,
      size: ref.size,
    });
    const blob = await api.attachment(ref.blobId);
    for await (const chunk of blob as unknown as AsyncIterable<Uint8Array>) {
      for (const piece of decryptor.update(chunk)) await out.write(piece);
    }
    for (const piece of decryptor.final()) await out.write(piece);
    return await out.close();
  } catch (error) {
    await out.abandon();
    await rm(path.join(root, ...relativePath.split('/')), { force: true });
    throw error;
  }
}
