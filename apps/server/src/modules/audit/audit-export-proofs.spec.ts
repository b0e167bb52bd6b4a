import { MemoryMerkleTree, merkleInclusionProof, merkleLeafHash, ready, verifyMerkleInclusion } from '@miyu/crypto';
import { ExportProver } from './audit-export-proofs.js';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function treeOf(n: number): MemoryMerkleTree {
  const tree = new MemoryMerkleTree();
  for (let i = 0; i < n; i++) tree.append(Buffer.from(`entry ${i}`));
  return tree;
}

function proverOn(tree: MemoryMerkleTree, size: number, options = {}) {
  const reads: number[] = [];
  const prover = new ExportProver(
    size,
    async (wanted) => {
      reads.push(wanted.length);
      return new Map(wanted.map(({ level, index }) => [`${level}/${index}`, Buffer.from(tree.node(level, index))]));
    },
    options,
  );
  return { prover, reads };
}

describe('ExportProver', () => {
  beforeAll(() => ready());

  it('gives the proofs merkleInclusionProof gives, for every leaf of trees of every shape', async () => {
    const tree = treeOf(70);
    for (let size = 1; size <= 70; size++) {
      const { prover } = proverOn(tree, size, { cacheSize: 8, cacheMinLevel: 1 });
      const indexes = Array.from({ length: size }, (_, i) => i);
      const proofs = await prover.prove(indexes);
      for (const i of indexes) {
        const expected = await merkleInclusionProof(i, size, tree);
        expect(proofs[i]).toEqual(expected.map(hex));
        const path = proofs[i]!.map((p) => Buffer.from(p, 'hex'));
        expect(verifyMerkleInclusion(tree.node(0, i), i, size, path, tree.root(size))).toBe(true);
      }
    }
  });

  it('reads each page of proofs in one batch, and the shared upper nodes once', async () => {
    const tree = treeOf(5000);
    const { prover, reads } = proverOn(tree, 4999, { cacheMinLevel: 4 });
    for (let start = 0; start < 4999; start += 1000) {
      const indexes = Array.from({ length: Math.min(1000, 4999 - start) }, (_, i) => start + i);
      const proofs = await prover.prove(indexes);
      expect(proofs[0]).toEqual(tree.inclusionProof(start, 4999).map(hex));
    }
    expect(reads.length).toBe(6); // the right edge once, then one per page
    expect(prover.stats.cacheHits).toBeGreaterThan(0);
    // A sparse (filtered) page: one read, however far apart its entries are.
    const before = reads.length;
    const sparse = await prover.prove([3, 777, 2048, 4998]);
    expect(reads.length).toBe(before + 1);
    expect(sparse[3]).toEqual(tree.inclusionProof(4998, 4999).map(hex));
  });

  it('refuses leaves outside the tree and reports missing nodes', async () => {
    const tree = treeOf(4);
    const { prover } = proverOn(tree, 4);
    await expect(prover.prove([4])).rejects.toThrow(/not in a tree of 4/);
    const broken = new ExportProver(3, async () => new Map());
    await expect(broken.prove([0])).rejects.toThrow(/missing/);
    expect(merkleLeafHash(Buffer.from('x'))).toHaveLength(32);
  });
});
