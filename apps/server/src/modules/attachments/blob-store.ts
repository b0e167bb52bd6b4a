import type { Readable } from 'node:stream';

/**
 * Where attachment blobs live. Ids are server-generated UUIDs; implementations derive every storage location from
 * the id alone (no user-provided path parts). Blobs are opaque ciphertext.
 *
 * An S3-compatible store implements it with a multipart upload per blob (docs/attachments.md): `write` uploads
 * one part per request (parts of ≥ 5 MiB except the last) and records the part ETags, `size` sums the parts,
 * `truncate` to a part boundary drops the later parts, `seal` completes the multipart upload, `read` is a
 * GetObject stream and `delete` aborts the upload or deletes the object.
 */
export interface BlobStore {
  /**
   * Writes `source` at `offset` (the blob is first cut back to `offset`, dropping bytes of an interrupted earlier
   * write), streaming, never holding the whole piece in memory. Resolves with the bytes written; rejects when the
   * source fails, with the bytes that did reach storage kept (see `size`).
   */
  write(id: string, offset: number, source: AsyncIterable<Uint8Array>): Promise<number>;
  /** Bytes stored for the blob (0 when it does not exist). */
  size(id: string): Promise<number>;
  /** Cuts the blob back to `length` bytes. */
  truncate(id: string, length: number): Promise<void>;
  /** The upload is complete: make the blob durable and immutable. */
  seal(id: string): Promise<void>;
  /** The whole blob as a stream. */
  read(id: string): Readable;
  /** Removes the blob; no error when it does not exist. */
  delete(id: string): Promise<void>;
}

export const BLOB_STORE = Symbol('BLOB_STORE');
