import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { blockReason } from './blocklist.ts';
import { IdentityGraph, type Erasure } from './graph.ts';
import { resolve } from './resolve.ts';
import { parseIdentityConfig, type IdentityConfig } from './rules.ts';
import type { ChangelogRecord, Claim, Identifier, ProfileChange, ProfileSnapshot, StepResult } from './types.ts';

/** The step of an erasure that must have been accepted. */
function erased(r: Erasure): StepResult {
  if (!r.ok) throw new Error(r.dropped.reason);
  return r.step;
}

function configWith(input: unknown): IdentityConfig {
  const parsed = parseIdentityConfig(input);
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return parsed.config;
}

const unlimited = configWith({
  rules: Object.fromEntries(['user_id', 'email', 'phone', 'device_id', 'anonymous_id'].map((t) => [t, { limit: 1_000_000 }])),
  defaultRule: { limit: 1_000_000 }, hubBound: 1_000_000, contested: { types: [], by: 'user_id' },
});
// Shared devices are contested by any strong type (default contested.by): user ids, emails (limit 2 here, so a
// device seen with e0, e1 and e2 is contested) and external ids, including a type named like a prototype key.
const rules = { rules: { email: { limit: 2 }, device_id: { limit: 1 }, anonymous_id: { limit: 3 }, constructor: { limit: 1 } }, hubBound: 3 };
const limited = configWith(rules);
/** The same rules with a blocklist that stops u0, e1@x.io and the crm id c1. */
const blocking = configWith({ ...rules, blocked: { user_id: ['u0'], email: ['e1@x.io'], crm_id: ['c1'] } });

// A small universe so that claims collide, merge, conflict and form hubs.
const identifier: fc.Arbitrary<Identifier> = fc.oneof(
  fc.record({ type: fc.constant('user_id'), value: fc.constantFrom('u0', 'u1', 'u2', 'u3') }),
  fc.record({ type: fc.constant('email'), value: fc.constantFrom('e0@x.io', 'e1@x.io', 'e2@x.io') }),
  fc.record({ type: fc.constant('device_id'), value: fc.constantFrom('d0', 'd1') }),
  fc.record({ type: fc.constant('anonymous_id'), value: fc.constantFrom('a0', 'a1', 'a2', 'a3', 'a4', 'a5') }),
  fc.record({ type: fc.constantFrom('crm_id', 'constructor'), value: fc.constantFrom('c0', 'c1') }),
);
const claims: fc.Arbitrary<Claim[]> = fc.array(
  fc.record({ eventTime: fc.integer({ min: 0, max: 12 }), identifiers: fc.array(identifier, { minLength: 0, maxLength: 4 }) }),
  { minLength: 1, maxLength: 25 },
).chain((cs) => fc.tuple(fc.constant(cs), fc.array(fc.uuid(), { minLength: cs.length, maxLength: cs.length }), fc.boolean()))
  // messageIds: UUIDs (stored compactly) or short text; times collide so that messageIds break ties.
  .map(([cs, uuids, useUuids]) => cs.map((c, i) => ({ messageId: useUuids ? `${uuids[i] ?? ''}`.slice(0, 35) + (i % 10) : `m${(i * 7919) % 101}-${i}`, ...c })));

const keyOf = (i: Identifier): string => `${i.type}:${i.value}`;

function build(cs: readonly Claim[], config: IdentityConfig): IdentityGraph {
  const g = new IdentityGraph(config);
  for (const c of cs) g.apply(c);
  return g;
}

/** Connected components of the identifier co-occurrence graph, as sorted key lists. */
function components(cs: readonly Claim[]): string[][] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    while (parent.get(x) !== x) x = parent.get(x) ?? x;
    return x;
  };
  for (const c of cs) for (const i of c.identifiers) if (!parent.has(keyOf(i))) parent.set(keyOf(i), keyOf(i));
  for (const c of cs) {
    const [first, ...rest] = c.identifiers.map(keyOf);
    for (const k of rest) if (first !== undefined) parent.set(find(k), find(first));
  }
  const groups = new Map<string, string[]>();
  for (const k of parent.keys()) groups.set(find(k), [...(groups.get(find(k)) ?? []), k]);
  return [...groups.values()].map((g) => g.sort()).sort();
}

/** Claims as extraction gives them under a config: the values its blocklist stops move to `blocked`. */
const splitBy = (cs: readonly Claim[], config: IdentityConfig): Claim[] => cs.map((c) => {
  const all = [...c.identifiers, ...(c.blocked ?? [])];
  const stopped = (i: Identifier): boolean => blockReason(i.type, i.value, config) !== null;
  return { ...c, identifiers: all.filter((i) => !stopped(i)), blocked: all.filter(stopped) };
});

const byKey = (rs: ChangelogRecord[]): ChangelogRecord[] => [...rs].sort((a, b) => (a.key < b.key ? -1 : 1));

const memberSets = (ps: ProfileSnapshot[]): string[][] => ps.map((p) => p.identifiers.map((l) => keyOf(l.identifier)).sort()).sort();

describe('identity graph properties', () => {
  it('(a) with no limits and no hubs, profiles are the connected components of co-occurrence', () => {
    fc.assert(fc.property(claims, (cs) => {
      expect(memberSets(build(cs, unlimited).profiles())).toEqual(components(cs));
    }), { numRuns: 300 });
  });

  it('(b) any permutation of the same events gives identical profiles (limits and hubs on)', () => {
    fc.assert(fc.property(claims.chain((cs) => fc.tuple(fc.constant(cs), fc.shuffledSubarray(cs, { minLength: cs.length, maxLength: cs.length }))), ([cs, shuffled]) => {
      const a = build(cs, limited).profiles();
      expect(build(shuffled, limited).profiles()).toEqual(a);
      expect(a).toEqual(resolve(cs, limited));
    }), { numRuns: 300 });
  });

  it('(c) after every step, the incremental graph equals a full recompute of the claims so far', () => {
    fc.assert(fc.property(claims, (cs) => {
      const g = new IdentityGraph(limited);
      cs.forEach((c, i) => {
        g.apply(c);
        expect(g.profiles()).toEqual(resolve(cs.slice(0, i + 1), limited));
      });
    }), { numRuns: 200 });
  });

  it('(d) restore(changelog) is equivalent, also after erasures', () => {
    fc.assert(fc.property(claims, fc.array(identifier, { maxLength: 2 }), (cs, erase) => {
      const g = new IdentityGraph(limited);
      const log = cs.flatMap((c) => g.apply(c).changelog);
      for (const id of erase) log.push(...erased(g.forget(id)).changelog);
      const kept = cs.filter((c) => !c.identifiers.some((i) => erase.some((e) => keyOf(e) === keyOf(i))));
      expect(g.profiles()).toEqual(resolve(kept, limited));
      expect(IdentityGraph.restore(g.changelog(), limited).profiles()).toEqual(g.profiles());
      expect(IdentityGraph.restore(log, limited).profiles()).toEqual(g.profiles());
    }), { numRuns: 200 });
  });

  it('(e) folding the profile changes of every step reproduces the profiles (what a downstream consumer sees)', () => {
    fc.assert(fc.property(claims, fc.option(identifier), (cs, erase) => {
      const g = new IdentityGraph(limited);
      const seen = new Map<string, ProfileSnapshot>();
      const fold = (changes: ProfileChange[]): void => {
        for (const ch of changes) {
          if (ch.kind === 'upsert') seen.set(ch.profile.profileId, ch.profile); else seen.delete(ch.profileId);
        }
      };
      for (const c of cs) fold(g.apply(c).profiles);
      if (erase !== null) fold(erased(g.forget(erase)).profiles);
      fold(g.reResolve(unlimited).profiles);
      fold(g.reResolve(limited).profiles);
      expect([...seen.values()].sort((a, b) => (a.profileId < b.profileId ? -1 : 1))).toEqual(g.profiles());
    }), { numRuns: 200 });
  });

  it('(g) blocking and un-blocking by reResolve equals building under each blocklist from scratch; restore agrees', () => {
    fc.assert(fc.property(claims, (cs) => {
      const g = new IdentityGraph(blocking);
      const log = splitBy(cs, blocking).flatMap((c) => g.apply(c).changelog);
      expect(g.profiles()).toEqual(resolve(splitBy(cs, blocking), blocking));
      log.push(...g.reResolve(limited).changelog);
      const scratch = build(splitBy(cs, limited), limited);
      expect(g.profiles()).toEqual(scratch.profiles());
      expect(byKey(g.changelog())).toEqual(byKey(scratch.changelog()));
      expect(IdentityGraph.restore(log, limited).profiles()).toEqual(g.profiles());
      log.push(...g.reResolve(blocking).changelog);
      expect(g.profiles()).toEqual(build(splitBy(cs, blocking), blocking).profiles());
      expect(byKey(IdentityGraph.restore(log, blocking).changelog())).toEqual(byKey(g.changelog()));
    }), { numRuns: 200 });
  });

  it('(f) reResolve under new rules equals building under those rules from scratch', () => {
    fc.assert(fc.property(claims, (cs) => {
      const g = build(cs, limited);
      g.reResolve(unlimited);
      expect(g.profiles()).toEqual(build(cs, unlimited).profiles());
      g.reResolve(limited);
      expect(g.profiles()).toEqual(build(cs, limited).profiles());
    }), { numRuns: 150 });
  });
});
