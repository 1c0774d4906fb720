// Columnar store of live profiles: founding claim, last seen, member list and per-type identifier counts.
import { growFloat64, growInt32, growUint32 } from './grow.ts';

export class ProfileStore {
  founder = new Int32Array(0);
  lastSeen = new Float64Array(0);
  head = new Int32Array(0);
  tail = new Int32Array(0);
  /** counts[p * stride + slot]: distinct identifiers of the type slot held by profile p. */
  counts = new Uint32Array(0);
  stride = 1;
  idOf: string[] = [];
  readonly byId = new Map<string, number>();
  private free: number[] = [];
  private end = 0;

  get size(): number {
    return this.byId.size;
  }

  /** Makes room for one more type slot (re-lays out the count table; new types are rare). */
  ensureSlots(slots: number): void {
    if (slots <= this.stride) return;
    const next = new Uint32Array(Math.max(this.end, 1) * slots);
    for (let p = 0; p < this.end; p++) {
      for (let s = 0; s < this.stride; s++) next[p * slots + s] = this.counts[p * this.stride + s] ?? 0;
    }
    this.counts = next;
    this.stride = slots;
  }

  create(founder: number, id: string, time: number): number {
    const p = this.free.pop() ?? this.end++;
    this.founder = growInt32(this.founder, p + 1);
    this.lastSeen = growFloat64(this.lastSeen, p + 1);
    this.head = growInt32(this.head, p + 1);
    this.tail = growInt32(this.tail, p + 1);
    this.counts = growUint32(this.counts, (p + 1) * this.stride);
    this.counts.fill(0, p * this.stride, (p + 1) * this.stride);
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
    this.free.push(p);
  }

  count(p: number, slot: number): number {
    return this.counts[p * this.stride + slot] ?? 0;
  }

  addCount(p: number, slot: number, n: number): void {
    const i = p * this.stride + slot;
    this.counts[i] = (this.counts[i] ?? 0) + n;
  }

  clear(): void {
    for (let p = 0; p < this.end; p++) this.idOf[p] = '';
    this.byId.clear();
    this.free = [];
    this.end = 0;
  }
}
