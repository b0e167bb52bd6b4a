import { createHash, type Hash } from 'node:crypto';
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import path from 'node:path';

/** A file of the export as it is listed in the manifest. */
export interface ManifestFile {
  /** Relative to the export directory, with forward slashes. */
  path: string;
  bytes: number;
  /** Lowercase hex SHA-256 of the content. */
  sha256: string;
}

/**
 * An export file written sequentially: hashed (SHA-256) as it is written, with backpressure honoured, so that the
 * manifest needs no second pass and memory stays bounded whatever the file's size. Created exclusively (0600).
 */
export class OutputFile {
  private readonly stream: WriteStream;
  private readonly hash: Hash = createHash('sha256');
  private bytes = 0;
  private failure: Error | null = null;

  constructor(
    root: string,
    readonly relativePath: string,
  ) {
    this.stream = createWriteStream(path.join(root, ...relativePath.split('/')), { flags: 'wx', mode: 0o600 });
    this.stream.on('error', (error) => (this.failure ??= error));
  }

  async write(data: string | Uint8Array): Promise<void> {
    if (this.failure) throw this.failure;
    const chunk = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    if (chunk.length === 0) return;
    this.hash.update(chunk);
    this.bytes += chunk.length;
    if (!this.stream.write(chunk)) await once(this.stream, 'drain'); // rejects on 'error'
    if (this.failure) throw this.failure;
  }

  /** Flushes and closes; returns the manifest entry. */
  async close(): Promise<ManifestFile> {
    if (this.failure) throw this.failure;
    await new Promise<void>((resolve, reject) => {
      this.stream.end((error?: Error | null) => (error ? reject(error) : resolve()));
    });
    if (this.failure) throw this.failure;
    return { path: this.relativePath, bytes: this.bytes, sha256: this.hash.digest('hex') };
  }

  /** Closes without caring about the content (the caller deletes it). */
  async abandon(): Promise<void> {
    if (this.stream.closed || this.stream.destroyed) return;
    await new Promise<void>((resolve) => {
      this.stream.once('close', () => resolve());
      this.stream.destroy();
    });
  }
}
