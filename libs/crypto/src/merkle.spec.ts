import sodium from 'libsodium-wrappers-sumo';
import { bytesEqual, toHex } from './bytes.js';
import {
  MERKLE_EMPTY_ROOT,
  MERKLE_HASH_BYTES,
  MemoryMerkleTree,
  type MerkleNodeSource,
  merkleAppendNodes,
  merkleConsistencyProof,
  merkleInclusionProof,
  merkleLeafHash,
  merkleNodeHash,
  merkleRoot,
  merkleRootFromNodes,
  merkleSubtreeRoot,
  verifyMerkleConsistency,
  verifyMerkleInclusion,
} from './merkle.js';
import { ready } from './sodium.js';
import { expectCryptoError, expectCryptoErrorAsync } from '../test/helpers.js';

beforeAll(async () => {
  await ready();
});

// ------------------------------------------------------------------------------------------------------------
// Reference: the recursive definitions of RFC 9162 §2.1.1 (MTH), §2.1.3.1 (PATH) and §2.1.4.1 (PROOF/SUBPROOF),
// transcribed literally over lists of entries, with SHA-256 called directly (not through merkle.ts).

function sha256(...parts: Uint8Array[]): Uint8Array {
  const data = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    data.set(part, offset);
    offset += part.length;
  }
  return sodium.crypto_hash_sha256(data);
}

/** Hex decoding that needs no libsodium, for constants built before `ready()`. */
function unhex(text: string): Uint8Array {
  return Uint8Array.from(text.match(/../g) ?? [], (byte) => parseInt(byte, 16));
}

/** The largest power of two smaller than n. */
function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

const mthCache = new Map<string, Uint8Array>();

/** MTH(D[n]); D is a list of entries, identified for memoisation by the tag of its first entry and its length. */
function refMth(d: readonly Uint8Array[]): Uint8Array {
  const n = d.length;
  if (n === 0) return sha256();
  const key = `${toHex(d[0]!)}|${toHex(d[n - 1]!)}|${n}`;
  const cached = mthCache.get(key);
  if (cached) return cached;
  let result: Uint8Array;
  if (n === 1) {
    result = sha256(Uint8Array.of(0x00), d[0]!);
  } else {
    const k = largestPowerOfTwoBelow(n);
    result = sha256(Uint8Array.of(0x01), refMth(d.slice(0, k)), refMth(d.slice(k)));
  }
  mthCache.set(key, result);
  return result;
}

/** PATH(m, D[n]). */
function refPath(m: number, d: readonly Uint8Array[]): Uint8Array[] {
  const n = d.length;
  if (n === 1) return [];
  const k = largestPowerOfTwoBelow(n);
  if (m < k) return [...refPath(m, d.slice(0, k)), refMth(d.slice(k))];
  return [...refPath(m - k, d.slice(k)), refMth(d.slice(0, k))];
}

/** SUBPROOF(m, D[n], b). */
function refSubproof(m: number, d: readonly Uint8Array[], b: boolean): Uint8Array[] {
  const n = d.length;
  if (m === n) return b ? [] : [refMth(d)];
  const k = largestPowerOfTwoBelow(n);
  if (m <= k) return [...refSubproof(m, d.slice(0, k), b), refMth(d.slice(k))];
  return [...refSubproof(m - k, d.slice(k), false), refMth(d.slice(0, k))];
}

/** PROOF(m, D[n]); empty for m = 0 (every tree extends the empty one). */
function refProof(m: number, d: readonly Uint8Array[]): Uint8Array[] {
  return m === 0 ? [] : refSubproof(m, d, true);
}

/** The sides of PATH(m, D[n])'s elements, leaf upwards: 'R' for a subtree right of the path, 'L' for left. */
function refPathSides(m: number, n: number): string {
  if (n === 1) return '';
  const k = largestPowerOfTwoBelow(n);
  return m < k ? `${refPathSides(m, k)}R` : `${refPathSides(m - k, n - k)}L`;
}

/** The shape of SUBPROOF(m, D[n], b) likewise, with 'S' for the element MTH(D[m]) itself. */
function refProofShape(m: number, n: number, b = true): string {
  if (m === n) return b ? '' : 'S';
  const k = largestPowerOfTwoBelow(n);
  return m <= k ? `${refProofShape(m, k, b)}R` : `${refProofShape(m - k, n - k, false)}L`;
}

/** ASCII text as bytes (jsdom has no TextEncoder). */
function ascii(text: string): Uint8Array {
  return Uint8Array.from(text, (c) => c.charCodeAt(0));
}

/** Distinct entries: "entry <i>" — so that all leaf hashes (and all memoisation keys) differ. */
function entries(count: number): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => ascii(`entry ${i}`));
}

const hexes = (list: readonly Uint8Array[]): string[] => list.map((h) => toHex(h));
const sameHashes = (a: readonly Uint8Array[], b: readonly Uint8Array[]): boolean =>
  a.length === b.length && a.every((h, i) => bytesEqual(h, b[i]!));
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

function flipped(list: readonly Uint8Array[], element: number, byte: number): Uint8Array[] {
  return list.map((h, i) => {
    if (i !== element) return h;
    const copy = h.slice();
    copy[byte]! ^= 0x01;
    return copy;
  });
}

const MAX_REFERENCE_SIZE = 70;
const MAX_STORE_SIZE = 200;
const DATA = entries(MAX_STORE_SIZE);
let LEAVES: Uint8Array[] = [];

beforeAll(() => {
  LEAVES = DATA.map((e) => merkleLeafHash(e));
});

// ------------------------------------------------------------------------------------------------------------

describe('Merkle tree: known answers', () => {
  // certificate-transparency (cpp/merkletree/merkle_tree_test.cc) reference inputs, roots and proofs.
  const CT_INPUTS = [
    '',
    '00',
    '10',
    '2021',
    '3031',
    '40414243',
    '5051525354555657',
    '606162636465666768696a6b6c6d6e6f',
  ].map((h) => unhex(h));
  const CT_ROOTS = [
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
    'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
    '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
    'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
    '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
  ];
  // (0-based leaf index, tree size, path); the C++ test numbers leaves from 1.
  const CT_PATHS: Array<[number, number, string[]]> = [
    [0, 1, []],
    [
      0,
      8,
      [
        '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
        '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
        '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
      ],
    ],
    [
      5,
      8,
      [
        'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
        'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
        'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
      ],
    ],
    [2, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
    [
      1,
      5,
      [
        '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
        '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
        'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      ],
    ],
  ];
  const CT_CONSISTENCY: Array<[number, number, string[]]> = [
    [1, 1, []],
    [
      1,
      8,
      [
        '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
        '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
        '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
      ],
    ],
    [
      6,
      8,
      [
        '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
        'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
        'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
      ],
    ],
    [
      2,
      5,
      [
        '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
        'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      ],
    ],
  ];

  it('hashes the empty tree and the empty entry', () => {
    expect(toHex(MERKLE_EMPTY_ROOT)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(toHex(merkleRoot([]))).toBe(toHex(MERKLE_EMPTY_ROOT));
    expect(toHex(new MemoryMerkleTree().root())).toBe(toHex(MERKLE_EMPTY_ROOT));
    expect(toHex(merkleLeafHash(new Uint8Array(0)))).toBe(
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    );
    expect(MERKLE_HASH_BYTES).toBe(32);
  });

  it('reproduces the Certificate Transparency roots for 1..8 leaves', async () => {
    const leaves = CT_INPUTS.map((e) => merkleLeafHash(e));
    const tree = new MemoryMerkleTree();
    for (let n = 1; n <= 8; n += 1) {
      expect(tree.append(CT_INPUTS[n - 1]!)).toBe(n - 1);
      expect(toHex(merkleRoot(leaves.slice(0, n)))).toBe(CT_ROOTS[n - 1]);
      expect(toHex(tree.root())).toBe(CT_ROOTS[n - 1]);
    }
    for (let n = 1; n <= 8; n += 1) {
      expect(toHex(tree.root(n))).toBe(CT_ROOTS[n - 1]);
      expect(toHex(await merkleRootFromNodes(n, tree))).toBe(CT_ROOTS[n - 1]);
    }
    expect(toHex(tree.node(3, 0))).toBe(CT_ROOTS[7]);
    expect(toHex(tree.node(2, 0))).toBe(CT_ROOTS[3]);
    expect(toHex(tree.node(1, 0))).toBe(CT_ROOTS[1]);
  });

  it('reproduces the Certificate Transparency inclusion proofs', async () => {
    const tree = MemoryMerkleTree.fromLeafHashes(CT_INPUTS.map((e) => merkleLeafHash(e)));
    for (const [index, size, path] of CT_PATHS) {
      expect(hexes(tree.inclusionProof(index, size))).toEqual(path);
      expect(hexes(await merkleInclusionProof(index, size, tree))).toEqual(path);
      const ok = verifyMerkleInclusion(
        merkleLeafHash(CT_INPUTS[index]!),
        index,
        size,
        path.map((h) => unhex(h)),
        unhex(CT_ROOTS[size - 1]!),
      );
      expect(ok).toBe(true);
    }
  });

  it('reproduces the Certificate Transparency consistency proofs', async () => {
    const tree = MemoryMerkleTree.fromLeafHashes(CT_INPUTS.map((e) => merkleLeafHash(e)));
    for (const [oldSize, newSize, proof] of CT_CONSISTENCY) {
      expect(hexes(tree.consistencyProof(oldSize, newSize))).toEqual(proof);
      expect(hexes(await merkleConsistencyProof(oldSize, newSize, tree))).toEqual(proof);
      const ok = verifyMerkleConsistency(
        oldSize,
        newSize,
        proof.map((h) => unhex(h)),
        unhex(CT_ROOTS[oldSize - 1]!),
        unhex(CT_ROOTS[newSize - 1]!),
      );
      expect(ok).toBe(true);
    }
  });

  it('hashes nodes as SHA-256(0x01 || left || right)', () => {
    const a = merkleLeafHash(unhex(''));
    const b = merkleLeafHash(unhex('00'));
    expect(toHex(merkleNodeHash(a, b))).toBe(CT_ROOTS[1]);
    expect(toHex(merkleNodeHash(a, b))).toBe(toHex(sha256(Uint8Array.of(1), a, b)));
  });
});

describe('Merkle tree: against the RFC 9162 recursive definitions', () => {
  it(`computes MTH for every size 0..${MAX_STORE_SIZE}`, () => {
    const problems: string[] = [];
    const tree = new MemoryMerkleTree();
    if (toHex(tree.root()) !== toHex(refMth([]))) problems.push('root(0)');
    for (let n = 1; n <= MAX_STORE_SIZE; n += 1) {
      tree.appendLeafHash(LEAVES[n - 1]!);
      const expected = toHex(refMth(DATA.slice(0, n)));
      if (toHex(merkleRoot(LEAVES.slice(0, n))) !== expected) problems.push(`merkleRoot ${n}`);
      if (toHex(tree.root()) !== expected) problems.push(`tree.root() at ${n}`);
    }
    for (let n = 0; n <= MAX_STORE_SIZE; n += 1) {
      if (toHex(tree.root(n)) !== toHex(refMth(DATA.slice(0, n)))) problems.push(`tree.root(${n})`);
    }
    expect(problems).toEqual([]);
  });

  it(`generates and verifies every inclusion proof for sizes 1..${MAX_REFERENCE_SIZE}`, () => {
    const problems: string[] = [];
    const tree = MemoryMerkleTree.fromLeafHashes(LEAVES.slice(0, MAX_REFERENCE_SIZE));
    let checked = 0;
    for (let n = 1; n <= MAX_REFERENCE_SIZE; n += 1) {
      const d = DATA.slice(0, n);
      const root = refMth(d);
      for (let m = 0; m < n; m += 1) {
        const proof = tree.inclusionProof(m, n);
        if (!sameHashes(proof, refPath(m, d))) problems.push(`PATH(${m}, ${n})`);
        if (!verifyMerkleInclusion(LEAVES[m]!, m, n, proof, root)) problems.push(`verify(${m}, ${n})`);
        checked += 1;
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBe((MAX_REFERENCE_SIZE * (MAX_REFERENCE_SIZE + 1)) / 2);
  });

  it(`generates and verifies every consistency proof for sizes 1..${MAX_REFERENCE_SIZE}`, () => {
    const problems: string[] = [];
    const tree = MemoryMerkleTree.fromLeafHashes(LEAVES.slice(0, MAX_REFERENCE_SIZE));
    let checked = 0;
    for (let n = 1; n <= MAX_REFERENCE_SIZE; n += 1) {
      const d = DATA.slice(0, n);
      const newRoot = refMth(d);
      for (let m = 0; m <= n; m += 1) {
        const proof = tree.consistencyProof(m, n);
        if (!sameHashes(proof, refProof(m, d))) problems.push(`PROOF(${m}, ${n})`);
        if (!verifyMerkleConsistency(m, n, proof, refMth(d.slice(0, m)), newRoot)) problems.push(`verify(${m}, ${n})`);
        checked += 1;
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBe((MAX_REFERENCE_SIZE * (MAX_REFERENCE_SIZE + 3)) / 2);
  });
});

describe('Merkle tree: tampering is detected', () => {
  // A proof carries no tree size: RFC 9162 binds the size to the root through the signed tree head. So a proof
  // for size n, checked against n's root but under another size s, is accepted exactly when the recursive
  // definition gives the proof the same shape (siblings on the same sides) for s as for n; checked against s's
  // own root it never is.
  const WINDOW = 4;

  it(`rejects tampered inclusion proofs for sizes 1..${MAX_REFERENCE_SIZE}`, () => {
    const problems: string[] = [];
    const tree = MemoryMerkleTree.fromLeafHashes(LEAVES.slice(0, MAX_REFERENCE_SIZE + WINDOW));
    const other = merkleLeafHash(ascii('not an entry'));
    let rejected = 0;
    const reject = (what: string, ok: boolean): void => {
      if (ok) problems.push(what);
      rejected += 1;
    };
    for (let n = 1; n <= MAX_REFERENCE_SIZE; n += 1) {
      const root = tree.root(n);
      for (let m = 0; m < n; m += 1) {
        const leaf = LEAVES[m]!;
        const proof = tree.inclusionProof(m, n);
        const at = `(${m}, ${n})`;
        for (let e = 0; e < proof.length; e += 1) {
          for (const byte of [0, 31]) {
            reject(`flip ${e}/${byte} ${at}`, verifyMerkleInclusion(leaf, m, n, flipped(proof, e, byte), root));
          }
        }
        for (const i of [-1, n, n + 1, m ^ 2, n - 1 - m, ...range(m - WINDOW, m + WINDOW)]) {
          if (i !== m) reject(`index ${i} ${at}`, verifyMerkleInclusion(leaf, i, n, proof, root));
        }
        for (const s of [0, Math.floor(n / 2), n * 2, ...range(n - WINDOW, n + WINDOW)]) {
          if (s < 0 || s === n) continue;
          const sameShape = s > m && refPathSides(m, s) === refPathSides(m, n);
          if (verifyMerkleInclusion(leaf, m, s, proof, root) !== sameShape) problems.push(`size ${s} ${at}`);
          if (s > m && s <= MAX_REFERENCE_SIZE + WINDOW) {
            reject(`size ${s} with its root ${at}`, verifyMerkleInclusion(leaf, m, s, proof, tree.root(s)));
          }
        }
        reject(`other leaf ${at}`, verifyMerkleInclusion(other, m, n, proof, root));
        reject(`flipped root ${at}`, verifyMerkleInclusion(leaf, m, n, proof, flipped([root], 0, 7)[0]!));
        reject(`empty root ${at}`, verifyMerkleInclusion(leaf, m, n, proof, MERKLE_EMPTY_ROOT));
        reject(`extra element ${at}`, verifyMerkleInclusion(leaf, m, n, [...proof, root], root));
        reject(`leading element ${at}`, verifyMerkleInclusion(leaf, m, n, [leaf, ...proof], root));
        if (proof.length > 0) {
          reject(`truncated ${at}`, verifyMerkleInclusion(leaf, m, n, proof.slice(0, -1), root));
          reject(`first dropped ${at}`, verifyMerkleInclusion(leaf, m, n, proof.slice(1), root));
        }
        if (proof.length > 1) reject(`reversed ${at}`, verifyMerkleInclusion(leaf, m, n, [...proof].reverse(), root));
      }
    }
    expect(problems).toEqual([]);
    expect(rejected).toBeGreaterThan(50_000);
  });

  it(`rejects tampered consistency proofs for sizes 1..${MAX_REFERENCE_SIZE}`, () => {
    const problems: string[] = [];
    const tree = MemoryMerkleTree.fromLeafHashes(LEAVES.slice(0, MAX_REFERENCE_SIZE + WINDOW));
    let rejected = 0;
    const reject = (what: string, ok: boolean): void => {
      if (ok) problems.push(what);
      rejected += 1;
    };
    for (let n = 2; n <= MAX_REFERENCE_SIZE; n += 1) {
      const newRoot = tree.root(n);
      for (let m = 1; m < n; m += 1) {
        const oldRoot = tree.root(m);
        const proof = tree.consistencyProof(m, n);
        const at = `(${m}, ${n})`;
        if (proof.length === 0) problems.push(`empty proof ${at}`);
        for (let e = 0; e < proof.length; e += 1) {
          for (const byte of [0, 31]) {
            reject(`flip ${e}/${byte} ${at}`, verifyMerkleConsistency(m, n, flipped(proof, e, byte), oldRoot, newRoot));
          }
        }
        for (const a of [-1, 0, n, n + 1, m ^ 2, ...range(m - WINDOW, m + WINDOW)]) {
          if (a === m) continue;
          const sameShape = a > 0 && a < n && refProofShape(a, n) === refProofShape(m, n);
          if (verifyMerkleConsistency(a, n, proof, oldRoot, newRoot) !== sameShape)
            problems.push(`old size ${a} ${at}`);
          if (a >= 0 && a <= n) {
            reject(`old size ${a} with its root ${at}`, verifyMerkleConsistency(a, n, proof, tree.root(a), newRoot));
          }
        }
        for (const b of [0, Math.floor(n / 2), n * 2, ...range(n - WINDOW, n + WINDOW)]) {
          if (b < 0 || b === n) continue;
          const sameShape = b > m && refProofShape(m, b) === refProofShape(m, n);
          if (verifyMerkleConsistency(m, b, proof, oldRoot, newRoot) !== sameShape)
            problems.push(`new size ${b} ${at}`);
          if (b >= m && b <= MAX_REFERENCE_SIZE + WINDOW) {
            reject(`new size ${b} with its root ${at}`, verifyMerkleConsistency(m, b, proof, oldRoot, tree.root(b)));
          }
        }
        reject(`swapped roots ${at}`, verifyMerkleConsistency(m, n, proof, newRoot, oldRoot));
        reject(`flipped old root ${at}`, verifyMerkleConsistency(m, n, proof, flipped([oldRoot], 0, 5)[0]!, newRoot));
        reject(`flipped new root ${at}`, verifyMerkleConsistency(m, n, proof, oldRoot, flipped([newRoot], 0, 5)[0]!));
        reject(`empty proof ${at}`, verifyMerkleConsistency(m, n, [], oldRoot, newRoot));
        reject(`truncated ${at}`, verifyMerkleConsistency(m, n, proof.slice(0, -1), oldRoot, newRoot));
        reject(`first dropped ${at}`, verifyMerkleConsistency(m, n, proof.slice(1), oldRoot, newRoot));
        reject(`repeated last ${at}`, verifyMerkleConsistency(m, n, [...proof, proof.at(-1)!], oldRoot, newRoot));
        reject(`old root prepended ${at}`, verifyMerkleConsistency(m, n, [oldRoot, ...proof], oldRoot, newRoot));
        if (proof.length > 1) {
          reject(`reversed ${at}`, verifyMerkleConsistency(m, n, [...proof].reverse(), oldRoot, newRoot));
        }
      }
    }
    expect(problems).toEqual([]);
    expect(rejected).toBeGreaterThan(50_000);
  });

  it('settles the trivial consistency cases (oldSize 0, oldSize = newSize) without a proof', () => {
    const tree = MemoryMerkleTree.fromLeafHashes(LEAVES.slice(0, 5));
    const empty = MERKLE_EMPTY_ROOT;
    const root5 = tree.root();
    const root3 = tree.root(3);
    expect(verifyMerkleConsistency(0, 0, [], empty, empty)).toBe(true);
    expect(verifyMerkleConsistency(0, 5, [], empty, root5)).toBe(true);
    expect(verifyMerkleConsistency(5, 5, [], root5, root5)).toBe(true);
    expect(verifyMerkleConsistency(0, 0, [], empty, root5)).toBe(false);
    expect(verifyMerkleConsistency(0, 5, [], root3, root5)).toBe(false);
    expect(verifyMerkleConsistency(0, 5, [root5], empty, root5)).toBe(false);
    expect(verifyMerkleConsistency(5, 5, [], root3, root5)).toBe(false);
    expect(verifyMerkleConsistency(5, 5, [root5], root5, root5)).toBe(false);
    expect(verifyMerkleConsistency(5, 3, [], root5, root3)).toBe(false);
    expect(tree.consistencyProof(0)).toEqual([]);
    expect(tree.consistencyProof(5)).toEqual([]);
  });

  it('answers false, not an exception, for ill-typed verification input', () => {
    const tree = MemoryMerkleTree.fromLeafHashes(LEAVES.slice(0, 6));
    const root = tree.root();
    const proof = tree.inclusionProof(2);
    const leaf = LEAVES[2]!;
    expect(verifyMerkleInclusion(leaf, 2, 6, proof, root)).toBe(true);
    expect(verifyMerkleInclusion(leaf.subarray(1), 2, 6, proof, root)).toBe(false);
    expect(verifyMerkleInclusion(leaf, 2, 6, proof, root.subarray(0, 31))).toBe(false);
    expect(verifyMerkleInclusion(leaf, 2, 6, [...proof.slice(0, -1), new Uint8Array(33)], root)).toBe(false);
    expect(verifyMerkleInclusion(leaf, 2.5, 6, proof, root)).toBe(false);
    expect(verifyMerkleInclusion(leaf, 2, Number.NaN, proof, root)).toBe(false);
    expect(verifyMerkleInclusion(leaf, 2, 2 ** 53, proof, root)).toBe(false);
    expect(verifyMerkleInclusion(leaf, 2, 6, null as unknown as Uint8Array[], root)).toBe(false);
    expect(verifyMerkleInclusion('x' as unknown as Uint8Array, 2, 6, proof, root)).toBe(false);
    const cproof = tree.consistencyProof(3);
    const old = tree.root(3);
    expect(verifyMerkleConsistency(3, 6, cproof, old, root)).toBe(true);
    expect(verifyMerkleConsistency(3, 6, [new Uint8Array(31), ...cproof.slice(1)], old, root)).toBe(false);
    expect(verifyMerkleConsistency(3, 6, cproof, old.subarray(1), root)).toBe(false);
    expect(verifyMerkleConsistency(-3, 6, cproof, old, root)).toBe(false);
    expect(verifyMerkleConsistency(3, 6.5, cproof, old, root)).toBe(false);
    expect(verifyMerkleConsistency(3, 6, 'proof' as unknown as Uint8Array[], old, root)).toBe(false);
  });
});

describe('Merkle tree: node store', () => {
  /** A store of perfect-subtree hashes filled through merkleAppendNodes, read asynchronously, reads counted. */
  class Store implements MerkleNodeSource {
    readonly nodes = new Map<string, Uint8Array>();
    reads: Array<[number, number]> = [];
    size = 0;

    async append(leafHash: Uint8Array, sync = false): Promise<void> {
      const get = sync
        ? (level: number, index: number) => this.nodes.get(`${level}:${index}`)!
        : (level: number, index: number) => this.node(level, index);
      const added = await merkleAppendNodes(this.size, leafHash, get);
      for (const { level, index, hash } of added) {
        expect(this.nodes.has(`${level}:${index}`)).toBe(false);
        this.nodes.set(`${level}:${index}`, hash);
      }
      this.size += 1;
    }

    async node(level: number, index: number): Promise<Uint8Array> {
      await Promise.resolve();
      this.reads.push([level, index]);
      const hash = this.nodes.get(`${level}:${index}`);
      if (!hash) throw new Error(`node ${level}:${index} missing`);
      return hash;
    }
  }

  /** ⌈log2 n⌉. */
  const ceilLog2 = (n: number): number => {
    let l = 0;
    while (2 ** l < n) l += 1;
    return l;
  };

  it(`builds the same nodes as MemoryMerkleTree and answers roots for 1..${MAX_STORE_SIZE} leaves`, async () => {
    const store = new Store();
    const tree = new MemoryMerkleTree();
    for (let n = 1; n <= MAX_STORE_SIZE; n += 1) {
      await store.append(LEAVES[n - 1]!, n % 2 === 0);
      tree.appendLeafHash(LEAVES[n - 1]!);
      const expected = toHex(refMth(DATA.slice(0, n)));
      store.reads = [];
      expect(toHex(await merkleRootFromNodes(n, store))).toBe(expected);
      expect(store.reads.length).toBeLessThanOrEqual(ceilLog2(n) + 1);
    }
    // Exactly the perfect subtrees: n − popcount(n) interior nodes plus n leaves = 2n − popcount(n).
    expect(store.nodes.size).toBe(2 * MAX_STORE_SIZE - 3);
    for (const [key, hash] of store.nodes) {
      const [level, index] = key.split(':').map(Number) as [number, number];
      expect(toHex(tree.node(level, index))).toBe(toHex(hash));
    }
    expect(toHex(await merkleRootFromNodes(0, store))).toBe(toHex(MERKLE_EMPTY_ROOT));
  });

  it(`serves every inclusion and consistency proof for sizes 1..${MAX_STORE_SIZE} in O(log n) reads`, async () => {
    const problems: string[] = [];
    const store = new Store();
    for (const leaf of LEAVES) await store.append(leaf);
    const tree = MemoryMerkleTree.fromLeafHashes(LEAVES);
    const checkReads = (what: string, n: number): void => {
      const distinct = new Set(store.reads.map(([l, i]) => `${l}:${i}`));
      if (distinct.size !== store.reads.length) problems.push(`${what}: a node read twice`);
      if (store.reads.length > 2 * ceilLog2(n) + 1) problems.push(`${what}: ${store.reads.length} reads`);
      for (const [level, index] of store.reads) {
        if ((index + 1) * 2 ** level > n) problems.push(`${what}: read (${level}, ${index}) outside the tree`);
      }
      store.reads = [];
    };
    let proofs = 0;
    for (let n = 1; n <= MAX_STORE_SIZE; n += 1) {
      const root = tree.root(n);
      const d = DATA.slice(0, n);
      for (let m = 0; m < n; m += 1) {
        store.reads = [];
        const proof = await merkleInclusionProof(m, n, store);
        checkReads(`inclusion (${m}, ${n})`, n);
        if (!sameHashes(proof, tree.inclusionProof(m, n))) problems.push(`inclusion (${m}, ${n}) ≠ memory`);
        if (n <= MAX_REFERENCE_SIZE && !sameHashes(proof, refPath(m, d))) problems.push(`PATH(${m}, ${n})`);
        if (!verifyMerkleInclusion(LEAVES[m]!, m, n, proof, root)) problems.push(`verify inclusion (${m}, ${n})`);
        proofs += 1;
      }
      for (let m = 0; m <= n; m += 1) {
        store.reads = [];
        const proof = await merkleConsistencyProof(m, n, store);
        checkReads(`consistency (${m}, ${n})`, n);
        if (!sameHashes(proof, tree.consistencyProof(m, n))) problems.push(`consistency (${m}, ${n}) ≠ memory`);
        if (n <= MAX_REFERENCE_SIZE && !sameHashes(proof, refProof(m, d))) problems.push(`PROOF(${m}, ${n})`);
        if (!verifyMerkleConsistency(m, n, proof, tree.root(m), root)) problems.push(`verify consistency (${m}, ${n})`);
        proofs += 1;
      }
    }
    expect(problems).toEqual([]);
    expect(proofs).toBe(MAX_STORE_SIZE * (MAX_STORE_SIZE + 2));
  });

  it('computes the root of any leaf range, aligned or not', async () => {
    const tree = MemoryMerkleTree.fromLeafHashes(LEAVES.slice(0, 40));
    for (let start = 0; start <= 40; start += 1) {
      for (let end = start; end <= 40; end += 1) {
        const expected = toHex(refMth(DATA.slice(start, end)));
        expect(toHex(await merkleSubtreeRoot(start, end, tree))).toBe(expected);
      }
    }
  });

  it('reports the nodes completed by each append', async () => {
    const nodes = await merkleAppendNodes(0, LEAVES[0]!, () => {
      throw new Error('no reads for the first leaf');
    });
    expect(nodes).toEqual([{ level: 0, index: 0, hash: LEAVES[0] }]);
    const tree = MemoryMerkleTree.fromLeafHashes(LEAVES.slice(0, 7));
    const added = await merkleAppendNodes(7, LEAVES[7]!, (level, index) => tree.node(level, index));
    expect(added.map(({ level, index }) => [level, index])).toEqual([
      [0, 7],
      [1, 3],
      [2, 1],
      [3, 0],
    ]);
    expect(toHex(added[3]!.hash)).toBe(toHex(refMth(DATA.slice(0, 8))));
    const eight = await merkleAppendNodes(8, LEAVES[8]!, (level, index) => tree.node(level, index));
    expect(eight.map(({ level, index }) => [level, index])).toEqual([[0, 8]]);
  });
});

describe('Merkle tree: input validation', () => {
  it('refuses bad sizes, indexes and hash lengths with MALFORMED', async () => {
    const tree = MemoryMerkleTree.fromLeafHashes(LEAVES.slice(0, 10));
    const src: MerkleNodeSource = tree;
    const leaf = LEAVES[0]!;
    expectCryptoError(() => merkleNodeHash(leaf, leaf.subarray(1)), 'MALFORMED');
    expectCryptoError(() => merkleNodeHash(new Uint8Array(33), leaf), 'MALFORMED');
    expectCryptoError(() => merkleRoot([leaf, new Uint8Array(31)]), 'MALFORMED');
    expectCryptoError(() => merkleLeafHash('entry' as unknown as Uint8Array), 'MALFORMED');
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      await expectCryptoErrorAsync(() => merkleInclusionProof(bad, 10, src), 'MALFORMED');
      await expectCryptoErrorAsync(() => merkleInclusionProof(0, bad, src), 'MALFORMED');
      await expectCryptoErrorAsync(() => merkleConsistencyProof(bad, 10, src), 'MALFORMED');
      await expectCryptoErrorAsync(() => merkleConsistencyProof(0, bad, src), 'MALFORMED');
      await expectCryptoErrorAsync(() => merkleRootFromNodes(bad, src), 'MALFORMED');
      await expectCryptoErrorAsync(() => merkleSubtreeRoot(bad, 4, src), 'MALFORMED');
      await expectCryptoErrorAsync(() => merkleAppendNodes(bad, leaf, () => leaf), 'MALFORMED');
    }
    await expectCryptoErrorAsync(() => merkleInclusionProof(10, 10, src), 'MALFORMED');
    await expectCryptoErrorAsync(() => merkleInclusionProof(0, 0, src), 'MALFORMED');
    await expectCryptoErrorAsync(() => merkleConsistencyProof(6, 5, src), 'MALFORMED');
    await expectCryptoErrorAsync(() => merkleSubtreeRoot(5, 4, src), 'MALFORMED');
    await expectCryptoErrorAsync(() => merkleAppendNodes(0, leaf.subarray(2), () => leaf), 'MALFORMED');
    await expectCryptoErrorAsync(() => merkleAppendNodes(1, leaf, () => new Uint8Array(16)), 'MALFORMED');
    await expectCryptoErrorAsync(() => merkleRootFromNodes(3, { node: async () => new Uint8Array(31) }), 'MALFORMED');
    expectCryptoError(() => tree.appendLeafHash(new Uint8Array(31)), 'MALFORMED');
    expectCryptoError(() => tree.root(11), 'MALFORMED');
    expectCryptoError(() => tree.inclusionProof(10), 'MALFORMED');
    expectCryptoError(() => tree.inclusionProof(0, 11), 'MALFORMED');
    expectCryptoError(() => tree.consistencyProof(4, 3), 'MALFORMED');
    expectCryptoError(() => tree.consistencyProof(0, 11), 'MALFORMED');
    expectCryptoError(() => tree.node(4, 0), 'MALFORMED');
    expectCryptoError(() => tree.node(1, 5), 'MALFORMED');
    expectCryptoError(() => tree.node(-1, 0), 'MALFORMED');
    expect(tree.size).toBe(10);
  });

  it('hands out copies, so callers cannot corrupt the tree', () => {
    const tree = MemoryMerkleTree.fromLeafHashes(LEAVES.slice(0, 4));
    const root = toHex(tree.root());
    tree.node(0, 0).fill(0);
    tree.root().fill(0);
    tree.inclusionProof(1)[0]!.fill(0);
    merkleRoot([]).fill(0);
    expect(toHex(tree.root())).toBe(root);
    expect(toHex(merkleRoot([]))).toBe(toHex(MERKLE_EMPTY_ROOT));
    const only = LEAVES[0]!.slice();
    merkleRoot([only]).fill(0);
    expect(toHex(only)).toBe(toHex(LEAVES[0]!));
  });

  it('copies what a node source returns and what merkleAppendNodes is given', async () => {
    const tree = MemoryMerkleTree.fromLeafHashes(LEAVES.slice(0, 4));
    const cached = [0, 1, 2, 3].map((i) => tree.node(0, i));
    const src: MerkleNodeSource = { node: (level, index) => (level === 0 ? cached[index]! : tree.node(level, index)) };
    (await merkleInclusionProof(0, 4, src))[0]!.fill(0);
    expect(toHex(cached[1]!)).toBe(toHex(LEAVES[1]!));
    const leaf = LEAVES[4]!.slice();
    const [added] = await merkleAppendNodes(4, leaf, (level, index) => tree.node(level, index));
    added!.hash.fill(0);
    expect(toHex(leaf)).toBe(toHex(LEAVES[4]!));
  });

  it('handles sizes beyond 32 bits', async () => {
    // A consistent sparse tree: every leaf hashes to BASE except leaf `special`, so a perfect subtree without it is
    // T[level] (T[0] = BASE, T[l+1] = H(T[l], T[l])) and one with it is built up from MARK.
    const synthetic = (special: number): { node(level: number, index: number): Uint8Array } => {
      const base = merkleLeafHash(ascii('base'));
      const t = [base];
      for (let l = 1; l <= 53; l += 1) t.push(merkleNodeHash(t[l - 1]!, t[l - 1]!));
      return {
        node: (level, index) => {
          if (Math.floor(special / 2 ** level) !== index) return t[level]!;
          let hash = merkleLeafHash(ascii('mark'));
          for (let l = 0; l < level; l += 1) {
            hash = Math.floor(special / 2 ** l) % 2 === 0 ? merkleNodeHash(hash, t[l]!) : merkleNodeHash(t[l]!, hash);
          }
          return hash;
        },
      };
    };
    const size = 2 ** 40 + 2 ** 33 + 5;
    const index = 2 ** 40 + 2 ** 32 + 3;
    const src = synthetic(index);
    const leaf = src.node(0, index);
    const root = await merkleRootFromNodes(size, src);
    const proof = await merkleInclusionProof(index, size, src);
    expect(proof).toHaveLength(35); // [0, 2^40) | [2^40, 2^40 + 2^33) ∋ index | 5 more: 1 + 33 + 1
    expect(verifyMerkleInclusion(leaf, index, size, proof, root)).toBe(true);
    expect(verifyMerkleInclusion(leaf, index - 2 ** 32, size, proof, root)).toBe(false);
    expect(verifyMerkleInclusion(leaf, index + 1, size, proof, root)).toBe(false);
    const oldSize = 2 ** 40 + 2 ** 32 + 7;
    const oldRoot = await merkleRootFromNodes(oldSize, src);
    const consistency = await merkleConsistencyProof(oldSize, size, src);
    expect(verifyMerkleConsistency(oldSize, size, consistency, oldRoot, root)).toBe(true);
    expect(verifyMerkleConsistency(oldSize, size, consistency, root, oldRoot)).toBe(false);
    const big = Number.MAX_SAFE_INTEGER;
    const bigSrc = synthetic(big - 3);
    const bigRoot = await merkleRootFromNodes(big, bigSrc);
    const bigProof = await merkleInclusionProof(big - 3, big, bigSrc);
    expect(bigProof).toHaveLength(53); // 51 left siblings down to the last three leaves, then 2
    expect(verifyMerkleInclusion(bigSrc.node(0, big - 3), big - 3, big, bigProof, bigRoot)).toBe(true);
    expect(verifyMerkleInclusion(bigSrc.node(0, big - 3), big - 2, big, bigProof, bigRoot)).toBe(false);
    const bigOld = 2 ** 52 + 1;
    const bigConsistency = await merkleConsistencyProof(bigOld, big, bigSrc);
    const bigOldRoot = await merkleRootFromNodes(bigOld, bigSrc);
    expect(verifyMerkleConsistency(bigOld, big, bigConsistency, bigOldRoot, bigRoot)).toBe(true);
    expect(await merkleAppendNodes(big - 1, leaf, (l, i) => bigSrc.node(l, i))).toHaveLength(1);
    await expectCryptoErrorAsync(() => merkleAppendNodes(big, leaf, (l, i) => bigSrc.node(l, i)), 'MALFORMED');
  });
});
