import { describe, expect, it } from 'vitest';
import { claim, ident, touchpoint } from '../../test/support/builders.ts';
import { IdentityGraph } from './graph.ts';
import { extractIdentifiers } from './identifiers.ts';
import { resolve } from './resolve.ts';
import { defaultIdentityConfig, parseIdentityConfig, type IdentityConfig } from './rules.ts';
import type { Claim } from './types.ts';

function configWith(input: unknown): IdentityConfig {
  const parsed = parseIdentityConfig(input);
  if (!parsed.ok) throw new Error(parsed.errors.join('; '));
  return parsed.config;
}

function run(claims: Claim[], config = defaultIdentityConfig): IdentityGraph {
  const g = new IdentityGraph(config);
  for (const c of claims) g.apply(c);
  return g;
}

/** Members of each profile as sorted "type:value" lists, for readable expectations. */
function groups(g: IdentityGraph): string[][] {
  return g.profiles().map((p) => p.identifiers.map((l) => `${l.identifier.type}:${l.identifier.value}`).sort()).sort();
}

interface Scenario { name: string; claims: Claim[]; config?: IdentityConfig; want: string[][] }

/** The defaults without the shared-device rule, for scenarios about limits in which a cookie is incidental. */
const noContest = configWith({ contested: { types: [], by: 'user_id' } });

const scenarios: Scenario[] = [
  {
    name: 'shared family computer: two user_ids on one cookie never merge, and the contested cookie links neither',
    claims: [claim('m1', 1, 'anonymous_id:c1', 'user_id:alice'), claim('m2', 2, 'anonymous_id:c1', 'user_id:bob'), claim('m3', 3, 'anonymous_id:c1')],
    want: [['user_id:alice'], ['user_id:bob']],
  },
  {
    name: 'without the shared-device rule, the earliest login keeps the family cookie',
    config: noContest,
    claims: [claim('m1', 1, 'anonymous_id:c1', 'user_id:alice'), claim('m2', 2, 'anonymous_id:c1', 'user_id:bob')],
    want: [['anonymous_id:c1', 'user_id:alice'], ['user_id:bob']],
  },
  {
    name: 'a cookie seen with two user_ids stays linked when the user_id limit allows two',
    config: configWith({ rules: { user_id: { limit: 2 } } }),
    claims: [claim('m1', 1, 'anonymous_id:c1', 'user_id:u1'), claim('m2', 2, 'anonymous_id:c1', 'user_id:u1b')],
    want: [['anonymous_id:c1', 'user_id:u1', 'user_id:u1b']],
  },
  {
    name: 'login after anonymous browsing joins the cookie history',
    claims: [claim('m1', 1, 'anonymous_id:a1'), claim('m2', 2, 'anonymous_id:a1'), claim('m3', 3, 'anonymous_id:a1', 'user_id:u1'), claim('m4', 4, 'user_id:u1', 'email:u1@shop.com')],
    want: [['anonymous_id:a1', 'email:u1@shop.com', 'user_id:u1']],
  },
  {
    name: 'three-way merge into the oldest profile',
    claims: [claim('m1', 1, 'anonymous_id:a1'), claim('m2', 2, 'anonymous_id:a2'), claim('m3', 3, 'email:x@shop.com'), claim('m4', 4, 'anonymous_id:a1', 'anonymous_id:a2', 'email:x@shop.com')],
    want: [['anonymous_id:a1', 'anonymous_id:a2', 'email:x@shop.com']],
  },
  {
    name: 'email shared by two user_ids stays with the earliest',
    claims: [claim('m1', 1, 'user_id:u1', 'email:family@shop.com'), claim('m2', 2, 'user_id:u2', 'email:family@shop.com')],
    want: [['email:family@shop.com', 'user_id:u1'], ['user_id:u2']],
  },
  {
    name: 'limit conflict leaves the lowest-priority identifier unlinked',
    config: noContest,
    claims: [claim('m1', 1, 'user_id:u1', 'anonymous_id:a1'), claim('m2', 2, 'user_id:u2', 'email:b@shop.com', 'anonymous_id:a1')],
    want: [['anonymous_id:a1', 'user_id:u1'], ['email:b@shop.com', 'user_id:u2']],
  },
  {
    name: 'email limit 1: a second email refuses the weaker cookie, the email links alone',
    config: configWith({ rules: { email: { limit: 1 } }, contested: { types: [], by: [] } }),
    claims: [claim('m1', 1, 'email:e1@shop.com', 'anonymous_id:a1'), claim('m2', 2, 'email:e2@shop.com', 'anonymous_id:a1')],
    want: [['anonymous_id:a1', 'email:e1@shop.com'], ['email:e2@shop.com']],
  },
  {
    name: 'a stronger identifier is kept even when it comes later in the event',
    config: configWith({ rules: { device_id: { limit: 1 } } }),
    claims: [claim('m1', 1, 'device_id:d1', 'anonymous_id:a1'), claim('m2', 2, 'anonymous_id:a2', 'device_id:d2', 'anonymous_id:a1')],
    want: [['anonymous_id:a1', 'device_id:d1'], ['anonymous_id:a2', 'device_id:d2']],
  },
  {
    name: 'hub device seen with more than hubBound cookies stops linking',
    config: configWith({ hubBound: 2 }),
    claims: [claim('m1', 1, 'device_id:tablet', 'anonymous_id:a1'), claim('m2', 2, 'device_id:tablet', 'anonymous_id:a2'), claim('m3', 3, 'device_id:tablet', 'anonymous_id:a3')],
    want: [['anonymous_id:a1'], ['anonymous_id:a2'], ['anonymous_id:a3']],
  },
  {
    name: 'under the hub bound the same device links',
    config: configWith({ hubBound: 3 }),
    claims: [claim('m1', 1, 'device_id:tablet', 'anonymous_id:a1'), claim('m2', 2, 'device_id:tablet', 'anonymous_id:a2'), claim('m3', 3, 'device_id:tablet', 'anonymous_id:a3')],
    want: [['anonymous_id:a1', 'anonymous_id:a2', 'anonymous_id:a3', 'device_id:tablet']],
  },
  {
    name: 'a kiosk seen with six emails and no user id is contested: it glues nobody together',
    claims: [claim('m1', 1, 'device_id:kiosk', 'email:p1@shop.com'), claim('m2', 2, 'device_id:kiosk', 'email:p2@shop.com'), claim('m3', 3, 'device_id:kiosk', 'email:p3@shop.com'), claim('m4', 4, 'device_id:kiosk', 'email:p4@shop.com'), claim('m5', 5, 'device_id:kiosk', 'email:p5@shop.com'), claim('m6', 6, 'device_id:kiosk', 'email:p6@shop.com')],
    want: [1, 2, 3, 4, 5, 6].map((i) => [`email:p${i}@shop.com`]),
  },
  {
    name: 'the same kiosk with the first rule (only user ids contest) glued five people into one profile',
    config: configWith({ contested: { types: ['anonymous_id', 'device_id', 'advertising_id'], by: 'user_id' } }),
    claims: [claim('m1', 1, 'device_id:kiosk', 'email:p1@shop.com'), claim('m2', 2, 'device_id:kiosk', 'email:p2@shop.com'), claim('m3', 3, 'device_id:kiosk', 'email:p3@shop.com'), claim('m4', 4, 'device_id:kiosk', 'email:p4@shop.com'), claim('m5', 5, 'device_id:kiosk', 'email:p5@shop.com'), claim('m6', 6, 'device_id:kiosk', 'email:p6@shop.com')],
    want: [['device_id:kiosk', ...[1, 2, 3, 4, 5].map((i) => `email:p${i}@shop.com`)], ['email:p6@shop.com']],
  },
  {
    name: 'a phone with two emails of one person (under the email limit) stays linked',
    claims: [claim('m1', 1, 'device_id:d1', 'email:work@shop.com'), claim('m2', 2, 'device_id:d1', 'email:home@mail.io'), claim('m3', 3, 'device_id:d1', 'user_id:u1')],
    want: [['device_id:d1', 'email:home@mail.io', 'email:work@shop.com', 'user_id:u1']],
  },
  {
    name: 'a shared tablet seen with two loyalty cards (an external id type limited to one) is contested',
    config: configWith({ rules: { loyalty_id: { limit: 1 } } }),
    claims: [claim('m1', 1, 'device_id:t', 'loyalty_id:L1'), claim('m2', 2, 'device_id:t', 'loyalty_id:L2'), claim('m3', 3, 'device_id:t', 'anonymous_id:a1')],
    want: [['anonymous_id:a1'], ['loyalty_id:L1'], ['loyalty_id:L2']],
  },
  {
    name: 'a cookie seen with two crm ids (any external id type contests, default limit 5) stays linked',
    claims: [claim('m1', 1, 'anonymous_id:a1', 'crm_id:C1'), claim('m2', 2, 'anonymous_id:a1', 'crm_id:C2')],
    want: [['anonymous_id:a1', 'crm_id:C1', 'crm_id:C2']],
  },
  {
    name: 'a late event re-resolves: the earlier login wins the cookie',
    config: noContest,
    claims: [claim('m2', 2, 'anonymous_id:c1', 'user_id:bob'), claim('m1', 1, 'anonymous_id:c1', 'user_id:alice')],
    want: [['anonymous_id:c1', 'user_id:alice'], ['user_id:bob']],
  },
];

describe('IdentityGraph scenarios', () => {
  it.each(scenarios)('$name', ({ claims, config = defaultIdentityConfig, want }) => {
    expect(groups(run(claims, config))).toEqual(want);
    expect(groups(run([...claims].reverse(), config))).toEqual(want);
    expect(run(claims, config).profiles()).toEqual(resolve(claims, config));
  });
});

describe('apply outputs', () => {
  it('creates, extends, and reports the event profile and primary identifier', () => {
    const g = new IdentityGraph(defaultIdentityConfig);
    const first = g.apply(claim('m1', 1, 'anonymous_id:a1'));
    const login = g.apply(claim('m2', 2, 'anonymous_id:a1', 'user_id:u1'));
    expect(login.profileId).toBe(first.profileId);
    expect(login.primaryIdentifier).toEqual(ident('user_id:u1'));
    expect(login.links).toEqual([{ identifier: ident('user_id:u1'), profileId: first.profileId, messageId: 'm2', eventTime: 2 }]);
    expect(login.merges).toEqual([]);
    expect(login.profiles.map((p) => p.kind)).toEqual(['upsert']);
    expect(login.changelog).toHaveLength(1);
  });

  it('reports merges from the younger profiles into the survivor, with the causing event', () => {
    const g = new IdentityGraph(defaultIdentityConfig);
    const p1 = g.apply(claim('m1', 1, 'anonymous_id:a1')).profileId;
    const p2 = g.apply(claim('m2', 2, 'anonymous_id:a2')).profileId;
    const p3 = g.apply(claim('m3', 3, 'email:x@shop.com')).profileId;
    const step = g.apply(claim('m4', 4, 'anonymous_id:a1', 'anonymous_id:a2', 'email:x@shop.com'));
    expect(step.profileId).toBe(p1);
    expect(step.merges).toHaveLength(2);
    expect(step.merges).toEqual(expect.arrayContaining([{ from: p2, into: p1, messageId: 'm4', eventTime: 4 }, { from: p3, into: p1, messageId: 'm4', eventTime: 4 }]));
    expect(step.profiles.filter((p) => p.kind === 'merged')).toHaveLength(2);
    expect(g.profile(p2 ?? '')).toBeNull();
  });

  it('records refusals with code, reason and the profile holding the identifier', () => {
    const g = new IdentityGraph(noContest);
    const alice = g.apply(claim('m1', 1, 'anonymous_id:c1', 'user_id:alice')).profileId;
    const step = g.apply(claim('m2', 2, 'anonymous_id:c1', 'user_id:bob'));
    expect(step.profileId).not.toBe(alice);
    expect(step.refusals).toEqual([expect.objectContaining({ identifier: ident('anonymous_id:c1'), code: 'LIMIT_EXCEEDED', profileId: alice, messageId: 'm2' })]);
    expect(step.refusals[0]?.reason).toMatch(/user_id.*limit 1/);
  });

  it('reports hub identifiers as refusals', () => {
    const g = new IdentityGraph(configWith({ hubBound: 1 }));
    g.apply(claim('m1', 1, 'device_id:tablet', 'anonymous_id:a1'));
    const step = g.apply(claim('m2', 2, 'device_id:tablet', 'anonymous_id:a2'));
    expect(step.refusals.map((r) => r.code)).toEqual(['HUB_IDENTIFIER']);
    expect(g.stats().hubs).toBe(1);
    expect(g.profileOf(ident('device_id:tablet'))).toBeNull();
    expect(step.moves).toEqual([expect.objectContaining({ identifier: ident('device_id:tablet'), to: null })]);
  });

  it('reports a contested shared-device cookie as a refusal and unlinks it from the first login', () => {
    const g = new IdentityGraph(defaultIdentityConfig);
    const alice = g.apply(claim('m1', 1, 'anonymous_id:c1', 'user_id:alice')).profileId;
    const step = g.apply(claim('m2', 2, 'anonymous_id:c1', 'user_id:bob'));
    expect(step.refusals).toEqual([expect.objectContaining({ identifier: ident('anonymous_id:c1'), code: 'HUB_IDENTIFIER', messageId: 'm2' })]);
    expect(step.refusals[0]?.reason).toMatch(/shared device/);
    expect(step.moves).toEqual([expect.objectContaining({ identifier: ident('anonymous_id:c1'), from: alice, to: null })]);
    expect(g.profileOf(ident('anonymous_id:c1'))).toBeNull();
    expect(g.apply(claim('m3', 3, 'anonymous_id:c1')).profileId).toBeNull();
  });

  it('a late event reports the moves and deletions it causes', () => {
    const g = new IdentityGraph(noContest);
    const bob = g.apply(claim('m2', 2, 'anonymous_id:c1', 'user_id:bob')).profileId;
    const late = g.apply(claim('m1', 1, 'anonymous_id:c1', 'user_id:alice'));
    expect(late.moves).toEqual([{ identifier: ident('anonymous_id:c1'), from: bob, to: late.profileId, messageId: 'm1', eventTime: 1 }]);
    expect(g.profileOf(ident('user_id:bob'))).not.toBe(late.profileId);
    expect(g.profileOf(ident('anonymous_id:c1'))).toBe(late.profileId);
  });

  it('an event without identifiers resolves to nothing', () => {
    const step = new IdentityGraph(defaultIdentityConfig).apply(claim('m1', 1));
    expect(step).toEqual({ profileId: null, primaryIdentifier: null, links: [], merges: [], refusals: [], moves: [], profiles: [], changelog: [] });
  });
});

describe('determinism and idempotence', () => {
  const claims = [
    claim('m1', 5, 'anonymous_id:a1'), claim('m2', 3, 'anonymous_id:a1', 'user_id:u1'), claim('m3', 4, 'anonymous_id:a2', 'user_id:u2'),
    claim('m4', 1, 'anonymous_id:a2', 'user_id:u1'), claim('m5', 6, 'email:e@shop.com', 'user_id:u2'),
  ];

  it('replaying the same events gives identical outputs', () => {
    const a = new IdentityGraph(defaultIdentityConfig), b = new IdentityGraph(defaultIdentityConfig);
    expect(claims.map((c) => a.apply(c))).toEqual(claims.map((c) => b.apply(c)));
    expect(a.changelog()).toEqual(b.changelog());
  });

  it('re-applying a claim changes nothing the second time', () => {
    const g = new IdentityGraph(defaultIdentityConfig);
    for (const c of claims) {
      const first = g.apply(c);
      const state = g.profiles();
      const again = g.apply(c);
      expect(again).toEqual({ ...first, links: [], merges: [], moves: [], profiles: [], changelog: [], holders: undefined });
      expect(g.profiles()).toEqual(state);
    }
  });

  it('a later copy of a known identifier set changes nothing; an earlier one re-keys the claim', () => {
    const g = new IdentityGraph(defaultIdentityConfig);
    g.apply(claim('m1', 10, 'anonymous_id:a1', 'user_id:u1'));
    expect(g.apply(claim('m9', 20, 'user_id:u1', 'anonymous_id:a1')).changelog).toEqual([]);
    const earlier = g.apply(claim('m0', 5, 'user_id:u1', 'anonymous_id:a1'));
    expect(earlier.changelog.map((r) => r.value?.messageId)).toEqual(['m0']);
    expect(g.stats()).toEqual({ identifiers: 2, profiles: 1, claims: 1, hubs: 0 });
  });
});

describe('alias chains through extraction', () => {
  it('links every previousId of an alias chain to the final user', () => {
    const tps = [
      touchpoint({ anonymousId: 'a0', timestamp: 1 }),
      touchpoint({ type: 'alias', anonymousId: 'a1', previousId: 'a0', timestamp: 2 }),
      touchpoint({ type: 'alias', userId: 'u1', anonymousId: 'a2', previousId: 'a1', timestamp: 3 }),
      touchpoint({ anonymousId: 'a2', traits: { email: 'U1@Shop.com' }, timestamp: 4 }),
    ];
    const g = run(tps.map((tp) => ({ messageId: tp.messageId, eventTime: tp.timestamp, identifiers: extractIdentifiers(tp, defaultIdentityConfig).identifiers })));
    expect(groups(g)).toEqual([['anonymous_id:a0', 'anonymous_id:a1', 'anonymous_id:a2', 'email:u1@shop.com', 'user_id:u1']]);
  });

  it('blocked placeholders never glue strangers together', () => {
    const tps = [
      touchpoint({ userId: 'u1', anonymousId: 'undefined', context: null, traits: { email: 'test@test.com' } }),
      touchpoint({ userId: 'u2', anonymousId: 'undefined', traits: { email: 'test@test.com', phone: '0' } }),
      touchpoint({ anonymousId: 'a3', externalIds: [{ type: 'crm_id', id: 'null', collection: null }] }),
    ];
    const g = run(tps.map((tp) => ({ messageId: tp.messageId, eventTime: tp.timestamp, identifiers: extractIdentifiers(tp, defaultIdentityConfig).identifiers })));
    expect(groups(g)).toEqual([['anonymous_id:a3'], ['user_id:u1'], ['user_id:u2']]);
  });
});
