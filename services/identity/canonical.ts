// The canonical text of an identifier set (claim ties, claim keys, profile ids) and of a claim's blocked values.
import type { Identifier } from './types.ts';

export const byTypeThenValue = (a: Identifier, b: Identifier): number =>
  (a.type < b.type ? -1 : a.type > b.type ? 1 : a.value < b.value ? -1 : a.value > b.value ? 1 : 0);

/** Distinct identifiers sorted by (type, value). */
export function sortedDistinct(ids: readonly Identifier[]): Identifier[] {
  const distinct = new Map<string, Identifier>();
  for (const i of ids) distinct.set(`${i.type}\u0001${i.value}`, { type: i.type, value: i.value });
  return [...distinct.values()].sort(byTypeThenValue);
}

/** Text of a sorted identifier list: type U+0001 value, joined by U+0002 (controls never survive cleaning). */
export const setText = (sorted: readonly Identifier[]): string => sorted.map((i) => `${i.type}\u0001${i.value}`).join('\u0002');

/**
 * A claim's text: its linkable set, then — only when it has some — its blocked values after U+0003. A claim
 * without blocked values has exactly the text (and so the key and profile ids) it had before they were kept.
 */
export const claimText = (linkText: string, blockedText: string): string => (blockedText === '' ? linkText : `${linkText}\u0003${blockedText}`);

/** A claim's blocked values: sorted, distinct, with their text (deduplication, keys). */
export interface BlockedSet { readonly text: string; readonly ids: readonly Identifier[] }

export function blockedSet(ids: readonly Identifier[] | undefined): BlockedSet | null {
  if (ids === undefined || ids.length === 0) return null;
  const sorted = sortedDistinct(ids);
  return { text: setText(sorted), ids: sorted };
}
