import { merkleNodeHash, merklePerfectLevel, merkleSplitPoint } from '@miyu/crypto';

/** How a batch of perfect-subtree nodes is read: one query for all of them (AuditRepository.nodes). */
export type NodeBatchReader = (wanted: Array<{ level: number; index: number }>) => Promise<Map<string, Buffer>>;

export interface ProverStats {
  /** Batched reads (queries) made. */
  reads: number;
  /** Nodes read from the database. */
  nodesRead: number;
  /** Node references answered from the LRU of upper-level nodes. */
  cacheHits: number;
  /** Proofs made. */
  proofs: number;
}

export interface ProverOptions {
  /** Upper-level nodes kept between pages (LRU). */
  cacheSize?: number;
  /** Nodes from this level up go to the LRU (each is shared by the proofs of 2^level entries). */
  cacheMinLevel?: number;
}

/**
 * RFC 9162 inclusion proofs of many entries in one tree of `size` leaves, as `merkleInclusionProof` computes them
 * (PATH(m, D[n]), §2.1.3.1) but built for exports of millions of entries:
 * - a page of proofs reads every stored node it needs in ONE query (a page of 1,000 contiguous entries of a
 *   1,000,000-entry tree: about 2,000 rows, instead of 20,000 single-row reads);
 * - nodes from `cacheMinLevel` up, which all nearby proofs share, stay in a bounded LRU across pages;
 * - the subtrees along the tree's right edge that are not perfect (MTH of [x, size)) — the same for every proof —
 *   are hashed once, when the prover starts, instead of once or twice per proof.
 * Memory is bounded by the page and the cache, whatever the export's size.
 */
export class ExportProver {
  readonly stats: ProverStats = { reads: 0, nodesRead: 0, cacheHits: 0, proofs: 0 };
  /** Hex of upper-level nodes, LRU. */
  private readonly cache = new Map<string, string>();
  /** Hex of MTH([x, size)) for each x where that range is not a perfect subtree. */
  private readonly rightEdge = new Map<number, string>();
  private started: Promise<void> | null = null;

  constructor(
    readonly size: number,
    private readonly read: NodeBatchReader,
    private readonly options: ProverOptions = {},
  ) {
    if (!Number.isSafeInteger(size) || size < 1) throw new Error('ExportProver: the tree must have leaves');
  }

  /**
   * The inclusion proofs (leaf up, hex) of the leaves at `indexes` (0-based), each < size. Hashes are kept and
   * returned as hex strings, each converted once: an export writes them as hex.
   */
  async prove(indexes: readonly number[]): Promise<string[][]> {
    await (this.started ??= this.start());
    const plans = indexes.map((index) => {
      if (!Number.isSafeInteger(index) || index < 0 || index >= this.size)
        throw new Error(`ExportProver: leaf ${index} is not in a tree of ${this.size}`);
      return this.plan(index);
    });
    const page = new Map<string, string>();
    const wanted = new Map<string, { level: number; index: number }>();
    for (const plan of plans) {
      for (let i = 0; i < plan.length; i += 2) {
        const level = plan[i]!;
        if (level < 0) continue;
        const key = `${level}/${plan[i + 1]!}`;
        if (page.has(key) || wanted.has(key)) continue;
        const hit = this.cached(key);
        if (hit) page.set(key, hit);
        else wanted.set(key, { level, index: plan[i + 1]! });
      }
    }
    if (wanted.size > 0) for (const [key, hash] of await this.fetch([...wanted.values()])) page.set(key, hash);
    this.stats.proofs += plans.length;
    return plans.map((plan) => {
      const proof: string[] = [];
      for (let i = 0; i < plan.length; i += 2) {
        const level = plan[i]!;
        proof.push(level < 0 ? this.rightEdge.get(plan[i + 1]!)! : page.get(`${level}/${plan[i + 1]!}`)!);
      }
      return proof;
    });
  }

  /**
   * The siblings of leaf `index`, leaf up, as (level, index) pairs of perfect subtrees, or (-1, x) for the
   * right-edge range [x, size). The walk is RFC 9162's PATH, unrolled from the root down.
   */
  private plan(index: number): number[] {
    const refs: number[] = [];
    let start = 0;
    let end = this.size;
    while (end - start > 1) {
      const k = merkleSplitPoint(end - start);
      if (index < start + k) {
        this.ref(refs, start + k, end);
        end = start + k;
      } else {
        this.ref(refs, start, start + k);
        start += k;
      }
    }
    const out: number[] = [];
    for (let i = refs.length - 2; i >= 0; i -= 2) out.push(refs[i]!, refs[i + 1]!);
    return out;
  }

  private ref(refs: number[], start: number, end: number): void {
    const n = end - start;
    const level = merklePerfectLevel(n);
    if (level >= 0) refs.push(level, start / n);
    else refs.push(-1, start); // end is the tree's size: only the right edge holds ranges that are not perfect
  }

  /** Hashes the right edge: MTH([x, size)) for every x on the path of the last leaf where it is not perfect. */
  private async start(): Promise<void> {
    const spine: Array<{ x: number; level: number; index: number }> = [];
    let x = 0;
    for (;;) {
      const n = this.size - x;
      const level = merklePerfectLevel(n);
      if (level >= 0) {
        spine.push({ x, level, index: x / n });
        break;
      }
      const k = merkleSplitPoint(n);
      spine.push({ x, level: merklePerfectLevel(k), index: x / k });
      x += k;
    }
    if (spine.length === 1) return; // a perfect tree
    const nodes = await this.fetch(spine.map(({ level, index }) => ({ level, index })));
    const at = (s: { level: number; index: number }) => Buffer.from(nodes.get(`${s.level}/${s.index}`)!, 'hex');
    let right: Uint8Array = at(spine[spine.length - 1]!);
    for (let i = spine.length - 2; i >= 0; i--) {
      right = merkleNodeHash(at(spine[i]!), right);
      this.rightEdge.set(spine[i]!.x, Buffer.from(right).toString('hex'));
    }
  }

  private cached(key: string): string | undefined {
    const hit = this.cache.get(key);
    if (hit) {
      this.cache.delete(key); // most recently used last
      this.cache.set(key, hit);
      this.stats.cacheHits += 1;
    }
    return hit;
  }

  private async fetch(wanted: Array<{ level: number; index: number }>): Promise<Map<string, string>> {
    this.stats.reads += 1;
    const rows = await this.read(wanted);
    this.stats.nodesRead += rows.size;
    const capacity = this.options.cacheSize ?? 16_384;
    const minLevel = this.options.cacheMinLevel ?? 4;
    const out = new Map<string, string>();
    for (const { level, index } of wanted) {
      const key = `${level}/${index}`;
      const row = rows.get(key);
      if (!row || row.length !== 32) throw new Error(`audit tree node ${key} is missing`);
      const hash = row.toString('hex');
      out.set(key, hash);
      if (level >= minLevel && capacity > 0) {
        this.cache.set(key, hash);
        if (this.cache.size > capacity) this.cache.delete(this.cache.keys().next().value as string);
      }
    }
    return out;
  }
}
