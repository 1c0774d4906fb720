import { describe, expect, it } from 'vitest';
import { claim, ident } from '../../test/support/builders.ts';
import { IdentityGraph, type Erasure } from './graph.ts';
import { resolve } from './resolve.ts';
import { defaultIdentityConfig, parseIdentityConfig, type IdentityConfig } from './rules.ts';
import type { Claim, StepResult } from './types.ts';

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
