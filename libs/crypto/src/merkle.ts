import { bytesEqual, concatBytes } from './bytes.js';
import { fail } from './errors.js';
import { lib } from './sodium.js';

/**
 * Merkle trees as in Certificate Transparency v2 (RFC 9162 §2.1) with SHA-256, for tamper-evident logs:
 *
 *   MTH({})       = SHA-256()
 *   MTH({d0})     = SHA-256(0x00 || d0)                                  (leaf hash)
 *   MTH(D[n])     = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))          (node hash; k = largest power of 2 < n)
 *
 * Everything below works on leaf hashes; `merkleLeafHash` turns an entry into one. A log that stores the hash of
 * every perfect subtree (`merkleAppendNodes` yields them as leaves are appended) can answer roots and proofs for
 * any tree size with O(log n) node reads through a `MerkleNodeSource`. Sizes and indexes are JavaScript numbers
 * limited to the safe-integer range. Call `ready()` before use.
 */

/** Length of every hash in the tree (SHA-256). */
export const MERKLE_HASH_BYTES = 32;

/**
 * The root of the empty tree: SHA-256 of the empty string (e3b0c442…b855). Treat it as read-only; functions of
 * this module never read this exported array, and return fresh copies of the empty root.
 */
export const MERKLE_EMPTY_ROOT: Uint8Array = Uint8Array.from(
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'.match(/../g) as string[],
  (byte) => parseInt(byte, 16),
);

const EMPTY_ROOT = MERKLE_EMPTY_ROOT.slice();
const LEAF_PREFIX = Uint8Array.of(0x00);

/**
 * Where proofs and roots read perfect-subtree hashes from: `node(level, index)` is the hash of the perfect
 * subtree over leaves [index·2^level, (index+1)·2^level) — at level 0 the leaf hashes themselves. Only nodes
 * whose leaves all lie inside the tree being proven are requested; calls may be made concurrently.
 */
export interface MerkleNodeSource {
  node(level: number, index: number): Uint8Array | Promise<Uint8Array>;
}

/** A perfect-subtree hash with its coordinates, as returned by `merkleAppendNodes`. */
export interface MerkleNode {
  level: number;
  index: number;
  hash: Uint8Array;
}

/** What the tree algorithms below read nodes through and combine them with (a dry run records reads only). */
interface Nodes {
  get(level: number, index: number): Uint8Array;
  hash(left: Uint8Array, right: Uint8Array): Uint8Array;
}

// ------------------------------------------------------------------------------------------- validation

function assertSize(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 0) fail('MALFORMED', `${what}: expected a non-negative safe integer`);
  return value;
}

function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === MERKLE_HASH_BYTES;
}

function assertHash(value: unknown, what: string): Uint8Array {
  if (!isHash(value)) fail('MALFORMED', `${what}: expected ${MERKLE_HASH_BYTES} bytes`);
  return value;
}

// ------------------------------------------------------------------------------------ integer helpers
// Sizes go up to 2^53 − 1, beyond the 32 bits that JavaScript's bitwise operators handle.

function isOdd(n: number): boolean {
  return n % 2 === 1;
}

function half(n: number): number {
  return Math.floor(n / 2);
}

/** The largest power of two strictly smaller than n (n ≥ 2): where RFC 9162 splits a tree of n leaves. */
export function merkleSplitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** log2(n) if n is a power of two (a perfect subtree of n leaves has this level), otherwise -1. */
export function merklePerfectLevel(n: number): number {
  let level = 0;
  let k = 1;
  while (k < n) {
    k *= 2;
    level += 1;
  }
  return k === n ? level : -1;
}

// -------------------------------------------------------------------------------------------- hashing

function sha256(data: Uint8Array): Uint8Array {
  return lib().crypto_hash_sha256(data);
}

const NODE_INPUT = new Uint8Array(1 + 2 * MERKLE_HASH_BYTES);

/** SHA-256(0x01 || left || right) for children already known to be 32 bytes long. */
function hashChildren(left: Uint8Array, right: Uint8Array): Uint8Array {
  NODE_INPUT[0] = 0x01;
  NODE_INPUT.set(left, 1);
  NODE_INPUT.set(right, 1 + MERKLE_HASH_BYTES);
  return sha256(NODE_INPUT);
}

/** The leaf hash of a log entry: SHA-256(0x00 || entry) (RFC 9162 §2.1.1). */
export function merkleLeafHash(entry: Uint8Array): Uint8Array {
  if (!(entry instanceof Uint8Array)) fail('MALFORMED', 'Merkle leaf: expected bytes');
  return sha256(concatBytes(LEAF_PREFIX, entry));
}

/**
 * The hash of an interior node: SHA-256(0x01 || left || right) (RFC 9162 §2.1.1).
 *
 * @throws CryptoError `MALFORMED` if either child is not 32 bytes.
 */
export function merkleNodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  assertHash(left, 'Merkle left child');
  assertHash(right, 'Merkle right child');
  return hashChildren(left, right);
}

/**
 * MTH of leaves [start, end) (start < end) from perfect-subtree nodes, straight from RFC 9162 §2.1.1: a range
 * that is itself a perfect subtree is read as one node; otherwise it is split at the largest power of two below
 * its length. Ranges that occur in the tree (and in every proof) need at most one node per level.
 */
function subtreeRoot(start: number, end: number, nodes: Nodes): Uint8Array {
  const n = end - start;
  const level = merklePerfectLevel(n);
  if (level >= 0 && start % n === 0) return nodes.get(level, start / n);
  const k = merkleSplitPoint(n);
  return nodes.hash(subtreeRoot(start, start + k, nodes), subtreeRoot(start + k, end, nodes));
}

function rootOf(size: number, nodes: Nodes): Uint8Array {
  return size === 0 ? EMPTY_ROOT.slice() : subtreeRoot(0, size, nodes);
}

/** PATH(index, D[size]) of RFC 9162 §2.1.3.1, unrolled: siblings from the root down, then reversed. */
function inclusionPath(index: number, size: number, nodes: Nodes): Uint8Array[] {
  const path: Uint8Array[] = [];
  let start = 0;
  let end = size;
  while (end - start > 1) {
    const k = merkleSplitPoint(end - start);
    if (index < start + k) {
      path.push(subtreeRoot(start + k, end, nodes));
      end = start + k;
    } else {
      path.push(subtreeRoot(start, start + k, nodes));
      start += k;
    }
  }
  return path.reverse();
}

/** PROOF(oldSize, D[newSize]) = SUBPROOF(oldSize, D[newSize], true) of RFC 9162 §2.1.4.1, unrolled likewise. */
function consistencyPath(oldSize: number, newSize: number, nodes: Nodes): Uint8Array[] {
  if (oldSize === 0) return [];
  const proof: Uint8Array[] = [];
  let start = 0;
  let end = newSize;
  let m = oldSize;
  let whole = true; // the RFC's b: D[0:m] is still the entire old tree
  for (;;) {
    const n = end - start;
    if (m === n) {
      if (!whole) proof.push(subtreeRoot(start, end, nodes));
      break;
    }
    const k = merkleSplitPoint(n);
    if (m <= k) {
      proof.push(subtreeRoot(start + k, end, nodes));
      end = start + k;
    } else {
      proof.push(subtreeRoot(start, start + k, nodes));
      start += k;
      m -= k;
      whole = false;
    }
  }
  return proof.reverse();
}

/** The perfect subtrees completed by appending leaf number `size`, bottom-up. */
function appendNodes(size: number, leafHash: Uint8Array, nodes: Nodes): MerkleNode[] {
  let hash: Uint8Array = new Uint8Array(leafHash); // a copy (Buffer#slice would be a view)
  let index = size;
  let level = 0;
  const added: MerkleNode[] = [{ level, index, hash }];
  while (isOdd(index)) {
    hash = nodes.hash(nodes.get(level, index - 1), hash);
    index = half(index);
    level += 1;
    added.push({ level, index, hash });
  }
  return added;
}

const PLACEHOLDER = new Uint8Array(MERKLE_HASH_BYTES);

/**
 * Runs a synchronous computation over nodes read from an asynchronous source: a dry run (no hashing) records
 * which nodes it reads, they are fetched (concurrently, each once), checked and copied, and a second pass
 * computes with them.
 */
async function withFetchedNodes<T>(
  compute: (nodes: Nodes) => T,
  fetch: (level: number, index: number) => Uint8Array | Promise<Uint8Array>,
): Promise<T> {
  const wanted = new Map<string, [number, number]>();
  compute({
    get: (level, index) => {
      wanted.set(`${level}:${index}`, [level, index]);
      return PLACEHOLDER;
    },
    hash: () => PLACEHOLDER,
  });
  const fetched = await Promise.all(
    [...wanted].map(
      async ([key, [level, index]]) =>
        [key, new Uint8Array(assertHash(await fetch(level, index), `Merkle node (${level}, ${index})`))] as const,
    ),
  );
  const nodes = new Map(fetched);
  return compute({ get: (level, index) => nodes.get(`${level}:${index}`) as Uint8Array, hash: hashChildren });
}

function fromSource(src: MerkleNodeSource): (level: number, index: number) => Uint8Array | Promise<Uint8Array> {
  return (level, index) => src.node(level, index);
}

// ------------------------------------------------------------------------------------------ public API

/**
 * MTH(D[n]) of RFC 9162 §2.1.1 over the given leaf hashes (the empty root for none), computed bottom-up in
 * O(n) hashes.
 *
 * @throws CryptoError `MALFORMED` if a leaf hash is not 32 bytes.
 */
export function merkleRoot(leafHashes: readonly Uint8Array[]): Uint8Array {
  if (leafHashes.length === 0) return EMPTY_ROOT.slice();
  let level = leafHashes.map((hash, i) => assertHash(hash, `Merkle leaf hash ${i}`));
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(hashChildren(level[i]!, level[i + 1]!));
    // An unpaired last node is promoted unchanged: the left-filled shape that the MTH split produces.
    if (isOdd(level.length)) next.push(level[level.length - 1]!);
    level = next;
  }
  return new Uint8Array(level[0]!);
}

/**
 * The nodes that become complete when leaf number `size` (0-based; the tree had `size` leaves before) is
 * appended: the leaf itself at level 0, then each parent completed by it, bottom-up — exactly what a store
 * behind a `MerkleNodeSource` must persist. `get(level, index)` supplies the existing left siblings (read
 * concurrently, each at most once).
 *
 * @throws CryptoError `MALFORMED` if `size` is not a non-negative safe integer, or a hash is not 32 bytes.
 */
export async function merkleAppendNodes(
  size: number,
  leafHash: Uint8Array,
  get: (level: number, index: number) => Uint8Array | Promise<Uint8Array>,
): Promise<MerkleNode[]> {
  assertSize(size, 'Merkle tree size');
  if (size === Number.MAX_SAFE_INTEGER) fail('MALFORMED', 'Merkle tree is full');
  assertHash(leafHash, 'Merkle leaf hash');
  return withFetchedNodes((g) => appendNodes(size, leafHash, g), get);
}

/**
 * MTH of leaves [start, end) — the root of the tree made of just those leaves — read from perfect-subtree
 * nodes: a range that occurs in the tree (start a multiple of a power of two ≥ its length, e.g. any
 * [0, size)) needs at most one node per level. The empty range yields the empty root.
 *
 * @throws CryptoError `MALFORMED` for bounds that are not safe integers with 0 ≤ start ≤ end, or a node that
 * is not 32 bytes.
 */
export async function merkleSubtreeRoot(start: number, end: number, src: MerkleNodeSource): Promise<Uint8Array> {
  assertSize(start, 'Merkle range start');
  assertSize(end, 'Merkle range end');
  if (start > end) fail('MALFORMED', 'Merkle range: start after end');
  if (start === end) return EMPTY_ROOT.slice();
  return withFetchedNodes((g) => subtreeRoot(start, end, g), fromSource(src));
}

/**
 * The root of the tree of the first `size` leaves (the empty root for 0), read from perfect-subtree nodes.
 *
 * @throws CryptoError `MALFORMED` as `merkleSubtreeRoot`.
 */
export function merkleRootFromNodes(size: number, src: MerkleNodeSource): Promise<Uint8Array> {
  return merkleSubtreeRoot(0, size, src);
}

/**
 * The inclusion proof (audit path) of leaf `index` in the tree of the first `size` leaves, as RFC 9162
 * §2.1.3.1 defines it: sibling subtree hashes from the leaf's level up. Empty for a tree of one leaf.
 *
 * @throws CryptoError `MALFORMED` unless 0 ≤ index < size (safe integers), or for a node that is not 32 bytes.
 */
export async function merkleInclusionProof(index: number, size: number, src: MerkleNodeSource): Promise<Uint8Array[]> {
  assertSize(index, 'Merkle leaf index');
  assertSize(size, 'Merkle tree size');
  if (index >= size) fail('MALFORMED', 'Merkle leaf index beyond the tree');
  return withFetchedNodes((g) => inclusionPath(index, size, g), fromSource(src));
}

/**
 * Verifies an inclusion proof with the algorithm of RFC 9162 §2.1.3.2: that the leaf with hash `leafHash` is
 * number `index` of the tree of `size` leaves whose root is `root`. Never throws on bad input (other than
 * before `ready()`): wrong types, lengths or ranges are simply `false`.
 */
export function verifyMerkleInclusion(
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!isHash(leafHash) || !isHash(root) || !Array.isArray(proof) || !proof.every(isHash)) return false;
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0) return false;
  // 1. leaf_index must be below tree_size.
  if (index >= size) return false;
  // 2. fn = leaf_index, sn = tree_size − 1. 3. r = hash.
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  // 4. For each p in inclusion_path:
  for (const p of proof) {
    // a. sn = 0 with path left over: fail.
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      // b. r = HASH(0x01 || p || r); if LSB(fn) is not set, shift until it is or fn is 0.
      r = hashChildren(p, r);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      // otherwise r = HASH(0x01 || r || p).
      r = hashChildren(r, p);
    }
    // c. Shift both once.
    fn = half(fn);
    sn = half(sn);
  }
  // 5. sn must be 0 and r must equal the root.
  return sn === 0 && bytesEqual(r, root);
}

/**
 * The consistency proof between the tree of the first `oldSize` leaves and that of the first `newSize`, as
 * RFC 9162 §2.1.4.1 defines it (PROOF = SUBPROOF(m, D[n], true)). Empty when oldSize is 0 or equals newSize.
 *
 * @throws CryptoError `MALFORMED` unless 0 ≤ oldSize ≤ newSize (safe integers), or for a node that is not 32
 * bytes.
 */
export async function merkleConsistencyProof(
  oldSize: number,
  newSize: number,
  src: MerkleNodeSource,
): Promise<Uint8Array[]> {
  assertSize(oldSize, 'Merkle old tree size');
  assertSize(newSize, 'Merkle new tree size');
  if (oldSize > newSize) fail('MALFORMED', 'Merkle old tree size beyond the new one');
  return withFetchedNodes((g) => consistencyPath(oldSize, newSize, g), fromSource(src));
}

/**
 * Verifies a consistency proof with the algorithm of RFC 9162 §2.1.4.2: that the tree of `newSize` leaves with
 * root `newRoot` extends the tree of `oldSize` leaves with root `oldRoot`. The cases outside the RFC's
 * 0 < oldSize < newSize are settled first: equal sizes need an empty proof and equal roots; oldSize 0 needs an
 * empty proof and `oldRoot` equal to the empty root (every tree extends the empty one). Never throws on bad
 * input (other than before `ready()`): wrong types, lengths or ranges are simply `false`.
 */
export function verifyMerkleConsistency(
  oldSize: number,
  newSize: number,
  proof: readonly Uint8Array[],
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
): boolean {
  if (!isHash(oldRoot) || !isHash(newRoot) || !Array.isArray(proof) || !proof.every(isHash)) return false;
  if (!Number.isSafeInteger(oldSize) || !Number.isSafeInteger(newSize) || oldSize < 0) return false;
  if (oldSize > newSize) return false;
  if (oldSize === 0)
    return proof.length === 0 && bytesEqual(oldRoot, EMPTY_ROOT) && (newSize > 0 || bytesEqual(newRoot, EMPTY_ROOT));
  if (oldSize === newSize) return proof.length === 0 && bytesEqual(oldRoot, newRoot);
  // 1. An empty consistency_path fails.
  if (proof.length === 0) return false;
  // 2. If first is an exact power of 2, prepend first_hash.
  const path = merklePerfectLevel(oldSize) >= 0 ? [oldRoot, ...proof] : [...proof];
  // 3. fn = first − 1, sn = second − 1.
  let fn = oldSize - 1;
  let sn = newSize - 1;
  // 4. While LSB(fn) is set, shift both.
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  // 5. fr = sr = the first value.
  let fr = path[0] as Uint8Array;
  let sr = fr;
  // 6. For each subsequent value c:
  for (const c of path.slice(1)) {
    // a. sn = 0 with path left over: fail.
    if (sn === 0) return false;
    if (isOdd(fn) || fn === sn) {
      // b. fr = HASH(0x01 || c || fr), sr = HASH(0x01 || c || sr); if LSB(fn) is not set, shift until it is
      //    or fn is 0.
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    } else {
      // otherwise sr = HASH(0x01 || sr || c).
      sr = hashChildren(sr, c);
    }
    // c. Shift both once.
    fn = half(fn);
    sn = half(sn);
  }
  // 7. fr must equal first_hash, sr second_hash, and sn must be 0.
  return bytesEqual(fr, oldRoot) && bytesEqual(sr, newRoot) && sn === 0;
}

/**
 * A Merkle tree held in memory, with every perfect-subtree hash: for tests, for small logs, and for an offline
 * verifier that rebuilds a log's tree from its entries and compares roots and proofs. Synchronous; it is also a
 * `MerkleNodeSource`, so the asynchronous functions accept it.
 */
export class MemoryMerkleTree implements MerkleNodeSource {
  /** levels[l][i]: hash of the perfect subtree over leaves [i·2^l, (i+1)·2^l). */
  private readonly levels: Uint8Array[][] = [[]];

  /** A tree of the given leaf hashes, in order. */
  static fromLeafHashes(leafHashes: Iterable<Uint8Array>): MemoryMerkleTree {
    const tree = new MemoryMerkleTree();
    for (const hash of leafHashes) tree.appendLeafHash(hash);
    return tree;
  }

  /** The number of leaves. */
  get size(): number {
    return this.levels[0]!.length;
  }

  /** Appends an entry (hashed with `merkleLeafHash`) and returns its leaf index. */
  append(entry: Uint8Array): number {
    return this.appendLeafHash(merkleLeafHash(entry));
  }

  /**
   * Appends a leaf by its hash and returns its leaf index.
   *
   * @throws CryptoError `MALFORMED` if the hash is not 32 bytes.
   */
  appendLeafHash(leafHash: Uint8Array): number {
    assertHash(leafHash, 'Merkle leaf hash');
    const index = this.size;
    for (const node of appendNodes(index, leafHash, this.nodes())) {
      (this.levels[node.level] ??= []).push(node.hash);
    }
    return index;
  }

  /**
   * The hash of the perfect subtree over leaves [index·2^level, (index+1)·2^level) (a copy).
   *
   * @throws CryptoError `MALFORMED` if that subtree is not complete in this tree.
   */
  node(level: number, index: number): Uint8Array {
    assertSize(level, 'Merkle node level');
    assertSize(index, 'Merkle node index');
    const hash = this.levels[level]?.[index];
    if (!hash) fail('MALFORMED', `Merkle node (${level}, ${index}) is not in the tree`);
    return hash.slice();
  }

  /**
   * The root of the tree of the first `size` leaves (default: all of them).
   *
   * @throws CryptoError `MALFORMED` unless 0 ≤ size ≤ this.size.
   */
  root(size: number = this.size): Uint8Array {
    this.assertWithin(size, 'Merkle tree size');
    return rootOf(size, this.nodes());
  }

  /**
   * The RFC 9162 inclusion proof of leaf `index` in the tree of the first `size` leaves (default: all).
   *
   * @throws CryptoError `MALFORMED` unless 0 ≤ index < size ≤ this.size.
   */
  inclusionProof(index: number, size: number = this.size): Uint8Array[] {
    this.assertWithin(size, 'Merkle tree size');
    assertSize(index, 'Merkle leaf index');
    if (index >= size) fail('MALFORMED', 'Merkle leaf index beyond the tree');
    return inclusionPath(index, size, this.nodes());
  }

  /**
   * The RFC 9162 consistency proof from the first `oldSize` leaves to the first `newSize` (default: all).
   *
   * @throws CryptoError `MALFORMED` unless 0 ≤ oldSize ≤ newSize ≤ this.size.
   */
  consistencyProof(oldSize: number, newSize: number = this.size): Uint8Array[] {
    this.assertWithin(newSize, 'Merkle new tree size');
    assertSize(oldSize, 'Merkle old tree size');
    if (oldSize > newSize) fail('MALFORMED', 'Merkle old tree size beyond the new one');
    return consistencyPath(oldSize, newSize, this.nodes());
  }

  private assertWithin(size: number, what: string): void {
    assertSize(size, what);
    if (size > this.size) fail('MALFORMED', `${what}: beyond the tree`);
  }

  private nodes(): Nodes {
    return { get: (level, index) => this.node(level, index), hash: hashChildren };
  }
}
