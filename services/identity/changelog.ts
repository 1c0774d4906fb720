// Changelog records: one per distinct claim, keyed by a hash of its identifier set (compaction keeps the latest).
import type { Engine } from './engine.ts';
import { hash128 } from './hash.ts';
import type { ChangelogRecord, Identifier } from './types.ts';

const byTypeThenValue = (a: Identifier, b: Identifier) => (a.type < b.type ? -1 : a.type > b.type ? 1 : a.value < b.value ? -1 : a.value > b.value ? 1 : 0);

export function claimIdentifiers(e: Engine, c: number): Identifier[] {
  return Array.from(e.claims.ids(c), (x) => e.names.identifier(x)).sort(byTypeThenValue);
}

/**
 * The key of a claim: depends only on its identifier set (order and repeats do not matter), so every stage that
 * sees the same identifiers together computes the same key — the extract stages, the link stage's changelog and
 * the warehouse.
 */
export function claimKey(identifiers: readonly Identifier[]): string {
  const distinct = new Map<string, Identifier>();
  for (const i of identifiers) distinct.set(`${i.type}\u0001${i.value}`, i);
  return keyOf([...distinct.values()].sort(byTypeThenValue));
}

export function claimRecord(e: Engine, c: number): ChangelogRecord {
  const identifiers = claimIdentifiers(e, c);
  return {
    key: keyOf(identifiers),
    value: { messageId: e.claims.messageId(c), eventTime: e.claims.time[c] ?? 0, identifiers },
  };
}

/** Same text as Engine.canonical: the key depends only on the identifier set. */
function keyOf(sorted: Identifier[]): string {
  return `c_${hash128(sorted.map((i) => `${i.type}\u0001${i.value}`).join('\u0002'))}`;
}

export function tombstone(e: Engine, c: number): ChangelogRecord {
  return { key: keyOf(claimIdentifiers(e, c)), value: null };
}

/** Compaction semantics: the last record per key wins, a tombstone removes the key. */
export function compact(records: Iterable<ChangelogRecord>): Map<string, NonNullable<ChangelogRecord['value']>> {
  const latest = new Map<string, NonNullable<ChangelogRecord['value']>>();
  for (const r of records) {
    if (r.value === null) latest.delete(r.key); else latest.set(r.key, r.value);
  }
  return latest;
}
