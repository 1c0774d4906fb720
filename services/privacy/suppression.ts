// The suppression list: erased identifiers by keyed hash, and what it takes out of a claim or an event before linking
// or writing. Pure: the key is given, the list is filled from the compacted suppressions topic by the caller.
import type { Claim, Identifier } from '../identity/index.ts';
import type { SuppressionRecord } from '../kit/records.ts';
import { keyedHash } from './keyed-hash.ts';

export class SuppressionList {
  private readonly entries = new Map<string, SuppressionRecord>();

  constructor(private readonly key: Buffer) {}

  hashOf(id: Identifier): string {
    return keyedHash(this.key, id.type, id.value);
  }

  add(record: SuppressionRecord): void {
    this.entries.set(record.hash, record);
  }

  /** The record that erased an identifier (given by hash), if any. */
  entry(hash: string): SuppressionRecord | undefined {
    return this.entries.get(hash);
  }

  /** Whether a normalised identifier was erased. Costs one HMAC, and nothing while the list is empty. */
  has(id: Identifier): boolean {
    return this.entries.size > 0 && this.entries.has(this.hashOf(id));
  }

  get size(): number {
    return this.entries.size;
  }
}

/** Identifiers without the suppressed ones; the same array when none is (the common case allocates nothing). */
export function withoutSuppressed<T extends Identifier>(ids: readonly T[], list: SuppressionList): readonly T[] {
  if (list.size === 0 || !ids.some((i) => list.has(i))) return ids;
  return ids.filter((i) => !list.has(i));
}

/**
 * A claim without its suppressed identifiers (linkable and blocked), keeping its event; null when nothing is left.
 * The link stage applies this to every claim, and an erasure applies it to the claims it dropped, so a graph erased
 * live and a graph replayed from offset 0 hold the same claims (and so, by the core's definition, the same profiles).
 */
export function stripClaim(claim: Claim, list: SuppressionList): { claim: Claim | null; removed: number } {
  const blocked = claim.blocked ?? [];
  const ids = withoutSuppressed(claim.identifiers, list);
  const kept = withoutSuppressed(blocked, list);
  const removed = claim.identifiers.length - ids.length + blocked.length - kept.length;
  if (removed === 0) return { claim, removed };
  if (ids.length === 0 && kept.length === 0) return { claim: null, removed };
  const stripped: Claim = { messageId: claim.messageId, eventTime: claim.eventTime, identifiers: [...ids] };
  if (kept.length > 0) stripped.blocked = [...kept];
  return { claim: stripped, removed };
}
