// The "linkable truth": the best partition of events any resolver could reach from the identifiers alone.
// Two events of the same true person are linkable when a chain of that person's events joins them, each step
// sharing an identifier. An identifier seen by two people does not join them (that would be an over-merge), and an
// anonymous session that never shares an identifier with the rest of its person stays apart (nothing can link it).

export interface LabelledEvent {
  messageId: string;
  /** The true person (ground truth). */
  person: number;
  /** The event's usable identifiers (normalised, placeholders dropped), any stable string form such as `type:value`. */
  identifiers: readonly string[];
}

/**
 * Groups events into linkable people: connected components of (person, identifier) over events.
 * Returns messageId → group number; groups are numbered from 0 in order of first appearance.
 * An event without identifiers is a group of its own.
 */
export function linkableTruth(events: Iterable<LabelledEvent>): Map<string, number> {
  const parent: number[] = [];
  const node = new Map<string, number>();
  const find = (x: number): number => {
    let r = x;
    while (parent[r] !== r) r = parent[r]!;
    while (parent[x] !== r) { const next = parent[x]!; parent[x] = r; x = next; }
    return r;
  };
  const nodeOf = (key: string): number => {
    let n = node.get(key);
    if (n === undefined) { n = parent.length; parent.push(n); node.set(key, n); }
    return n;
  };
  const firstNode = new Map<string, number>();
  for (const e of events) {
    // A fresh node per event, so an event without identifiers stays alone.
    const own = parent.length;
    parent.push(own);
    firstNode.set(e.messageId, own);
    for (const id of e.identifiers) {
      const a = find(own);
      const b = find(nodeOf(`${e.person}\u0001${id}`));
      if (a !== b) parent[b] = a;
    }
  }
  const label = new Map<number, number>();
  const out = new Map<string, number>();
  for (const [messageId, n] of firstNode) {
    const root = find(n);
    let l = label.get(root);
    if (l === undefined) { l = label.size; label.set(root, l); }
    out.set(messageId, l);
  }
  return out;
}
