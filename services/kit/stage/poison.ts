// Records a processor threw on: chunks under suspicion (replayed one record at a time) and convicted records
// (dead-lettered on replay instead of processed). Lives as long as the process; forgets what was committed.
import { describe } from '../errors.ts';
import type { SourceRef } from './types.ts';

export const POISON_CODE = 'TSR_DLQ_PROCESSING';

export interface Verdict { code: string; reason: string }

const partitionKey = (r: { topic: string; partition: number }) => `${r.topic}\u0000${r.partition}`;

export class PoisonRecords {
  private readonly suspects = new Map<string, { from: bigint; to: bigint }[]>();
  private readonly convicted = new Map<string, Map<string, Verdict>>();

  /** A chunk of one partition (first..last offset) threw as a whole: replay it record by record. */
  suspect(first: SourceRef, last: SourceRef): void {
    const k = partitionKey(first);
    const list = this.suspects.get(k) ?? [];
    list.push({ from: BigInt(first.offset), to: BigInt(last.offset) });
    this.suspects.set(k, list);
  }

  isSuspect(r: SourceRef): boolean {
    const o = BigInt(r.offset);
    return (this.suspects.get(partitionKey(r)) ?? []).some((s) => s.from <= o && o <= s.to);
  }

  /** This record threw on its own: from now on it is dead-lettered with the error as the reason. */
  convict(r: SourceRef, err: unknown, stage: string): Verdict {
    const v = { code: POISON_CODE, reason: `${stage} could not process this record: ${describe(err)}` };
    const k = partitionKey(r);
    const m = this.convicted.get(k) ?? new Map<string, Verdict>();
    m.set(r.offset, v);
    this.convicted.set(k, m);
    return v;
  }

  verdict(r: SourceRef): Verdict | null {
    return this.convicted.get(partitionKey(r))?.get(r.offset) ?? null;
  }

  /** Offsets below `next` of that partition are committed: forget them. */
  release(r: { topic: string; partition: number; offset: string }): void {
    const k = partitionKey(r), next = BigInt(r.offset);
    const left = (this.suspects.get(k) ?? []).filter((s) => s.to >= next);
    if (left.length) this.suspects.set(k, left); else this.suspects.delete(k);
    const m = this.convicted.get(k);
    if (!m) return;
    for (const o of [...m.keys()]) if (BigInt(o) < next) m.delete(o);
    if (m.size === 0) this.convicted.delete(k);
  }

  get size(): number {
    let n = 0;
    for (const l of this.suspects.values()) n += l.length;
    for (const m of this.convicted.values()) n += m.size;
    return n;
  }
}
