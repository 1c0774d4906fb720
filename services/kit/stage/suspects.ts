// Chunks that threw as a whole: which record did it is not known yet, so their records are replayed one at a time.
import type { SourceRef } from './types.ts';

const keyOf = (r: { topic: string; partition: number }) => `${r.topic}\u0000${r.partition}`;

export class SuspectChunks {
  private readonly ranges = new Map<string, { from: bigint; to: bigint }[]>();

  /** A chunk of one partition, first..last offset, threw. */
  add(first: SourceRef, last: SourceRef): void {
    const list = this.ranges.get(keyOf(first)) ?? [];
    list.push({ from: BigInt(first.offset), to: BigInt(last.offset) });
    this.ranges.set(keyOf(first), list);
  }

  has(r: SourceRef): boolean {
    const o = BigInt(r.offset);
    return (this.ranges.get(keyOf(r)) ?? []).some((s) => s.from <= o && o <= s.to);
  }

  /** Offsets below `nextOffset` of a partition are committed: forget the chunks that lie wholly below. */
  committed(topic: string, partition: number, nextOffset: string): void {
    const next = BigInt(nextOffset);
    const left = (this.ranges.get(keyOf({ topic, partition })) ?? []).filter((s) => s.to >= next);
    if (left.length) this.ranges.set(keyOf({ topic, partition }), left); else this.ranges.delete(keyOf({ topic, partition }));
  }

  get size(): number {
    let n = 0;
    for (const l of this.ranges.values()) n += l.length;
    return n;
  }
}
