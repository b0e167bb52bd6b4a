import { constants, createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { BlobStore } from './blob-store.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Blobs as files under one directory: `<dir>/<id[0..2]>/<id>.part` while uploading, `<dir>/<id[0..2]>/<id>` once
 * sealed. Paths come from validated UUIDs only. Writes stream through a file handle at an explicit position.
 */
export class LocalDiskBlobStore implements BlobStore {
  constructor(private readonly dir: string) {}

  private folder(id: string): string {
    if (!UUID.test(id)) throw new Error('blob id must be a lowercase UUID');
    return join(this.dir, id.slice(0, 2));
  }

  private partPath(id: string): string {
    return join(this.folder(id), `${id}.part`);
  }

  private sealedPath(id: string): string {
    return join(this.folder(id), id);
  }

  async write(id: string, offset: number, source: AsyncIterable<Uint8Array>): Promise<number> {
    await mkdir(this.folder(id), { recursive: true });
    const path = this.partPath(id);
    const handle = await open(path, constants.O_RDWR | constants.O_CREAT, 0o600);
    try {
      await handle.truncate(offset);
    } catch (err) {
      await handle.close();
      throw err;
    }
    let written = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        written += chunk.length;
        callback(null, chunk);
      },
    });
    // The stream owns the handle from here (autoClose): it is closed on finish and on error alike.
    await pipeline(source, counter, handle.createWriteStream({ start: offset }));
    return written;
  }

  async size(id: string): Promise<number> {
    for (const path of [this.partPath(id), this.sealedPath(id)]) {
      try {
        return (await stat(path)).size;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
    }
    return 0;
  }

  async truncate(id: string, length: number): Promise<void> {
    const handle = await open(this.partPath(id), 'r+');
    try {
      await handle.truncate(length);
    } finally {
      await handle.close();
    }
  }

  async seal(id: string): Promise<void> {
    const handle = await open(this.partPath(id), 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(this.partPath(id), this.sealedPath(id));
  }

  read(id: string): Readable {
    return createReadStream(this.sealedPath(id));
  }

  async delete(id: string): Promise<void> {
    await rm(this.partPath(id), { force: true });
    await rm(this.sealedPath(id), { force: true });
  }
}
