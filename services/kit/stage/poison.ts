// Records whose processing threw, by position, with the reason: on the replay they go to the DLQ instead of being
// processed again. Pure. The same API as services/kit/poison.ts on the `stage` branch (written for the resolver at
// the same time): when that lands on main, this file goes and the runner imports it.
import type { SourceRef } from './types.ts';

/** The DLQ code of a record whose processing threw (a bug or an input the code cannot handle), not an invalid one. */
export const PROCESSING_FAILED = 'TSR_DLQ_PROCESSING_FAILED';

export type Verdict =
  | { kind: 'process' }
  | { kind: 'dead-letter'; code: typeof PROCESSING_FAILED; reason: string; failures: number };

const keyOf = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

export class PoisonRecords {
  private readonly byPartition = new Map<string, Map<string, { reason: string; failures: number }>>();

  /** Remembers that processing `ref` threw; returns how often it has failed so far. */
  failed(ref: SourceRef, reason: string): number {
    const key = keyOf(ref.topic, ref.partition);
    let suspects = this.byPartition.get(key);
    if (!suspects) this.byPartition.set(key, (suspects = new Map()));
    const failures = (suspects.get(ref.offset)?.failures ?? 0) + 1;
    suspects.set(ref.offset, { reason, failures });
    return failures;
  }

  /** Process `ref`, or dead-letter it with the reason of its failure (a deterministic processor fails again). */
  verdict(ref: SourceRef): Verdict {
    const s = this.byPartition.get(keyOf(ref.topic, ref.partition))?.get(ref.offset);
    return s ? { kind: 'dead-letter', code: PROCESSING_FAILED, reason: s.reason, failures: s.failures } : { kind: 'process' };
  }

  /** Offsets below `nextOffset` of a partition are committed: forget them. */
  committed(topic: string, partition: number, nextOffset: string): void {
    const suspects = this.byPartition.get(keyOf(topic, partition));
    if (!suspects) return;
    const next = BigInt(nextOffset);
    for (const offset of [...suspects.keys()]) if (BigInt(offset) < next) suspects.delete(offset);
    if (suspects.size === 0) this.byPartition.delete(keyOf(topic, partition));
  }

  get size(): number {
    let n = 0;
    for (const s of this.byPartition.values()) n += s.size;
    return n;
  }
}
