import { describe, expect, it } from 'vitest';
import { IdentityGraph } from './graph.ts';
import { defaultIdentityConfig } from './rules.ts';
import type { Claim } from './types.ts';

/** n events, each a user with one external id: of n different types, or all of one type. */
function events(n: number, manyTypes: boolean): Claim[] {
  return Array.from({ length: n }, (_, i) => ({
    messageId: `m${i}`, eventTime: i,
    identifiers: [{ type: 'user_id', value: `u${i}` }, { type: manyTypes ? `ext_${i}` : 'crm_id', value: `x${i}` }],
  }));
}

describe('client-chosen identifier types cost nothing per type', () => {
  it('the per-profile count table does not grow with the number of types ever seen', () => {
    const one = new IdentityGraph(defaultIdentityConfig), many = new IdentityGraph(defaultIdentityConfig);
    for (const c of events(400, false)) one.apply(c);
    for (const c of events(400, true)) many.apply(c);
    expect(many.footprint().types - one.footprint().types).toBe(399);
    expect(many.stats()).toEqual(one.stats());
    // One sparse cell per profile for its own type, against one dense cell of crm_id: the same count, whatever
    // the number of types (a table laid out per type would hold 400 × 400 cells here).
    expect(many.footprint().countCells).toBe(one.footprint().countCells);
  });

  it('limits of invented types still hold, also when profiles holding them merge', () => {
    const g = new IdentityGraph(defaultIdentityConfig);
    for (let i = 0; i < 7; i++) g.apply({ messageId: `m${i}`, eventTime: i, identifiers: [{ type: 'user_id', value: 'u1' }, { type: 'loyalty_id', value: `L${i}` }] });
    const p = g.profileOf({ type: 'user_id', value: 'u1' });
    const held = g.profile(p ?? '')?.identifiers.filter((l) => l.identifier.type === 'loyalty_id');
    expect(held?.map((l) => l.identifier.value)).toEqual(['L0', 'L1', 'L2', 'L3', 'L4']); // defaultRule limit 5
    const step = g.apply({ messageId: 'm9', eventTime: 9, identifiers: [{ type: 'user_id', value: 'u1' }, { type: 'loyalty_id', value: 'L6' }] });
    expect(step.refusals.map((r) => [r.code, r.reason])).toEqual([['LIMIT_EXCEEDED', expect.stringContaining('5 loyalty_id values (limit 5)')]]);
  });
});
