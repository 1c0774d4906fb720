// What a delivery holds between commits: next offsets per partition and the counts the commit will report.
import { addTally } from './isolate.ts';
import type { Committed, SessionPorts, SourceRef, Unit } from './types.ts';

const partitionKey = (r: { topic: string; partition: number }) => `${r.topic}\u0000${r.partition}`;

export class Pending {
  records = 0;
  openedAt: number | null = null;
  private tally: Record<string, number> = {};
  private out = new Map<string, number>();
  private dlq = new Map<string, number>();
  private readonly next = new Map<string, SourceRef>();

  add<O>(unit: Unit<O>, now: number, count: (out: Map<string, number>, dlq: Map<string, number>) => void): void {
    this.openedAt ??= now;
    this.records += unit.records;
    addTally(this.tally, unit.tally);
    count(this.out, this.dlq);
    for (const n of unit.next) this.next.set(partitionKey(n), n);
  }

  /** The next offset to read per partition, one entry each. */
  offsets(): SourceRef[] {
    return [...this.next.values()];
  }

  /** Forgets the offsets of partitions this member no longer holds. */
  keepOnly(assignment: Record<string, number[]>): void {
    for (const [k, r] of this.next) if (!(assignment[r.topic] ?? []).includes(r.partition)) this.next.delete(k);
  }

  /** Milliseconds since the first record added after the last commit. */
  age(now: number): number {
    return this.openedAt === null ? 0 : now - this.openedAt;
  }

  /** Hands over the counts and starts afresh. */
  take(): Committed {
    const c: Committed = { records: this.records, next: this.offsets(), tally: this.tally, out: this.out, dlq: this.dlq };
    this.reset();
    return c;
  }

  reset(): void {
    this.records = 0;
    this.openedAt = null;
    this.tally = {};
    this.out = new Map();
    this.dlq = new Map();
    this.next.clear();
  }
}

/**
 * Commits the held offsets outside any transaction once the outputs are durable. A failed commit (typically a
 * rebalance in progress) only means the records are read again, so it is reported, not thrown: ending the session
 * would rebalance again.
 */
export async function commitDurable(held: Pending, ports: SessionPorts): Promise<Committed> {
  const next = held.offsets();
  try {
    if (next.length) await ports.commitOffsets(next);
  } catch (err) {
    return { ...held.take(), offsetsFailed: err };
  }
  return held.take();
}
