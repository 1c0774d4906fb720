// Poison-record isolation around a processor: a chunk that throws is replayed one record at a time, a record
// that throws alone is remembered (kit/poison.ts) and dead-lettered, and the state is restored whenever a throw may
// have left it half-changed — in place when every earlier output is already durable, else by ending the session.
import { TesseraError } from '../errors.ts';
import { failureReason, PoisonRecordError, PoisonRecords } from '../poison.ts';
import { SuspectChunks } from './suspects.ts';
import type { InputRecord, Outcome, Processor, Tally } from './types.ts';

/**
 * A chunk threw and which record did it is not known yet: the session ends, the state is restored and the chunk is
 * replayed one record at a time. Like PoisonRecordError (one known record), it restarts the session without backoff.
 */
export class ReplayNeeded extends TesseraError {
  constructor(message: string, cause: unknown) {
    super('TSR_ERR_POISON_RECORD', message, { cause });
  }
}

/** Whether an error that ended a session is a record's fault (replay at once) rather than the infrastructure's. */
export const isPoison = (err: unknown): boolean => err instanceof ReplayNeeded || err instanceof PoisonRecordError;

export interface StateCell<S> {
  value: S | null;
  /** True while the state holds changes that are not durable yet. */
  dirty: boolean;
}

export function addTally(into: Tally, more: Tally): void {
  for (const [k, n] of Object.entries(more)) into[k] = (into[k] ?? 0) + n;
}

export class Isolation<S, V, O> {
  readonly poison = new PoisonRecords();
  readonly suspects = new SuspectChunks();

  constructor(private readonly o: {
    stage: string;
    processor: Processor<S, V, O>;
    cell: StateCell<S>;
    /** Restore in place (at-least-once: every earlier output is durable), instead of ending the session. */
    inPlace(): boolean;
    restore(): Promise<S>;
  }) {}

  /** Processes one chunk of one partition. */
  async run(records: readonly InputRecord<V>[]): Promise<Outcome<O>> {
    if (records.length === 0) return { outputs: [], deadLetters: [], tally: {} };
    if (this.o.cell.value === null) throw new TesseraError('TSR_ERR_STAGE_STATE', `${this.o.stage}: processing before the state was restored; this is a bug in the runner`);
    const clean = this.suspects.size === 0 && this.poison.size === 0;
    if (clean || !records.some((r) => this.suspects.has(r) || this.poison.verdict(r).kind !== 'process')) {
      try {
        return this.process(records);
      } catch (err) {
        const first = records[0]!, last = records[records.length - 1]!;
        this.suspects.add(first, last);
        if (!this.o.inPlace()) throw new ReplayNeeded(`${this.o.stage}: a record of ${first.topic}[${first.partition}] offsets ${first.offset}..${last.offset} threw; replaying them one by one`, err);
        await this.restore();
      }
    }
    return this.oneByOne(records);
  }

  /** Offsets below `nextOffset` are committed: forget their suspicion and failures. */
  committed(topic: string, partition: number, nextOffset: string): void {
    this.poison.committed(topic, partition, nextOffset);
    this.suspects.committed(topic, partition, nextOffset);
  }

  private async oneByOne(records: readonly InputRecord<V>[]): Promise<Outcome<O>> {
    const out: Outcome<O> = { outputs: [], deadLetters: [], tally: {} };
    for (const r of records) {
      const verdict = this.poison.verdict(r);
      if (verdict.kind === 'dead-letter') { out.deadLetters.push({ source: r, code: verdict.code, reason: verdict.reason }); continue; }
      let one: Outcome<O>;
      try {
        one = this.process([r]);
      } catch (err) {
        const reason = failureReason(this.o.stage, err);
        this.poison.failed(r, reason);
        if (!this.o.inPlace()) throw new PoisonRecordError(r, reason, err);
        await this.restore();
        const v = this.poison.verdict(r);
        if (v.kind === 'dead-letter') out.deadLetters.push({ source: r, code: v.code, reason: v.reason });
        continue;
      }
      out.outputs.push(...one.outputs);
      out.deadLetters.push(...one.deadLetters);
      addTally(out.tally, one.tally);
    }
    return out;
  }

  private process(records: readonly InputRecord<V>[]): Outcome<O> {
    this.o.cell.dirty = true;
    return this.o.processor.process(this.o.cell.value as S, records);
  }

  private async restore(): Promise<void> {
    this.o.cell.value = null;
    this.o.cell.value = await this.o.restore();
    this.o.cell.dirty = false;
  }
}
