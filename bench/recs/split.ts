// The evaluation split of bench/recs: implicit feedback read from touchpoints as the recommender reads events, keyed
// three ways (true person, cookie, resolved profile), each person's latest interactions held out. Pure.
import type { Touchpoint } from '../../services/contract/touchpoint.ts';
import type { RecommendOptions } from '../../services/recommend/sql.ts';

export interface Interaction {
  messageId: string;
  time: number;
  person: number;
  /** The event's own identifier without identity resolution (its cookie; a user id or device id when it has none). */
  cookie: string | null;
  /** The resolved profile the event belongs to in the end. */
  profile: string | null;
  item: string;
  weight: number;
}

/** Items of a touchpoint and their weight, as services/recommend/sql.ts eventsSource reads them from events. */
export function itemsOf(t: Touchpoint, o: RecommendOptions): { items: string[]; weight: number } | null {
  if (t.type !== 'track' || t.event === null) return null;
  const weight = o.events.purchase.includes(t.event) ? o.weights.purchase : o.events.cart.includes(t.event) ? o.weights.cart
    : o.events.view.includes(t.event) ? o.weights.view : null;
  if (weight === null) return null;
  const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));
  const single = o.itemProperties.map((p) => text(t.properties[p])).find((v) => v !== '');
  const listed = [...text(t.properties.products).matchAll(new RegExp(`"${o.itemProperties[0]}":\\s*"([^"]+)"`, 'g'))].map((m) => m[1]!);
  const items = [...(single ? [single] : []), ...listed];
  return items.length > 0 ? { items, weight } : null;
}

export interface Split {
  train: Interaction[];
  /** People with something new to find: where they come back (cookie, profile) and the new items they then touch. */
  people: { person: number; cookie: string | null; profile: string | null; seen: Set<string>; targets: Set<string> }[];
}

/**
 * Per person (ground truth), interactions in time order; the latest ⌈share × n⌉ (at least one, for people with at least
 * `minHistory`) are held out. Targets: held-out items the person had not touched before. The keys each recommender
 * serves are those of the first held-out event: where the person is when the recommendation is asked for.
 */
export function holdOut(interactions: readonly Interaction[], share: number, minHistory: number): Split {
  const byPerson = new Map<number, Interaction[]>();
  for (const i of interactions) byPerson.set(i.person, [...(byPerson.get(i.person) ?? []), i]);
  const train: Interaction[] = [];
  const people: Split['people'] = [];
  for (const person of [...byPerson.keys()].sort((a, b) => a - b)) {
    const xs = byPerson.get(person)!.sort((a, b) => a.time - b.time || (a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : a.item < b.item ? -1 : 1));
    if (xs.length < minHistory) { train.push(...xs); continue; }
    const cut = xs.length - Math.max(1, Math.ceil(share * xs.length));
    // Rows of one event (an order's products) stay on one side of the cut.
    let at = cut;
    while (at > 0 && xs[at - 1]!.messageId === xs[at]!.messageId) at -= 1;
    const before = xs.slice(0, at);
    train.push(...before);
    const seen = new Set(before.map((x) => x.item));
    const targets = new Set(xs.slice(at).map((x) => x.item).filter((i) => !seen.has(i)));
    if (targets.size > 0 && at > 0) people.push({ person, cookie: xs[at]!.cookie, profile: xs[at]!.profile, seen, targets });
  }
  return { train, people };
}
