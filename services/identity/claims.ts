// Columnar store of distinct claims: identifier-id sets (sorted), the earliest (eventTime, messageId) of each,
// a dedup table keyed by the set, and a next-pointer that threads each claim into its group's list.
import { growFloat64, growInt32 } from './grow.ts';
import { hashInts } from './hash.ts';
import { MessageStore } from './messages.ts';

export class ClaimStore {
  time = new Float64Array(0);
  readonly msg = new MessageStore();
  start = new Int32Array(0);
  len = new Int32Array(0);
  nextInGroup = new Int32Array(0);
  pool = new Int32Array(0);
  private poolEnd = 0;
  private table = new Int32Array(64);
  private tableUsed = 0;
  private freeSlots: number[] = [];
  count = 0;
  /** Number of claim slots handed out (dead ones have len 0). */
  end = 0;

  /** Claim with exactly this identifier set (sorted ascending), or -1. */
  find(ids: Int32Array): number {
    const mask = this.table.length - 1;
    let h = hashInts(ids, 0, ids.length) & mask;
    for (;;) {
      const e = this.table[h] ?? 0;
      if (e === 0) return -1;
      if (e > 0 && this.sameSet(e - 1, ids)) return e - 1;
      h = (h + 1) & mask;
    }
  }

  private sameSet(c: number, ids: Int32Array): boolean {
    const n = this.len[c] ?? 0;
    if (n !== ids.length) return false;
    const s = this.start[c] ?? 0;
    for (let i = 0; i < n; i++) if (this.pool[s + i] !== ids[i]) return false;
    return true;
  }

  add(ids: Int32Array, time: number, msg: string): number {
    const c = this.freeSlots.pop() ?? this.end++;
    this.time = growFloat64(this.time, c + 1);
    this.start = growInt32(this.start, c + 1, 0);
    this.len = growInt32(this.len, c + 1, 0);
    this.nextInGroup = growInt32(this.nextInGroup, c + 1);
    this.pool = growInt32(this.pool, this.poolEnd + ids.length, 0);
    this.time[c] = time;
    this.msg.set(c, msg);
    this.start[c] = this.poolEnd;
    this.len[c] = ids.length;
    this.nextInGroup[c] = -1;
    this.pool.set(ids, this.poolEnd);
    this.poolEnd += ids.length;
    this.count += 1;
    this.insertIntoTable(c);
    return c;
  }

  private insertIntoTable(c: number): void {
    if ((this.tableUsed + 1) * 2 > this.table.length) this.rehash(this.table.length * 2);
    const mask = this.table.length - 1;
    let h = hashInts(this.pool, this.start[c] ?? 0, (this.start[c] ?? 0) + (this.len[c] ?? 0)) & mask;
    while ((this.table[h] ?? 0) > 0) h = (h + 1) & mask;
    if (this.table[h] === 0) this.tableUsed += 1;
    this.table[h] = c + 1;
  }

  private rehash(size: number): void {
    const old = this.table;
    this.table = new Int32Array(size);
    this.tableUsed = 0;
    for (const e of old) if (e > 0) this.insertIntoTable(e - 1);
  }

  /** Removes a claim; its pool cells are left behind (erasure is rare). */
  remove(c: number): void {
    const ids = this.ids(c);
    const mask = this.table.length - 1;
    let h = hashInts(ids, 0, ids.length) & mask;
    for (;;) {
      const e = this.table[h] ?? 0;
      if (e === 0) break;
      if (e === c + 1) {
        this.table[h] = -1; // tombstone keeps probe chains intact
        break;
      }
      h = (h + 1) & mask;
    }
    this.len[c] = 0;
    this.msg.drop(c);
    this.count -= 1;
    this.freeSlots.push(c);
  }

  alive(c: number): boolean {
    return (this.len[c] ?? 0) > 0;
  }

  ids(c: number): Int32Array {
    const s = this.start[c] ?? 0;
    return this.pool.subarray(s, s + (this.len[c] ?? 0));
  }

  messageId(c: number): string {
    return this.msg.get(c);
  }

  /** Claims order by (eventTime, messageId); equal pairs (the same event under other identifiers) by `tie`. */
  compare(a: number, b: number, tie: (a: number, b: number) => number): number {
    const ta = this.time[a] ?? 0, tb = this.time[b] ?? 0;
    if (ta !== tb) return ta < tb ? -1 : 1;
    if (a === b) return 0;
    const m = this.msg.compare(a, b);
    return m !== 0 ? m : tie(a, b);
  }
}
