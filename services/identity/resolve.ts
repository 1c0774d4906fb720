// The definition of identity resolution, written for clarity, not speed: profiles as a pure function of a claim set.
// IdentityGraph must always agree with it (property tests); docs/identity.md explains each rule.
import { blockedSet, claimText } from './canonical.ts';
import { hash64 } from './hash.ts';
import { contests, ruleFor, type IdentityConfig } from './rules.ts';
import type { Claim, Identifier, Link, ProfileSnapshot } from './types.ts';

const keyOf = (id: Identifier): string => `${id.type}\u0001${id.value}`;

interface Distinct { messageId: string; eventTime: number; canonical: string; linkText: string; keys: string[]; ids: Map<string, Identifier> }

interface Draft { id: string; founder: Distinct; members: Map<string, Link>; counts: Map<string, number>; lastSeen: number }

/** Distinct identifier sets, each with its earliest (eventTime, messageId), in resolution order. */
export function distinctClaims(claims: readonly Claim[]): Distinct[] {
  const bySet = new Map<string, Distinct>();
  for (const c of claims) {
    const ids = new Map(c.identifiers.map((i) => [keyOf(i), i]));
    // A claim holding only blocked values links nothing: it cannot change any profile.
    if (ids.size === 0) continue;
    const keys = [...ids.keys()].sort();
    // Blocked values never link, but a claim keeping some is a claim of its own (they order its ties and ids).
    const linkText = keys.join('\u0002');
    const canonical = claimText(linkText, blockedSet(c.blocked)?.text ?? '');
    const seen = bySet.get(canonical);
    if (seen === undefined || c.eventTime < seen.eventTime || (c.eventTime === seen.eventTime && c.messageId < seen.messageId)) {
      bySet.set(canonical, { messageId: c.messageId, eventTime: c.eventTime, canonical, linkText, keys, ids });
    }
  }
  return [...bySet.values()].sort((a, b) =>
    a.eventTime - b.eventTime || (a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : a.canonical < b.canonical ? -1 : 1));
}

/**
 * Identifiers that stop linking: seen with more than hubBound distinct identifiers of one type (hubs), or of a
 * contested type seen with more distinct identifiers of one contesting type (contested.by) than that type's limit
 * allows in one profile (a shared device: a cookie seen with two user ids when a profile may hold one, a kiosk
 * seen with six emails when a profile may hold five).
 */
export function hubsOf(claims: readonly Distinct[], config: IdentityConfig): Set<string> {
  const neighbours = new Map<string, Map<string, Set<string>>>();
  const typeOf = new Map<string, string>();
  for (const c of claims) {
    for (const k of c.keys) {
      let byType = neighbours.get(k);
      if (byType === undefined) neighbours.set(k, (byType = new Map()));
      for (const [other, id] of c.ids) {
        if (other === k) { typeOf.set(k, id.type); continue; }
        let s = byType.get(id.type);
        if (s === undefined) byType.set(id.type, (s = new Set()));
        s.add(other);
      }
    }
  }
  const hubs = new Set<string>();
  for (const [k, byType] of neighbours) {
    for (const [t, s] of byType) {
      const shared = config.contested.types.includes(typeOf.get(k) ?? '') && contests(config, t);
      const bound = shared ? Math.min(ruleFor(config, t).limit, config.hubBound) : config.hubBound;
      if (s.size > bound) hubs.add(k);
    }
  }
  return hubs;
}

export function resolve(claims: readonly Claim[], config: IdentityConfig): ProfileSnapshot[] {
  const sorted = distinctClaims(claims);
  const hubs = hubsOf(sorted, config);
  const profileOf = new Map<string, Draft>();
  const live = new Set<Draft>();
  const strength = (id: Identifier): [number, string, string] => [ruleFor(config, id.type).priority, id.type, id.value];
  for (const c of sorted) {
    const order = [...c.ids.values()].sort((a, b) => {
      const [pa, ta, va] = strength(a), [pb, tb, vb] = strength(b);
      return pa - pb || (ta < tb ? -1 : ta > tb ? 1 : va < vb ? -1 : va > vb ? 1 : 0);
    });
    const acc: Draft[] = [], fresh: Identifier[] = [], counts = new Map<string, number>();
    const fits = (add: Map<string, number>): boolean =>
      [...add].every(([t, n]) => (counts.get(t) ?? 0) + n <= ruleFor(config, t).limit);
    const take = (add: Map<string, number>): void => { for (const [t, n] of add) counts.set(t, (counts.get(t) ?? 0) + n); };
    for (const id of order) {
      if (hubs.has(keyOf(id))) continue;
      const d = profileOf.get(keyOf(id));
      const add = d !== undefined ? d.counts : new Map([[id.type, 1]]);
      if (d !== undefined && acc.includes(d)) continue;
      if (!fits(add)) continue;
      take(add);
      if (d !== undefined) acc.push(d); else fresh.push(id);
    }
    if (acc.length === 0 && fresh.length === 0) continue;
    const firstOf = (d: Draft): Distinct => d.founder;
    const before = (a: Distinct, b: Distinct): boolean =>
      a.eventTime < b.eventTime || (a.eventTime === b.eventTime && (a.messageId < b.messageId || (a.messageId === b.messageId && a.canonical < b.canonical)));
    let survivor = acc.reduce<Draft | undefined>((s, d) => (s === undefined || before(firstOf(d), firstOf(s)) ? d : s), undefined);
    if (survivor === undefined) {
      // The id comes from the linkable set only: passing an event's blocked values or not never changes it.
      survivor = { id: `p_${hash64(`${c.messageId}\u0000${c.eventTime}\u0000${c.linkText}`)}`, founder: c, members: new Map(), counts: new Map(), lastSeen: c.eventTime };
      live.add(survivor);
    }
    for (const d of acc) {
      if (d === survivor) continue;
      for (const [k, l] of d.members) {
        survivor.members.set(k, { ...l, profileId: survivor.id });
        profileOf.set(k, survivor);
      }
      for (const [t, n] of d.counts) survivor.counts.set(t, (survivor.counts.get(t) ?? 0) + n);
      survivor.lastSeen = Math.max(survivor.lastSeen, d.lastSeen);
      live.delete(d);
    }
    for (const id of fresh) {
      survivor.members.set(keyOf(id), { identifier: id, profileId: survivor.id, messageId: c.messageId, eventTime: c.eventTime });
      survivor.counts.set(id.type, (survivor.counts.get(id.type) ?? 0) + 1);
      profileOf.set(keyOf(id), survivor);
    }
    survivor.lastSeen = Math.max(survivor.lastSeen, c.eventTime);
  }
  return [...live].map((d) => ({
    profileId: d.id,
    identifiers: [...d.members.values()].sort((a, b) => (keyOf(a.identifier) < keyOf(b.identifier) ? -1 : 1)),
    firstSeen: d.founder.eventTime,
    lastSeen: d.lastSeen,
  })).sort((a, b) => (a.profileId < b.profileId ? -1 : 1));
}
