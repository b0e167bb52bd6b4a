import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LocalDiskBlobStore } from './local-disk-blob-store.js';

const ID = '01a2151a-0000-7000-8000-000000000001';

async function* pieces(...parts: string[]): AsyncGenerator<Buffer> {
  for (const part of parts) yield Buffer.from(part);
}

async function readAll(stream: AsyncIterable<Buffer>): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return Buffer.concat(chunks).toString();
}

describe('LocalDiskBlobStore', () => {
  let dir: string;
  let store: LocalDiskBlobStore;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'miyu-blobs-'));
    store = new LocalDiskBlobStore(dir);
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('appends at an offset, cutting off bytes of an interrupted earlier write, then seals and reads back', async () => {
    expect(await store.size(ID)).toBe(0);
    expect(await store.write(ID, 0, pieces('hello ', 'wor'))).toBe(9);
    expect(await store.write(ID, 6, pieces('world'))).toBe(5);
    expect(await store.size(ID)).toBe(11);
    await store.truncate(ID, 5);
    expect(await store.write(ID, 5, pieces('!'))).toBe(1);
    await store.seal(ID);
    expect(await store.size(ID)).toBe(6);
    expect(await readAll(store.read(ID))).toBe('hello!');
    expect(await readdir(join(dir, ID.slice(0, 2)))).toEqual([ID]);
    await store.delete(ID);
    await store.delete(ID);
    expect(await store.size(ID)).toBe(0);
  });

  it('keeps what reached the disk when the source fails mid-way', async () => {
    async function* failing(): AsyncGenerator<Buffer> {
      yield Buffer.from('abc');
      await new Promise((r) => setTimeout(r, 100)); // the bytes reach the disk, then the client goes away
      throw new Error('aborted');
    }
    await expect(store.write(ID, 0, failing())).rejects.toThrow('aborted');
    // Whatever was flushed before the failure is kept, and the reported size is exactly what is on disk, so a
    // client resumes from there (how much got flushed depends on timing, so both outcomes are valid).
    const size = await store.size(ID);
    expect([0, 3]).toContain(size);
    expect(await store.write(ID, size, pieces('abcdef'.slice(size)))).toBe(6 - size);
    await store.seal(ID);
    expect(await readAll(store.read(ID))).toBe('abcdef');
  });

  it('refuses ids that are not UUIDs, so no path can be smuggled in', async () => {
    for (const bad of ['../../etc/passwd', '..', 'x/y', ID.toUpperCase()]) {
      await expect(store.write(bad, 0, pieces('x'))).rejects.toThrow('UUID');
      expect(() => store.read(bad)).toThrow('UUID');
    }
  });
});
