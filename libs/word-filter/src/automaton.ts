/**
 * Aho–Corasick automaton stored as a double-array trie (flat Int32Arrays): the transition from state `s` on symbol
 * `c` is `t = base[s] + c`, valid when `check[t] === s`; otherwise the scanner follows `fail[s]`. Symbols are small
 * dense integers (1 … symbolCount) assigned to the code points that occur in keys; 0 means "in no key".
 *
 * Outputs: `report[s]` is the nearest state on the failure chain of `s` (itself included) that ends a key, or -1;
 * from such a state, `reportNext` continues along the chain. `outHead[s]` / `outNext[k]` list the keys ending at `s`.
 */
export interface Automaton {
  readonly base: Int32Array;
  readonly check: Int32Array;
  readonly fail: Int32Array;
  readonly report: Int32Array;
  readonly reportNext: Int32Array;
  readonly outHead: Int32Array;
  readonly outNext: Int32Array;
  readonly stateCount: number;
}

const ROOT = 0;

/** Growable scratch arrays of the double array while slots are being placed. */
class Placement {
  used = new Uint8Array(1024);
  // Union-find over slots: freeFrom(p) is the first unused slot ≥ p.
  nextFree = new Int32Array(1024);
  capacity = 1024;

  constructor() {
    for (let i = 0; i < this.capacity; i += 1) this.nextFree[i] = i;
  }

  ensure(size: number): void {
    if (size < this.capacity) return;
    let cap = this.capacity;
    while (cap <= size) cap *= 2;
    const used = new Uint8Array(cap);
    used.set(this.used);
    const nextFree = new Int32Array(cap);
    nextFree.set(this.nextFree);
    for (let i = this.capacity; i < cap; i += 1) nextFree[i] = i;
    this.used = used;
    this.nextFree = nextFree;
    this.capacity = cap;
  }

  freeFrom(p: number): number {
    this.ensure(p + 1);
    let root = p;
    while (this.nextFree[root] !== root) {
      root = this.nextFree[root]!;
      this.ensure(root + 1);
    }
    // Path compression.
    while (this.nextFree[p] !== root) {
      const next = this.nextFree[p]!;
      this.nextFree[p] = root;
      p = next;
    }
    return root;
  }

  take(p: number): void {
    this.ensure(p + 2);
    this.used[p] = 1;
    this.nextFree[p] = p + 1;
  }
}

/**
 * Builds the automaton for `keys` (each a non-empty sequence of symbols in 1 … symbolCount). Key `k`'s outputs
 * are reported with id `k`; equal keys each get their own output.
 */
export function buildAutomaton(keys: readonly Int32Array[], symbolCount: number): Automaton {
  // 1. A plain trie with Map children.
  const children: Map<number, number>[] = [new Map()];
  const nodeOut: number[] = [-1];
  const keyNext = new Int32Array(keys.length).fill(-1);
  for (let k = keys.length - 1; k >= 0; k -= 1) {
    const key = keys[k]!;
    let node = ROOT;
    for (let i = 0; i < key.length; i += 1) {
      const sym = key[i]!;
      const map = children[node]!;
      let child = map.get(sym);
      if (child === undefined) {
        child = children.length;
        children.push(new Map());
        nodeOut.push(-1);
        map.set(sym, child);
      }
      node = child;
    }
    // Keys are linked in reverse so each node lists its keys in ascending order.
    keyNext[k] = nodeOut[node]!;
    nodeOut[node] = k;
  }
  const nodeCount = children.length;

  // 2. Breadth-first order and failure links on the trie.
  const order = new Int32Array(nodeCount);
  const trieFail = new Int32Array(nodeCount);
  let head = 0;
  let tail = 1;
  order[0] = ROOT;
  while (head < tail) {
    const node = order[head++]!;
    for (const [sym, child] of children[node]!) {
      order[tail++] = child;
      if (node === ROOT) {
        trieFail[child] = ROOT;
        continue;
      }
      let f = trieFail[node]!;
      let target: number | undefined;
      for (;;) {
        target = children[f]!.get(sym);
        if (target !== undefined || f === ROOT) break;
        f = trieFail[f]!;
      }
      trieFail[child] = target ?? ROOT;
    }
  }

  // 3. Place the trie into a double array, parents before children (breadth-first), first fit.
  const slot = new Int32Array(nodeCount);
  const place = new Placement();
  place.take(ROOT);
  slot[ROOT] = 0;
  const baseOf = new Int32Array(nodeCount);
  const parentOfSlot = new Map<number, number>();
  let maxSlot = 0;
  let maxBase = 0;
  for (let o = 0; o < nodeCount; o += 1) {
    const node = order[o]!;
    const map = children[node]!;
    if (map.size === 0) continue;
    const syms = Int32Array.from(map.keys()).sort();
    const first = syms[0]!;
    let p = place.freeFrom(Math.max(1, first));
    let b: number;
    for (;;) {
      b = p - first;
      let fits = true;
      for (let i = 1; i < syms.length; i += 1) {
        const q = b + syms[i]!;
        place.ensure(q + 1);
        if (place.used[q] === 1) {
          fits = false;
          break;
        }
      }
      if (fits) break;
      p = place.freeFrom(p + 1);
    }
    baseOf[node] = b;
    if (b > maxBase) maxBase = b;
    for (let i = 0; i < syms.length; i += 1) {
      const q = b + syms[i]!;
      place.take(q);
      slot[map.get(syms[i]!)!] = q;
      parentOfSlot.set(q, slot[node]!);
      if (q > maxSlot) maxSlot = q;
    }
  }

  // 4. Flat arrays indexed by slot. `check` is padded so that base[s] + symbol never reads past its end.
  const size = maxSlot + 1;
  const base = new Int32Array(size);
  const check = new Int32Array(Math.max(size, maxBase + symbolCount + 1)).fill(-1);
  const fail = new Int32Array(size);
  const outHead = new Int32Array(size).fill(-1);
  for (const [q, parent] of parentOfSlot) check[q] = parent;
  for (let node = 0; node < nodeCount; node += 1) {
    const s = slot[node]!;
    base[s] = baseOf[node]!;
    fail[s] = slot[trieFail[node]!]!;
    outHead[s] = nodeOut[node]!;
  }
  const report = new Int32Array(size).fill(-1);
  const reportNext = new Int32Array(size).fill(-1);
  for (let o = 0; o < nodeCount; o += 1) {
    const s = slot[order[o]!]!;
    const inherited = s === 0 ? -1 : report[fail[s]!]!;
    if (outHead[s] !== -1) {
      report[s] = s;
      reportNext[s] = inherited;
    } else {
      report[s] = inherited;
    }
  }
  return { base, check, fail, report, reportNext, outHead, outNext: keyNext, stateCount: nodeCount };
}
