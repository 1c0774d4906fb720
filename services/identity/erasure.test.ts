import { describe, expect, it } from 'vitest';
import { claim, ident, touchpoint } from '../../test/support/builders.ts';
import { claimKey } from './changelog.ts';
import { IdentityGraph, type Erasure } from './graph.ts';
import { extractIdentifiers } from './identifiers.ts';
import { resolve } from './resolve.ts';
import { defaultIdentityConfig, parseIdentityConfig, type IdentityConfig } from './rules.ts';
import type { ChangelogRecord, Claim, StepResult } from './types.ts';

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

const bridge = [
  claim('m1', 1, 'user_id:u1', 'anonymous_id:a1'),
  claim('m2', 2, 'anonymous_id:a1', 'email:e@shop.com'),
  claim('m3', 3, 'email:e@shop.com', 'phone:+14155552671'),
  claim('m4', 4, 'anonymous_id:a1'),
];

function graphOf(claims: Claim[], config = defaultIdentityConfig): IdentityGraph {
  const g = new IdentityGraph(config);
  for (const c of claims) g.apply(c);
  return g;
}

describe('forget (erasure)', () => {
  it('drops every claim holding the identifier, tombstones them and reports moves', () => {
    const g = graphOf(bridge);
    const p = g.profileOf(ident('user_id:u1'));
    const step = erased(g.forget(ident('anonymous_id:a1'), { messageId: 'erase-1', eventTime: 99 }));
    expect(step.changelog).toHaveLength(3);
    expect(step.changelog.every((r) => r.value === null)).toBe(true);
    expect(g.profileOf(ident('anonymous_id:a1'))).toBeNull();
    // u1 was only ever seen with a1: its claim goes, so u1 goes too.
    expect(g.profileOf(ident('user_id:u1'))).toBeNull();
    const e = g.profileOf(ident('email:e@shop.com'));
    expect(e).not.toBeNull();
    expect(e).not.toBe(p);
    expect(g.profileOf(ident('phone:+14155552671'))).toBe(e);
    expect(step.moves).toEqual(expect.arrayContaining([
      { identifier: ident('anonymous_id:a1'), from: p, to: null, messageId: 'erase-1', eventTime: 99 },
      { identifier: ident('user_id:u1'), from: p, to: null, messageId: 'erase-1', eventTime: 99 },
      { identifier: ident('email:e@shop.com'), from: p, to: e, messageId: 'erase-1', eventTime: 99 },
      { identifier: ident('phone:+14155552671'), from: p, to: e, messageId: 'erase-1', eventTime: 99 },
    ]));
    expect(step.moves).toHaveLength(4);
    expect(step.profiles).toEqual(expect.arrayContaining([{ kind: 'deleted', profileId: p }]));
    expect(g.stats()).toEqual({ identifiers: 2, profiles: 1, claims: 1, hubs: 0 });
    expect(g.profiles()).toEqual(resolve(bridge.filter((c) => !c.identifiers.some((i) => i.value === 'a1')), defaultIdentityConfig));
  });

  it('erasing a hub identifier re-links nothing it touched but drops its claims', () => {
    const config = configWith({ hubBound: 1 });
    const claims = [claim('m1', 1, 'device_id:t', 'anonymous_id:a1'), claim('m2', 2, 'device_id:t', 'anonymous_id:a2'), claim('m3', 3, 'anonymous_id:a1', 'anonymous_id:a2')];
    const g = graphOf(claims, config);
    expect(g.stats().hubs).toBe(1);
    g.forget(ident('device_id:t'));
    expect(g.stats()).toEqual({ identifiers: 2, profiles: 1, claims: 1, hubs: 0 });
  });

  it('forgetting an unknown identifier does nothing', () => {
    const g = graphOf(bridge);
    const before = g.profiles();
    expect(erased(g.forget(ident('user_id:ghost'))).changelog).toEqual([]);
    expect(g.profiles()).toEqual(before);
  });

  it('a forgotten identifier can come back with a new event', () => {
    const g = graphOf(bridge);
    g.forget(ident('anonymous_id:a1'));
    g.apply(claim('m9', 9, 'anonymous_id:a1', 'user_id:u1'));
    expect(g.profileOf(ident('anonymous_id:a1'))).toBe(g.profileOf(ident('user_id:u1')));
  });
});

describe('reResolve under changed rules', () => {
  const family = [claim('m1', 1, 'anonymous_id:c1', 'user_id:alice'), claim('m2', 2, 'anonymous_id:c1', 'user_id:bob')];

  it('a raised user_id limit merges the family computer, reporting the merge', () => {
    const g = graphOf(family);
    const alice = g.profileOf(ident('user_id:alice')), bob = g.profileOf(ident('user_id:bob'));
    const config = configWith({ rules: { user_id: { limit: 2 } } });
    const step = g.reResolve(config);
    expect(step.merges).toEqual([{ from: bob, into: alice, messageId: '', eventTime: 0 }]);
    expect(g.profileOf(ident('user_id:bob'))).toBe(alice);
    expect(g.profiles()).toEqual(resolve(family, config));
  });

  it('lowering it again splits them, reporting the move', () => {
    const g = graphOf(family, configWith({ rules: { user_id: { limit: 2 } } }));
    const step = g.reResolve(defaultIdentityConfig, { messageId: 'rules-v2', eventTime: 7 });
    const alice = g.profileOf(ident('user_id:alice')), bob = g.profileOf(ident('user_id:bob'));
    expect(alice).not.toBe(bob);
    // Bob leaves, and the family cookie, contested again, links neither.
    expect(step.moves).toEqual([
      { identifier: ident('anonymous_id:c1'), from: alice, to: null, messageId: 'rules-v2', eventTime: 7 },
      { identifier: ident('user_id:bob'), from: alice, to: bob, messageId: 'rules-v2', eventTime: 7 },
    ]);
  });

  it('a newly blocked value leaves its claims, re-keyed in the changelog', () => {
    const g = graphOf(family);
    const step = g.reResolve(configWith({ blocked: { anonymous_id: ['c1'] } }));
    expect(step.changelog.filter((r) => r.value === null)).toHaveLength(2);
    expect(step.changelog.filter((r) => r.value !== null).map((r) => r.value?.identifiers)).toEqual([[ident('user_id:alice')], [ident('user_id:bob')]]);
    expect(g.profileOf(ident('anonymous_id:c1'))).toBeNull();
    expect(g.stats()).toEqual({ identifiers: 2, profiles: 2, claims: 2, hubs: 0 });
  });
});

describe('changelog and restore', () => {
  it('restore(changelog) gives the same profiles, changelog and stats', () => {
    const g = graphOf([...bridge, claim('m5', 0, 'user_id:u2', 'anonymous_id:a1')]);
    const r = IdentityGraph.restore(g.changelog(), defaultIdentityConfig);
    expect(r.profiles()).toEqual(g.profiles());
    expect(r.stats()).toEqual(g.stats());
    expect([...r.changelog()].sort((a, b) => (a.key < b.key ? -1 : 1))).toEqual([...g.changelog()].sort((a, b) => (a.key < b.key ? -1 : 1)));
  });

  it('restoring the stream of step records (with re-keys and tombstones) equals the graph', () => {
    const g = new IdentityGraph(defaultIdentityConfig);
    const log = [...bridge, claim('m0', 0, 'anonymous_id:a1')].flatMap((c) => g.apply(c).changelog);
    log.push(...erased(g.forget(ident('phone:+14155552671'))).changelog);
    expect(IdentityGraph.restore(log, defaultIdentityConfig).profiles()).toEqual(g.profiles());
  });

  it('keys are deterministic and independent of identifier order', () => {
    const a = graphOf([claim('m1', 1, 'user_id:u1', 'anonymous_id:a1')]).changelog();
    const b = graphOf([claim('m1', 1, 'anonymous_id:a1', 'user_id:u1')]).changelog();
    expect(a).toEqual(b);
    expect(a[0]?.key).toMatch(/^c_[0-9a-f]{32}$/);
  });
});

describe('identifiers from people and requests are read as extraction reads them', () => {
  const events = [claim('m1', 1, 'user_id:u1', 'email:ana@acme.io'), claim('m2', 2, 'email:ana@acme.io', 'phone:+14155552671')];

  it('profileOf and explain find "  ANA@Acme.io " and an un-normalised phone', () => {
    const g = graphOf(events);
    const p = g.profileOf(ident('user_id:u1'));
    expect(p).not.toBeNull();
    expect(g.profileOf(ident('email:  ANA@Acme.io '))).toBe(p);
    expect(g.profileOf({ type: ' EMAIL ', value: 'ana\u200b@ACME.io' })).toBe(p);
    expect(g.profileOf(ident('phone:(415) 555-2671'))).toBe(p);
    expect(g.explain(ident('user_id:u1'), ident('phone:+1 415 555 2671'))?.map((l) => l.messageId)).toEqual(['m1', 'm2']);
  });

  it('forget of "  ANA@Acme.io " erases ana@acme.io', () => {
    const g = graphOf(events);
    const r = g.forget(ident('email:  ANA@Acme.io '));
    expect(r.ok ? r.identifier : null).toEqual(ident('email:ana@acme.io'));
    expect(r.ok ? r.step.changelog.filter((c) => c.value === null) : []).toHaveLength(2);
    expect(g.profiles()).toEqual([]);
  });

  it('an identifier that cannot be normalised is refused with the reason, and nothing changes', () => {
    const g = graphOf(events);
    const before = g.profiles();
    const r = g.forget(ident('email:not an email'));
    expect(r.ok ? null : [r.dropped.code, r.dropped.reason]).toEqual(['INVALID', '"not an email" is not a valid email address']);
    expect(g.normalise(ident('user_id:\u200b')).ok).toBe(false);
    expect(g.profileOf(ident('email:not an email'))).toBeNull();
    expect(g.profiles()).toEqual(before);
  });
});

const byKey = (rs: ChangelogRecord[]): ChangelogRecord[] => [...rs].sort((a, b) => (a.key < b.key ? -1 : 1));

describe('a mistaken block can be undone: claims keep blocked values, marked', () => {
  // A real user whose id a rule wrongly listed as a placeholder.
  const strict = configWith({ blocked: { user_id: ['guest-1'] } });
  const events: Claim[] = [
    { ...claim('m1', 1, 'anonymous_id:a1'), blocked: [ident('user_id:guest-1')] },
    claim('m2', 2, 'anonymous_id:a1', 'email:g1@shop.com'),
    { ...claim('m3', 3, 'anonymous_id:a2'), blocked: [ident('user_id:guest-1')] },
    { messageId: 'm4', eventTime: 4, identifiers: [], blocked: [ident('user_id:guest-1')] },
  ];

  it('extraction gives the blocked value back, normalised, for the claim', () => {
    const x = extractIdentifiers(touchpoint({ userId: ' GUEST-1\u200b', anonymousId: 'a1' }), strict);
    expect(x.identifiers).toEqual([ident('anonymous_id:a1')]);
    expect(x.blocked).toEqual([ident('user_id:GUEST-1')]);
    expect(x.dropped.map((d) => d.code)).toEqual(['BLOCKED']);
  });

  it('blocked, the value links nothing; un-blocked by reResolve, it links as if never blocked', () => {
    const g = graphOf(events, strict);
    expect(g.profileOf(ident('user_id:guest-1'))).toBeNull();
    expect(g.profileOf(ident('anonymous_id:a1'))).not.toBe(g.profileOf(ident('anonymous_id:a2')));
    const step = g.reResolve(defaultIdentityConfig);
    const p = g.profileOf(ident('user_id:guest-1'));
    expect(p).not.toBeNull();
    expect([g.profileOf(ident('anonymous_id:a1')), g.profileOf(ident('anonymous_id:a2')), g.profileOf(ident('email:g1@shop.com'))]).toEqual([p, p, p]);
    expect(step.merges.length).toBeGreaterThan(0);
    // Exactly what the same events give when the value was never blocked.
    const unblocked = events.map((c) => ({ ...c, identifiers: [...c.identifiers, ...(c.blocked ?? [])], blocked: [] }));
    expect(g.profiles()).toEqual(graphOf(unblocked).profiles());
    expect(g.profiles()).toEqual(resolve(unblocked, defaultIdentityConfig));
  });

  it('restoring the changelog (steps, then the re-resolve\'s tombstones and re-keyed claims) gives the same graph', () => {
    const g = new IdentityGraph(strict);
    const log = events.flatMap((c) => g.apply(c).changelog);
    expect(log.filter((r) => r.value?.blocked !== undefined)).toHaveLength(3);
    const restoredBlocked = IdentityGraph.restore(log, strict);
    expect(restoredBlocked.profiles()).toEqual(g.profiles());
    expect(byKey(restoredBlocked.changelog())).toEqual(byKey(g.changelog()));
    log.push(...g.reResolve(defaultIdentityConfig).changelog);
    const restored = IdentityGraph.restore(log, defaultIdentityConfig);
    expect(restored.profiles()).toEqual(g.profiles());
    expect(byKey(restored.changelog())).toEqual(byKey(g.changelog()));
    // …and blocking again, then un-blocking again, is a round trip.
    const before = g.profiles();
    g.reResolve(strict);
    expect(g.profileOf(ident('user_id:guest-1'))).toBeNull();
    g.reResolve(defaultIdentityConfig);
    expect(g.profiles()).toEqual(before);
  });

  it('the claim key is that of the linkable set alone when nothing is blocked, and tells blocked values apart', () => {
    const g = graphOf(events, strict);
    const records = g.changelog();
    const keys = new Set(records.map((r) => r.key));
    expect(records.map((r) => r.key)).toEqual(records.map((r) => claimKey(r.value?.identifiers ?? [], r.value?.blocked)));
    expect(keys).toContain(claimKey([ident('anonymous_id:a1'), ident('email:g1@shop.com')]));
    expect(keys).not.toContain(claimKey([ident('anonymous_id:a1')]));
    expect(keys).toContain(claimKey([ident('anonymous_id:a1')], [ident('user_id:guest-1')]));
  });

  it('keeping blocked values changes no profile and no profile id', () => {
    expect(graphOf(events, strict).profiles()).toEqual(graphOf(events.map((c) => ({ ...c, blocked: [] })), strict).profiles());
  });

  it('erasing a blocked value drops the claims that hold it', () => {
    const g = graphOf(events, strict);
    const r = g.forget(ident('user_id: guest-1\u200b'));
    expect(r.ok ? r.step.changelog.filter((c) => c.value === null) : []).toHaveLength(3);
    expect(g.changelog().some((c) => c.value?.blocked !== undefined)).toBe(false);
    g.reResolve(defaultIdentityConfig);
    expect(g.profileOf(ident('user_id:guest-1'))).toBeNull();
  });
});
