// Changelog records: one per distinct claim, keyed by a hash of its identifier set (compaction keeps the latest).
import { blockedSet, byTypeThenValue, claimText, setText, sortedDistinct } from './canonical.ts';
import type { Engine } from './engine.ts';
import { hash128 } from './hash.ts';
import type { ChangelogRecord, Identifier } from './types.ts';

export function claimIdentifiers(e: Engine, c: number): Identifier[] {
  return Array.from(e.claims.ids(c), (x) => e.names.identifier(x)).sort(byTypeThenValue);
}

/**
 * The key of a claim: depends only on its identifier set (order and repeats do not matter), so every stage that
 * sees the same identifiers together computes the same key — the extract stages, the link stage's changelog and
 * the warehouse. A claim that also keeps blocked values (Extraction.blocked) is a different claim from one that
 * does not, so they count too when there are some: claimKey(x.identifiers, x.blocked). Without blocked values the
 * key is that of the identifiers alone.
 */
export function claimKey(identifiers: readonly Identifier[], blocked: readonly Identifier[] = []): string {
  return keyOf(setText(sortedDistinct(identifiers)), blockedSet(blocked)?.text ?? '');
}

export function claimRecord(e: Engine, c: number): ChangelogRecord {
  const identifiers = claimIdentifiers(e, c);
  const blocked = e.claims.blocked(c);
  const value = { messageId: e.claims.messageId(c), eventTime: e.claims.time[c] ?? 0, identifiers };
  return {
    key: keyOf(setText(identifiers), blocked?.text ?? ''),
    value: blocked === null ? value : { ...value, blocked: blocked.ids.map((i) => ({ ...i })) },
  };
}

/** Same text as Engine.canonical: the key depends only on the claim's sets. */
function keyOf(linkText: string, blockedText: string): string {
  return `c_${hash128(claimText(linkText, blockedText))}`;
}

export function tombstone(e: Engine, c: number): ChangelogRecord {
  return { key: keyOf(setText(claimIdentifiers(e, c)), e.claims.blocked(c)?.text ?? ''), value: null };
}

/** Compaction semantics: the last record per key wins, a tombstone removes the key. */
export function compact(records: Iterable<ChangelogRecord>): Map<string, NonNullable<ChangelogRecord['value']>> {
  const latest = new Map<string, NonNullable<ChangelogRecord['value']>>();
  for (const r of records) {
    if (r.value === null) latest.delete(r.key); else latest.set(r.key, r.value);
  }
  return latest;
}
