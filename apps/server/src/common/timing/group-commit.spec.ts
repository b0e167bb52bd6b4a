import { GroupCommit } from './group-commit.js';

describe('GroupCommit', () => {
  it('flushes items that arrive together in one batch, and later ones in the next', async () => {
    const batches: number[][] = [];
    const gc = new GroupCommit<number, number>(async (items) => {
      batches.push(items);
      await new Promise((r) => setTimeout(r, 10));
      return items.map((i) => i * 2);
    });
    const first = await Promise.all([1, 2, 3].map((i) => gc.submit(i)));
    expect(first).toEqual([2, 4, 6]);
    expect(batches).toEqual([[1, 2, 3]]);
    const a = gc.submit(4);
    await new Promise((r) => setImmediate(r));
    const b = gc.submit(5); // arrives while the first flush runs
    expect(await Promise.all([a, b])).toEqual([8, 10]);
    expect(batches).toEqual([[1, 2, 3], [4], [5]]);
  });

  it('drains: resolves only after everything submitted has been flushed', async () => {
    const flushed: number[] = [];
    const gc = new GroupCommit<number, number>(async (items) => {
      await new Promise((r) => setTimeout(r, 20));
      flushed.push(...items);
      return items;
    });
    for (const i of [1, 2, 3]) void gc.submit(i);
    await gc.drain();
    expect(flushed).toEqual([1, 2, 3]);
  });

  it('rejects every item of a failed batch and keeps serving', async () => {
    let fail = true;
    const gc = new GroupCommit<number, number>(async (items) => {
      if (fail) throw new Error('db down');
      return items;
    });
    await expect(Promise.all([gc.submit(1), gc.submit(2)])).rejects.toThrow('db down');
    fail = false;
    expect(await gc.submit(3)).toBe(3);
  });

  it('caps the batch size', async () => {
    const sizes: number[] = [];
    const gc = new GroupCommit<number, number>(async (items) => {
      sizes.push(items.length);
      return items;
    }, 2);
    await Promise.all([1, 2, 3, 4, 5].map((i) => gc.submit(i)));
    expect(sizes).toEqual([2, 2, 1]);
  });

  it('lingers for company when asked: sends spread over the linger go in one batch, a full batch at once', async () => {
    const batches: number[][] = [];
    const gc = new GroupCommit<number, number>(
      async (items) => {
        batches.push(items);
        return items;
      },
      3,
      1,
      50,
    );
    const spread = [gc.submit(1)];
    await new Promise((r) => setTimeout(r, 10));
    spread.push(gc.submit(2));
    await Promise.all(spread);
    expect(batches).toEqual([[1, 2]]);
    const started = Date.now();
    await Promise.all([3, 4, 5].map((i) => gc.submit(i)));
    expect(batches).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
    expect(Date.now() - started).toBeLessThan(50); // full: no lingering
  });

  it('settles what was submitted so far without the linger, and not what comes later', async () => {
    let release: () => void = () => undefined;
    const flushed: number[] = [];
    const gc = new GroupCommit<number, number>(
      async (items) => {
        if (items.includes(3)) await new Promise<void>((r) => (release = r));
        flushed.push(...items);
        return items;
      },
      100,
      1,
      10_000,
    );
    void gc.submit(1);
    void gc.submit(2);
    const started = Date.now();
    await gc.settled();
    expect(flushed).toEqual([1, 2]);
    expect(Date.now() - started).toBeLessThan(1000); // did not wait out the 10 s linger
    const later = gc.submit(3);
    const settled = gc.settled();
    void gc.submit(4); // after the call: not waited for
    await new Promise((r) => setTimeout(r, 20));
    release();
    await settled;
    expect(flushed).toContain(3);
    await gc.settled();
    expect(await later).toBe(3);
    expect(flushed).toEqual([1, 2, 3, 4]);
  });
});
