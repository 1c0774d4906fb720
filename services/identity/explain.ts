// Why two identifiers share a profile: the shortest chain of claims (events) that linked them, earliest claims first.
import type { Engine } from './engine.ts';
import type { Link } from './types.ts';

/** The identifiers a claim actually linked: those now in the profile of its strongest non-hub identifier. */
function linkedBy(e: Engine, c: number): number[] {
  const order = e.byPriority(c).filter((x) => !e.hubs.has(x));
  const p = e.prof[order[0] ?? -1] ?? -1;
  return p < 0 ? [] : order.filter((x) => e.prof[x] === p);
}

export function explainChain(e: Engine, a: number, b: number): Link[] | null {
  const p = e.prof[a] ?? -1;
  if (p < 0 || e.prof[b] !== p) return null;
  if (a === b) return [];
  const claims = e.collect([e.find(a)]).claims.sort((x, y) => e.compareClaims(x, y));
  const byId = new Map<number, number[]>();
  const linked = new Map<number, number[]>();
  for (const c of claims) {
    const ids = linkedBy(e, c);
    if (ids.length < 2 || e.prof[ids[0] ?? -1] !== p) continue;
    linked.set(c, ids);
    for (const x of ids) {
      const list = byId.get(x);
      if (list === undefined) byId.set(x, [c]); else list.push(c);
    }
  }
  const via = new Map<number, [number, number]>(); // identifier → [previous identifier, claim]
  const queue = [a];
  via.set(a, [-1, -1]);
  for (let i = 0; i < queue.length && !via.has(b); i++) {
    const x = queue[i] ?? -1;
    for (const c of byId.get(x) ?? []) {
      for (const y of linked.get(c) ?? []) {
        if (via.has(y)) continue;
        via.set(y, [x, c]);
        queue.push(y);
      }
    }
  }
  if (!via.has(b)) return null;
  const chain: Link[] = [];
  const profileId = e.profiles.idOf[p] ?? '';
  for (let y = b; y !== a;) {
    const [prev, c] = via.get(y) ?? [a, -1];
    chain.push({ identifier: e.names.identifier(y), profileId, messageId: e.claims.messageId(c), eventTime: e.claims.time[c] ?? 0 });
    y = prev;
  }
  return chain.reverse();
}
