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
});
