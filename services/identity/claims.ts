// Columnar store of distinct claims: identifier-id sets (sorted), the earliest (eventTime, messageId) of each,
// a dedup table keyed by the set, and a next-pointer that threads each claim into its group's list.
import type { BlockedSet } from './canonical.ts';
import { growFloat64, growInt32 } from './grow.ts';
import { hashInts } from './hash.ts';
import { hashText, MessageStore } from './messages.ts';

/** Hash of a claim: its identifier ids, and its blocked values' text when it has some. */
function hashClaim(ids: Int32Array, start: number, end: number, blocked: BlockedSet | undefined): number {
  const h = hashInts(ids, start, end);
  return blocked === undefined ? h : (h ^ hashText(blocked.text, 0x9e3779b9)) >>> 0;
}

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
  /** Blocked values kept by a claim (rare: placeholders), by claim; a claim may hold only blocked values. */
  private readonly blockedOf = new Map<number, BlockedSet>();
  count = 0;
  /** Number of claim slots handed out (dead ones have len 0). */
  end = 0;

  /** Claim with exactly this identifier set (sorted ascending) and these blocked values, or -1. */
  find(ids: Int32Array, blocked: BlockedSet | null = null): number {
    const mask = this.table.length - 1;
    let h = hashClaim(ids, 0, ids.length, blocked ?? undefined) & mask;
    for (;;) {
      const e = this.table[h] ?? 0;
      if (e === 0) return -1;
      if (e > 0 && this.sameSet(e - 1, ids, blocked)) return e - 1;
      h = (h + 1) & mask;
    }
  }

  private sameSet(c: number, ids: Int32Array, blocked: BlockedSet | null): boolean {
    const n = this.len[c] ?? 0;
    if (n !== ids.length) return false;
    if ((this.blockedOf.get(c)?.text ?? '') !== (blocked?.text ?? '')) return false;
    const s = this.start[c] ?? 0;
    for (let i = 0; i < n; i++) if (this.pool[s + i] !== ids[i]) return false;
    return true;
  }

  add(ids: Int32Array, time: number, msg: string, blocked: BlockedSet | null = null): number {
    const c = this.freeSlots.pop() ?? this.end++;
    if (blocked !== null) this.blockedOf.set(c, blocked);
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
    let h = hashClaim(this.pool, this.start[c] ?? 0, (this.start[c] ?? 0) + (this.len[c] ?? 0), this.blockedOf.get(c)) & mask;
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
    let h = hashClaim(ids, 0, ids.length, this.blockedOf.get(c)) & mask;
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
    this.blockedOf.delete(c);
    this.msg.drop(c);
    this.count -= 1;
    this.freeSlots.push(c);
  }

  alive(c: number): boolean {
    return (this.len[c] ?? 0) > 0 || this.blockedOf.has(c);
  }

  /** The claim's blocked values, or null (most claims). */
  blocked(c: number): BlockedSet | null {
    return this.blockedOf.get(c) ?? null;
  }

  /** Claims holding blocked values (few): for erasure of a blocked value and rule changes. */
  withBlocked(): IterableIterator<number> {
    return this.blockedOf.keys();
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
