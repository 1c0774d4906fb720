// Poison-record isolation: a record whose processing threw is remembered by its position, the stage rebuilds its
// state and replays, and on the replay the record goes to the DLQ instead of being processed again. Pure: no I/O.
import type { ErrorCode } from './error-catalog.ts';
import { TesseraError } from './errors.ts';

/** The DLQ code of a record whose processing threw (a bug or an input the code cannot handle), not an invalid one. */
export const PROCESSING_FAILED = 'TSR_DLQ_PROCESSING_FAILED' satisfies ErrorCode;

/** Where a record sits: enough to recognise it when it is read again. */
export interface RecordRef { topic: string; partition: number; offset: string }

export type Verdict =
  | { kind: 'process' }
  | { kind: 'dead-letter'; code: typeof PROCESSING_FAILED; reason: string; failures: number };

interface Suspect { reason: string; failures: number }

const keyOf = (topic: string, partition: number): string => `${topic}\u0000${partition}`;

/**
 * Thrown by a stage when processing one record threw after the stage's state may have changed (half-applied):
 * the caller aborts what is open, rebuilds the state and replays; `PoisonRecords` already knows the record.
 * Not retriable: the record will not succeed; the stage goes on without it.
 */
export class PoisonRecordError extends TesseraError {
  constructor(readonly ref: RecordRef, reason: string, cause: unknown) {
    super('TSR_ERR_POISON_RECORD',
      `processing ${ref.topic}[${ref.partition}]@${ref.offset} failed (${reason}); rebuilding the state, the record goes to the DLQ on the replay`,
      { cause });
    this.name = 'PoisonRecordError';
  }
}

/**
 * Records whose processing threw, by topic, partition and offset, with the failure's reason.
 *
 * `deadLetterAfter` is how many failures a record is allowed before it is dead-lettered instead of processed: 1 (the
 * default) suits a deterministic processor replaying from a rebuilt state, where a second attempt would fail the
 * same way and cost another rebuild. A record is forgotten once an offset past it is committed, so the set holds
 * only records between the committed position and the read position.
 */
export class PoisonRecords {
  private readonly byPartition = new Map<string, Map<string, Suspect>>();

  constructor(private readonly deadLetterAfter = 1) {
    if (!Number.isInteger(deadLetterAfter) || deadLetterAfter < 1) throw new RangeError(`deadLetterAfter must be a positive integer, got ${deadLetterAfter}`);
  }

  /** Remembers that processing `ref` threw; returns how often it has failed so far. */
  failed(ref: RecordRef, reason: string): number {
    const key = keyOf(ref.topic, ref.partition);
    let suspects = this.byPartition.get(key);
    if (!suspects) this.byPartition.set(key, (suspects = new Map()));
    const offset = BigInt(ref.offset).toString();
    const failures = (suspects.get(offset)?.failures ?? 0) + 1;
    suspects.set(offset, { reason, failures });
    return failures;
  }

  /** What to do with `ref` now: process it, or dead-letter it with the reason of its last failure. */
  verdict(ref: RecordRef): Verdict {
    const s = this.byPartition.get(keyOf(ref.topic, ref.partition))?.get(BigInt(ref.offset).toString());
    if (!s || s.failures < this.deadLetterAfter) return { kind: 'process' };
    return { kind: 'dead-letter', code: PROCESSING_FAILED, reason: s.reason, failures: s.failures };
  }

  /** Offsets below `nextOffset` of a partition are committed (processed or dead-lettered): forget them. */
  committed(topic: string, partition: number, nextOffset: string): void {
    const key = keyOf(topic, partition);
    const suspects = this.byPartition.get(key);
    if (!suspects) return;
    const next = BigInt(nextOffset);
    for (const offset of suspects.keys()) if (BigInt(offset) < next) suspects.delete(offset);
    if (suspects.size === 0) this.byPartition.delete(key);
  }

  /** Records currently remembered. */
  get size(): number {
    let n = 0;
    for (const s of this.byPartition.values()) n += s.size;
    return n;
  }
}

/** A one-line reason for the DLQ from whatever was thrown. */
export function failureReason(stage: string, err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return `${stage} threw ${text}`.slice(0, 1000);
}
