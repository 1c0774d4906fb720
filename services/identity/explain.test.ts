import { describe, expect, it } from 'vitest';
import { claim, ident } from '../../test/support/builders.ts';
import { IdentityGraph } from './graph.ts';
import { defaultIdentityConfig } from './rules.ts';

function chainGraph(): IdentityGraph {
  // Without the shared-device rule: a1, seen with u1 and u2, stays with u1 and must explain nothing for u2.
  const g = new IdentityGraph({ ...defaultIdentityConfig, contested: { types: [], by: [] } });
  for (const c of [
    claim('m1', 1, 'anonymous_id:a1', 'user_id:u1'),
    claim('m2', 2, 'user_id:u1', 'email:u1@shop.com'),
    claim('m3', 3, 'email:u1@shop.com', 'phone:+14155552671'),
    claim('m4', 4, 'anonymous_id:a9', 'user_id:u2'),
    claim('m5', 5, 'anonymous_id:a1', 'user_id:u2'), // refused: must not explain anything
  ]) g.apply(c);
  return g;
}

describe('explain', () => {
  it.each([
    ['anonymous_id:a1', 'phone:+14155552671', [['user_id:u1', 'm1'], ['email:u1@shop.com', 'm2'], ['phone:+14155552671', 'm3']]],
    ['phone:+14155552671', 'anonymous_id:a1', [['email:u1@shop.com', 'm3'], ['user_id:u1', 'm2'], ['anonymous_id:a1', 'm1']]],
    ['user_id:u1', 'email:u1@shop.com', [['email:u1@shop.com', 'm2']]],
    ['user_id:u1', 'user_id:u1', []],
  ])('%s ↔ %s', (a, b, want) => {
    const chain = chainGraph().explain(ident(a), ident(b));
    expect(chain?.map((l) => [`${l.identifier.type}:${l.identifier.value}`, l.messageId])).toEqual(want);
  });

  it.each([['anonymous_id:a1', 'user_id:u2'], ['user_id:u1', 'anonymous_id:a9'], ['user_id:u1', 'user_id:nobody']])(
    '%s and %s are not in one profile: null', (a, b) => {
      expect(chainGraph().explain(ident(a), ident(b))).toBeNull();
    });

  it('every link of a chain names the profile and the event time', () => {
    const g = chainGraph();
    const chain = g.explain(ident('anonymous_id:a1'), ident('phone:+14155552671')) ?? [];
    expect(chain.map((l) => l.eventTime)).toEqual([1, 2, 3]);
    expect(new Set(chain.map((l) => l.profileId))).toEqual(new Set([g.profileOf(ident('user_id:u1'))]));
  });
});
