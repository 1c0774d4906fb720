// Touchpoints waiting for the link stage to link their claim: bounded in count and in age, oldest out first, and
// able to say the lowest offset still waiting per partition (the consumed offsets must not be committed past it).
import type { SourceRef } from '../kit/stage/types.ts';

export interface ParkedEvent<E> { source: SourceRef; claimKey: string; parkedAt: number; event: E }

const idOf = (s: SourceRef) => `${s.topic}\u0000${s.partition}\u0000${s.offset}`;

export class ParkedEvents<E> {
  // A Map iterates in insertion order: the first entry is the one parked longest.
  private readonly byId = new Map<string, ParkedEvent<E>>();
  private readonly byClaim = new Map<string, Set<string>>();
  private readonly seq = new Map<string, number>();
  private parkings = 0;
  /** lowestOffsets() as of the last change (the delivery asks on every commit check). */
  private lowest: Map<string, bigint> | null = null;

  constructor(readonly capacity: number) {}

  /** Parks an event; returns the events pushed out to keep within capacity (oldest first). */
  park(p: ParkedEvent<E>): ParkedEvent<E>[] {
    const id = idOf(p.source);
    this.remove(id);
    this.byId.set(id, p);
    this.lowest = null;
    this.seq.set(id, this.parkings++);
    let ids = this.byClaim.get(p.claimKey);
    if (ids === undefined) this.byClaim.set(p.claimKey, (ids = new Set()));
    ids.add(id);
    const out: ParkedEvent<E>[] = [];
    while (this.byId.size > this.capacity) out.push(this.removeFirst());
    return out;
  }

  /** Takes the events waiting for these claims, in the order they were parked. */
  release(claimKeys: Iterable<string>): ParkedEvent<E>[] {
    const ids: string[] = [];
    for (const k of claimKeys) for (const id of this.byClaim.get(k) ?? []) ids.push(id);
    if (ids.length === 0) return [];
    // Back in parking order (per partition: offset order), whatever order the claims came in.
    ids.sort((a, b) => this.seq.get(a)! - this.seq.get(b)!);
    const out = ids.map((id) => this.byId.get(id)!);
    for (const id of ids) this.remove(id);
    return out;
  }

  /** Takes the events parked at or before `before` (their wait is over). */
  expire(before: number): ParkedEvent<E>[] {
    const out: ParkedEvent<E>[] = [];
    for (const p of this.byId.values()) {
      if (p.parkedAt > before) break;
      out.push(p);
    }
    for (const p of out) this.remove(idOf(p.source));
    return out;
  }

  /** Forgets the events of partitions no longer assigned here: their new owner reads them again. */
  keepOnly(assignment: Record<string, number[]>): number {
    const gone = [...this.byId].filter(([, p]) => !(assignment[p.source.topic] ?? []).includes(p.source.partition)).map(([id]) => id);
    for (const id of gone) this.remove(id);
    return gone.length;
  }

  /** The claims some parked event waits for. */
  waitingClaims(): IterableIterator<string> {
    return this.byClaim.keys();
  }

  /** The lowest parked offset of each partition (topic\0partition → offset). */
  lowestOffsets(): Map<string, bigint> {
    if (this.lowest !== null) return this.lowest;
    const low = new Map<string, bigint>();
    for (const p of this.byId.values()) {
      const k = `${p.source.topic}\u0000${p.source.partition}`;
      const o = BigInt(p.source.offset);
      const held = low.get(k);
      if (held === undefined || o < held) low.set(k, o);
    }
    this.lowest = low;
    return low;
  }

  get size(): number {
    return this.byId.size;
  }

  private removeFirst(): ParkedEvent<E> {
    const [id, p] = this.byId.entries().next().value as [string, ParkedEvent<E>];
    this.remove(id);
    return p;
  }

  private remove(id: string): void {
    const p = this.byId.get(id);
    if (p === undefined) return;
    this.byId.delete(id);
    this.lowest = null;
    this.seq.delete(id);
    const ids = this.byClaim.get(p.claimKey)!;
    ids.delete(id);
    if (ids.size === 0) this.byClaim.delete(p.claimKey);
  }
}
