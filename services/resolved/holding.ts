// At-least-once delivery that never commits a consumed offset past a parked touchpoint: the commit per partition
// is the lower of what was consumed and the lowest parked offset, so a crash re-reads every parked touchpoint.
import { atLeastOnce, type AtLeastOnceOptions } from '../kit/stage/at-least-once.ts';
import type { KafkaOut } from '../kit/stage/encoder.ts';
import type { Committed, Delivery, SessionPorts, SourceRef, Unit } from '../kit/stage/types.ts';

const partitionKey = (r: { topic: string; partition: number }) => `${r.topic}\u0000${r.partition}`;

/** The park as the delivery sees it: its lowest offset per topic\0partition, and forgetting lost partitions. */
export interface ParkView {
  lowestOffsets(): Map<string, bigint>;
  keepOnly(assignment: Record<string, number[]>): void;
}

export function holdingParked(o: AtLeastOnceOptions, park: () => ParkView | null): (ports: SessionPorts) => Delivery<KafkaOut> {
  return (ports) => new HoldingDelivery(o, ports, () => park()?.lowestOffsets() ?? new Map(), (a) => park()?.keepOnly(a));
}

class HoldingDelivery implements Delivery<KafkaOut> {
  readonly durableOnAdd = true;
  private readonly inner: Delivery<KafkaOut>;
  /** The next offset consumed per partition, and the one last committed (held back by parked touchpoints). */
  private readonly consumed = new Map<string, SourceRef>();
  private readonly committed = new Map<string, bigint>();
  private committedAt = 0;
  /** Outputs of a punctuation (no input record) wait for a commit to be counted. */
  private punctuated = false;

  constructor(private readonly o: AtLeastOnceOptions, private readonly ports: SessionPorts,
    private readonly lowestParked: () => Map<string, bigint>, private readonly forgetParked: (assignment: Record<string, number[]>) => void) {
    this.inner = atLeastOnce(o)({ ...ports, commitOffsets: (next) => this.commitHeld(next) });
  }

  open(): Promise<void> { return this.inner.open(); }

  /** Partitions that moved to another member: their offsets are not ours to commit, their parked touchpoints theirs. */
  async assigned(assignment: Record<string, number[]>): Promise<void> {
    this.forgetParked(assignment);
    for (const [k, r] of this.consumed) if (!(assignment[r.topic] ?? []).includes(r.partition)) { this.consumed.delete(k); this.committed.delete(k); }
    await this.inner.assigned(assignment);
  }

  async add(unit: Unit<KafkaOut>): Promise<void> {
    await this.inner.add(unit);
    if (unit.records === 0) this.punctuated = true;
    for (const n of unit.next) this.consumed.set(partitionKey(n), n);
  }

  /**
   * Input records not committed; with none, 1 while a punctuation's outputs are uncounted or a release lets the
   * committed offsets move on (the runner commits only when something is pending).
   */
  get pending(): number {
    if (this.inner.pending > 0) return this.inner.pending;
    return this.punctuated || this.held().length > 0 ? 1 : 0;
  }

  due(now: number): boolean {
    if (this.inner.due(now)) return true;
    return now - this.committedAt >= this.o.commitIntervalMs && (this.punctuated || this.held().length > 0);
  }

  async commit(): Promise<Committed> {
    this.committedAt = Date.now();
    this.punctuated = false;
    // Commits the consumed offsets (held back through commitHeld) and hands over the counts, punctuations' included.
    const c = await this.inner.commit();
    if (c.offsetsFailed !== undefined) return c;
    // Offsets a release let move on since their records were committed.
    const more = this.held();
    try {
      if (more.length) await this.commitHeld(more);
    } catch (err) {
      return { ...c, offsetsFailed: err };
    }
    const next = new Map<string, SourceRef>();
    for (const n of [...c.next, ...more]) {
      const k = partitionKey(n);
      const done = this.committed.get(k);
      next.set(k, done === undefined ? n : { ...n, offset: done.toString() });
    }
    return { ...c, next: [...next.values()] };
  }

  abort(): Promise<void> { return this.inner.abort(); }

  close(): Promise<void> { return this.inner.close(); }

  /** The offsets that can move on since the last commit. */
  private held(): SourceRef[] {
    const out: SourceRef[] = [];
    if (this.consumed.size === 0) return out;
    const low = this.lowestParked();
    for (const [k, n] of this.consumed) {
      const c = this.clamp(n, low);
      if (BigInt(c.offset) > (this.committed.get(k) ?? -1n)) out.push(c);
    }
    return out;
  }

  private clamp(n: SourceRef, lowest: Map<string, bigint>): SourceRef {
    const low = lowest.get(partitionKey(n));
    return low !== undefined && low < BigInt(n.offset) ? { ...n, offset: low.toString() } : n;
  }

  private async commitHeld(next: SourceRef[]): Promise<void> {
    const low = this.lowestParked();
    const clamped = next.map((n) => this.clamp(n, low));
    await this.ports.commitOffsets(clamped);
    for (const n of clamped) this.committed.set(partitionKey(n), BigInt(n.offset));
  }
}
