// Columnar store of live profiles: founding claim, last seen, member list and per-type identifier counts.
import { growFloat64, growInt32, growUint32 } from './grow.ts';

/**
 * Per-type counts of profile p: a dense row for the first `dense` type slots (the configured types, interned
 * first), and a sparse map for the types clients invent (externalIds). A new type costs nothing here: the table
 * never re-lays out, whatever number of types the graph has seen.
 */
export class ProfileStore {
  founder = new Int32Array(0);
  lastSeen = new Float64Array(0);
  head = new Int32Array(0);
  tail = new Int32Array(0);
  /** counts[p * dense + slot] for slot < dense. */
  counts = new Uint32Array(0);
  /** Counts of slots ≥ dense, only for the profiles that hold such identifiers. */
  private readonly sparse = new Map<number, Map<number, number>>();
  readonly dense: number;
  idOf: string[] = [];
  readonly byId = new Map<string, number>();
  private free: number[] = [];
  private end = 0;

  constructor(dense: number) {
    this.dense = Math.max(1, dense);
  }

  get size(): number {
    return this.byId.size;
  }

  create(founder: number, id: string, time: number): number {
    const p = this.free.pop() ?? this.end++;
    const D = this.dense;
    this.founder = growInt32(this.founder, p + 1);
    this.lastSeen = growFloat64(this.lastSeen, p + 1);
    this.head = growInt32(this.head, p + 1);
    this.tail = growInt32(this.tail, p + 1);
    this.counts = growUint32(this.counts, (p + 1) * D);
    this.counts.fill(0, p * D, (p + 1) * D);
    this.sparse.delete(p);
    this.founder[p] = founder;
    this.lastSeen[p] = time;
    this.head[p] = -1;
    this.tail[p] = -1;
    this.idOf[p] = id;
    this.byId.set(id, p);
    return p;
  }

  release(p: number): void {
    const id = this.idOf[p];
    if (id === undefined || id === '') return;
    this.byId.delete(id);
    this.idOf[p] = '';
    this.sparse.delete(p);
    this.free.push(p);
  }

  count(p: number, slot: number): number {
    if (slot < this.dense) return this.counts[p * this.dense + slot] ?? 0;
    return this.sparse.get(p)?.get(slot) ?? 0;
  }

  addCount(p: number, slot: number, n: number): void {
    if (n === 0) return;
    if (slot < this.dense) {
      const i = p * this.dense + slot;
      this.counts[i] = (this.counts[i] ?? 0) + n;
      return;
    }
    let m = this.sparse.get(p);
    if (m === undefined) this.sparse.set(p, (m = new Map()));
    m.set(slot, (m.get(slot) ?? 0) + n);
  }

  /** The counts of slots ≥ dense held by p, or undefined (most profiles). */
  sparseCounts(p: number): ReadonlyMap<number, number> | undefined {
    return this.sparse.get(p);
  }

  /** Adds every count of q to p (a merge). */
  addAll(p: number, q: number): void {
    const D = this.dense, c = this.counts;
    for (let s = 0; s < D; s++) c[p * D + s] = (c[p * D + s] ?? 0) + (c[q * D + s] ?? 0);
    const extra = this.sparse.get(q);
    if (extra !== undefined) for (const [s, n] of extra) this.addCount(p, s, n);
  }

  /** Number of count cells held (dense and sparse): grows with profiles, not with the types ever seen. */
  countCells(): number {
    let n = this.end * this.dense;
    for (const m of this.sparse.values()) n += m.size;
    return n;
  }

  clear(): void {
    for (let p = 0; p < this.end; p++) this.idOf[p] = '';
    this.byId.clear();
    this.sparse.clear();
    this.free = [];
    this.end = 0;
  }
}
