import { bytesEqual } from './bytes.js';
import { CryptoError, fail } from './errors.js';
import { type RandomSource, randomBytes, systemRandom } from './primitives.js';
import { lib } from './sodium.js';

type StreamState = ReturnType<ReturnType<typeof lib>['crypto_secretstream_xchacha20poly1305_init_pull']>;

/**
 * Attachments (docs/protocol.md §12): libsodium secretstream (XChaCha20-Poly1305) over fixed-size chunks, so a
 * file of any size streams through in constant memory. Blob layout:
 *
 *   header(24) || C_1 || … || C_n     C_i = push(P_i, tag)   |P_i| = chunkSize for i < n, 0 ≤ |P_n| ≤ chunkSize
 *
 * Every chunk but the last carries TAG_MESSAGE and the last TAG_FINAL, so truncation and extension are detected.
 * `digest` = BLAKE2b-256 of the whole blob, carried in the message next to the key so that the server's bytes
 * can be checked (and deduplicated) before decryption.
 */

export const DEFAULT_ATTACHMENT_CHUNK_SIZE = 64 * 1024;
export const MIN_ATTACHMENT_CHUNK_SIZE = 1024;
export const MAX_ATTACHMENT_CHUNK_SIZE = 4 * 1024 * 1024;
export const ATTACHMENT_HEADER_BYTES = 24;
export const ATTACHMENT_CHUNK_OVERHEAD = 17;
export const ATTACHMENT_DIGEST_BYTES = 32;

function checkChunkSize(chunkSize: number): number {
  if (!Number.isInteger(chunkSize) || chunkSize < MIN_ATTACHMENT_CHUNK_SIZE || chunkSize > MAX_ATTACHMENT_CHUNK_SIZE) {
    fail('INVALID_ARGUMENT', 'attachment chunk size out of range');
  }
  return chunkSize;
}

/** Ciphertext size of a `size`-byte file. */
export function attachmentCiphertextSize(size: number, chunkSize = DEFAULT_ATTACHMENT_CHUNK_SIZE): number {
  const chunks = Math.max(1, Math.ceil(size / checkChunkSize(chunkSize)));
  return ATTACHMENT_HEADER_BYTES + size + chunks * ATTACHMENT_CHUNK_OVERHEAD;
}

class Digest {
  private readonly state = lib().crypto_generichash_init(null, ATTACHMENT_DIGEST_BYTES);

  update(bytes: Uint8Array): void {
    if (bytes.length > 0) lib().crypto_generichash_update(this.state, bytes);
  }

  final(): Uint8Array {
    return lib().crypto_generichash_final(this.state, ATTACHMENT_DIGEST_BYTES);
  }
}

/** BLAKE2b-256 over a whole blob given in pieces (for checking a download before decrypting it). */
export async function attachmentDigest(source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<Uint8Array> {
  const digest = new Digest();
  for await (const piece of source) digest.update(piece);
  return digest.final();
}

export class AttachmentEncryptor {
  readonly key: Uint8Array;
  readonly chunkSize: number;
  private readonly state: StreamState;
  private readonly header: Uint8Array;
  private readonly digest = new Digest();
  private readonly buffer: Uint8Array;
  private filled = 0;
  private headerSent = false;
  private finished = false;
  private plaintextSize = 0;
  private ciphertextSize = 0;

  constructor(options: { key?: Uint8Array; chunkSize?: number; random?: RandomSource } = {}) {
    this.chunkSize = checkChunkSize(options.chunkSize ?? DEFAULT_ATTACHMENT_CHUNK_SIZE);
    this.key = options.key ?? randomBytes(32, options.random ?? systemRandom);
    if (this.key.length !== 32) fail('INVALID_KEY', 'attachment key must be 32 bytes');
    const init = lib().crypto_secretstream_xchacha20poly1305_init_push(this.key);
    this.state = init.state;
    this.header = init.header;
    this.buffer = new Uint8Array(this.chunkSize);
  }

  private emit(out: Uint8Array[], piece: Uint8Array): void {
    this.digest.update(piece);
    this.ciphertextSize += piece.length;
    out.push(piece);
  }

  private start(out: Uint8Array[]): void {
    if (!this.headerSent) {
      this.headerSent = true;
      this.emit(out, this.header);
    }
  }

  private push(out: Uint8Array[], tag: number): void {
    const s = lib();
    this.emit(
      out,
      s.crypto_secretstream_xchacha20poly1305_push(this.state, this.buffer.subarray(0, this.filled), null, tag),
    );
    this.filled = 0;
  }

  /** Feeds plaintext; returns the ciphertext pieces that are ready (the header comes first). */
  update(data: Uint8Array): Uint8Array[] {
    if (this.finished) fail('INVALID_STATE', 'encryptor already finished');
    const out: Uint8Array[] = [];
    this.start(out);
    let offset = 0;
    while (offset < data.length) {
      // A full buffer is pushed only when more data follows: the last chunk must carry TAG_FINAL.
      if (this.filled === this.chunkSize) this.push(out, lib().crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);
      const take = Math.min(this.chunkSize - this.filled, data.length - offset);
      this.buffer.set(data.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
    }
    this.plaintextSize += data.length;
    return out;
  }

  final(): { pieces: Uint8Array[]; digest: Uint8Array; size: number; ciphertextSize: number } {
    if (this.finished) fail('INVALID_STATE', 'encryptor already finished');
    const out: Uint8Array[] = [];
    this.start(out);
    this.push(out, lib().crypto_secretstream_xchacha20poly1305_TAG_FINAL);
    this.finished = true;
    return { pieces: out, digest: this.digest.final(), size: this.plaintextSize, ciphertextSize: this.ciphertextSize };
  }
}

/**
 * Streaming decryption. Each returned plaintext piece is authenticated, but the file as a whole is valid only
 * once `final()` returned: it throws TRUNCATED (no final chunk), DIGEST_MISMATCH or DECRYPT_FAILED. Write the
 * output somewhere provisional and discard it on error.
 */
export class AttachmentDecryptor {
  readonly chunkSize: number;
  private readonly key: Uint8Array;
  private readonly expectedDigest: Uint8Array | null;
  private readonly expectedSize: number | null;
  private readonly digest = new Digest();
  private readonly buffer: Uint8Array;
  private state: StreamState | null = null;
  private header = new Uint8Array(ATTACHMENT_HEADER_BYTES);
  private headerFilled = 0;
  private filled = 0;
  private finished = false;
  private failed = false;
  private plaintextSize = 0;

  constructor(options: { key: Uint8Array; chunkSize?: number; digest?: Uint8Array | null; size?: number | null }) {
    this.chunkSize = checkChunkSize(options.chunkSize ?? DEFAULT_ATTACHMENT_CHUNK_SIZE);
    if (options.key.length !== 32) fail('INVALID_KEY', 'attachment key must be 32 bytes');
    this.key = options.key;
    this.expectedDigest = options.digest ?? null;
    this.expectedSize = options.size ?? null;
    this.buffer = new Uint8Array(this.chunkSize + ATTACHMENT_CHUNK_OVERHEAD);
  }

  private pull(final: boolean): Uint8Array {
    const s = lib();
    let result: { message: Uint8Array; tag: number } | false;
    try {
      result = s.crypto_secretstream_xchacha20poly1305_pull(
        this.state as StreamState,
        this.buffer.subarray(0, this.filled),
        null,
      );
    } catch {
      result = false;
    }
    this.filled = 0;
    if (!result) fail('DECRYPT_FAILED', 'attachment chunk does not authenticate');
    const wanted = final
      ? s.crypto_secretstream_xchacha20poly1305_TAG_FINAL
      : s.crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
    if (result.tag !== wanted)
      fail(
        final ? 'TRUNCATED' : 'DECRYPT_FAILED',
        final ? 'attachment ends without its final chunk' : 'attachment continues after its final chunk',
      );
    this.plaintextSize += result.message.length;
    if (this.expectedSize !== null && this.plaintextSize > this.expectedSize)
      fail('MALFORMED', 'attachment larger than announced');
    return result.message;
  }

  private guarded<T>(fn: () => T): T {
    if (this.failed) fail('INVALID_STATE', 'decryptor already failed');
    if (this.finished) fail('INVALID_STATE', 'decryptor already finished');
    try {
      return fn();
    } catch (error) {
      this.failed = true;
      if (error instanceof CryptoError) throw error;
      throw new CryptoError('DECRYPT_FAILED', 'attachment');
    }
  }

  /** Feeds ciphertext; returns the plaintext pieces that are ready. */
  update(data: Uint8Array): Uint8Array[] {
    return this.guarded(() => {
      this.digest.update(data);
      const out: Uint8Array[] = [];
      let offset = 0;
      if (this.headerFilled < ATTACHMENT_HEADER_BYTES) {
        const take = Math.min(ATTACHMENT_HEADER_BYTES - this.headerFilled, data.length);
        this.header.set(data.subarray(0, take), this.headerFilled);
        this.headerFilled += take;
        offset = take;
        if (this.headerFilled === ATTACHMENT_HEADER_BYTES) {
          try {
            this.state = lib().crypto_secretstream_xchacha20poly1305_init_pull(this.header, this.key);
          } catch {
            fail('DECRYPT_FAILED', 'attachment header');
          }
        }
      }
      const cipherChunk = this.chunkSize + ATTACHMENT_CHUNK_OVERHEAD;
      while (offset < data.length) {
        if (this.filled === cipherChunk) out.push(this.pull(false));
        const take = Math.min(cipherChunk - this.filled, data.length - offset);
        this.buffer.set(data.subarray(offset, offset + take), this.filled);
        this.filled += take;
        offset += take;
      }
      return out;
    });
  }

  /** Ends the stream: returns the last plaintext piece(s) and checks completeness, digest and size. */
  final(): Uint8Array[] {
    return this.guarded(() => {
      if (this.headerFilled < ATTACHMENT_HEADER_BYTES || this.filled < ATTACHMENT_CHUNK_OVERHEAD) {
        fail('TRUNCATED', 'attachment ends early');
      }
      const last = this.pull(true);
      if (this.expectedDigest && !bytesEqual(this.digest.final(), this.expectedDigest)) {
        fail('DIGEST_MISMATCH', 'attachment digest differs');
      }
      if (this.expectedSize !== null && this.plaintextSize !== this.expectedSize)
        fail('MALFORMED', 'attachment size differs');
      this.finished = true;
      return [last];
    });
  }
}

type Source = AsyncIterable<Uint8Array> | Iterable<Uint8Array>;

/** Encrypts a stream; the result object is filled in when the generator completes. */
export function encryptAttachmentStream(
  source: Source,
  options: { key?: Uint8Array; chunkSize?: number; random?: RandomSource } = {},
): {
  key: Uint8Array;
  chunkSize: number;
  stream: AsyncGenerator<Uint8Array>;
  result: Promise<{ digest: Uint8Array; size: number; ciphertextSize: number }>;
} {
  const encryptor = new AttachmentEncryptor(options);
  let resolve: (value: { digest: Uint8Array; size: number; ciphertextSize: number }) => void = () => undefined;
  let reject: (reason: unknown) => void = () => undefined;
  const result = new Promise<{ digest: Uint8Array; size: number; ciphertextSize: number }>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  result.catch(() => undefined);
  async function* run(): AsyncGenerator<Uint8Array> {
    try {
      for await (const piece of source) yield* encryptor.update(piece);
      const end = encryptor.final();
      yield* end.pieces;
      resolve({ digest: end.digest, size: end.size, ciphertextSize: end.ciphertextSize });
    } catch (error) {
      reject(error);
      throw error;
    }
  }
  return { key: encryptor.key, chunkSize: encryptor.chunkSize, stream: run(), result };
}

/** Decrypts a stream; throws (after possibly having yielded authenticated pieces) if the blob is incomplete. */
export async function* decryptAttachmentStream(
  source: Source,
  options: { key: Uint8Array; chunkSize?: number; digest?: Uint8Array | null; size?: number | null },
): AsyncGenerator<Uint8Array> {
  const decryptor = new AttachmentDecryptor(options);
  for await (const piece of source) yield* decryptor.update(piece);
  yield* decryptor.final();
}
