import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planRefresh, type RefreshInput } from './membership.ts';

const at = 5_000;
const input = (o: Partial<RefreshInput>): RefreshInput => ({ at, evaluated: new Map(), retired: [], previous: new Map(), survivors: new Map(), ...o });
const members = (entries: Record<string, number>) => new Map(Object.entries(entries));

describe('planRefresh', () => {
  it('enters new members, exits old ones, and leaves stayers alone', () => {
    const plan = planRefresh(input({
      evaluated: new Map([['vip', new Set(['p2', 'p3'])]]),
      previous: new Map([['vip', members({ p1: 100, p2: 200 })], ['other', members({ p1: 50 })]]),
    }));
    expect(plan.changes).toEqual([
      { segmentId: 'vip', profileId: 'p1', change: 'exited', at, reason: 'rule', enteredAt: 100 },
      { segmentId: 'vip', profileId: 'p3', change: 'entered', at, reason: 'rule', enteredAt: at },
    ]);
    // Each affected profile's record holds its complete membership, including segments this refresh did not touch.
    expect(plan.records).toEqual([
      { profileId: 'p1', segments: [{ segmentId: 'other', enteredAt: 50 }], changes: [{ segmentId: 'vip', change: 'exited', at, reason: 'rule' }], mergedInto: null, refreshedAt: at },
      { profileId: 'p3', segments: [{ segmentId: 'vip', enteredAt: at }], changes: [{ segmentId: 'vip', change: 'entered', at, reason: 'rule' }], mergedInto: null, refreshedAt: at },
    ]);
  });

  it('says a merged-away profile left because of the merge, and names its survivor', () => {
    const plan = planRefresh(input({
      evaluated: new Map([['vip', new Set(['survivor'])]]),
      previous: new Map([['vip', members({ gone: 1 })]]),
      survivors: new Map([['gone', 'survivor']]),
    }));
    expect(plan.records).toEqual([
      { profileId: 'gone', segments: [], changes: [{ segmentId: 'vip', change: 'exited', at, reason: 'merged' }], mergedInto: 'survivor', refreshedAt: at },
      { profileId: 'survivor', segments: [{ segmentId: 'vip', enteredAt: at }], changes: [{ segmentId: 'vip', change: 'entered', at, reason: 'rule' }], mergedInto: null, refreshedAt: at },
    ]);
  });

  it('empties retired segments', () => {
    const plan = planRefresh(input({ retired: ['old'], previous: new Map([['old', members({ p1: 1, p2: 2 })]]) }));
    expect(plan.changes.map((c) => [c.profileId, c.change, c.reason])).toEqual([['p1', 'exited', 'retired'], ['p2', 'exited', 'retired']]);
  });

  const world = fc.record({
    before: fc.dictionary(fc.constantFrom('a', 'b', 'c'), fc.uniqueArray(fc.constantFrom('p1', 'p2', 'p3', 'p4', 'p5'))),
    now: fc.dictionary(fc.constantFrom('a', 'b', 'c'), fc.uniqueArray(fc.constantFrom('p1', 'p2', 'p3', 'p4', 'p5'))),
  });
  const toPrevious = (d: Record<string, string[]>) => new Map(Object.entries(d).filter(([, ps]) => ps.length > 0).map(([s, ps]) => [s, new Map(ps.map((p) => [p, 1]))]));

  it('property: applying the changes to the previous membership gives the evaluated one, and re-planning from it changes nothing', () => {
    fc.assert(fc.property(world, ({ before, now }) => {
      const evaluated = new Map(Object.entries(now).map(([s, ps]) => [s, new Set(ps)]));
      const previous = toPrevious(before);
      const plan = planRefresh(input({ evaluated, previous }));
      const after = new Map([...previous].map(([s, m]) => [s, new Map(m)]));
      for (const c of plan.changes) {
        const m = after.get(c.segmentId) ?? new Map<string, number>();
        after.set(c.segmentId, m);
        if (c.change === 'entered') m.set(c.profileId, c.at); else m.delete(c.profileId);
      }
      for (const [s, ps] of evaluated) expect([...(after.get(s)?.keys() ?? [])].sort()).toEqual([...ps].sort());
      expect(planRefresh(input({ at: at + 1, evaluated, previous: after })).changes).toEqual([]);
      // One record per changed profile, holding exactly its memberships after the refresh.
      for (const r of plan.records) {
        expect(r.segments.map((x) => x.segmentId)).toEqual([...after].filter(([, m]) => m.has(r.profileId)).map(([s]) => s).sort());
      }
      expect(plan.records.map((r) => r.profileId)).toEqual([...new Set(plan.changes.map((c) => c.profileId))].sort());
    }));
  });
});
