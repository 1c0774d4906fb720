import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { str } from '../kit/sql.ts';
import { compileContext, conditionSql, float, segmentSql } from './compile.ts';
import { parseDefinitions, type Condition, type Definitions } from './definition.ts';

const asOf = Date.UTC(2026, 5, 11) / 1000; // 1781136000
const defs = (segments: unknown[], extra: object = {}): Definitions => {
  const p = parseDefinitions(JSON.stringify({ ...extra, segments }));
  if (!p.ok) throw new Error(JSON.stringify(p.problems));
  return p.definitions;
};
const cond = (where: unknown): string => {
  const d = defs([{ id: 's', where }, { id: 'other', where: { trait: 'plan', eq: 'pro' } }]);
  return conditionSql((d.segments[0] as { where: Condition }).where, compileContext('db', asOf, d));
};

describe('conditionSql', () => {
  it.each([
    ['trait equals', { trait: 'plan', eq: 'pro' },
      "profile_id IN (SELECT profile_id FROM db.profile_traits_current WHERE trait = 'plan' AND value = 'pro')"],
    ['trait not equal: NOT IN, so profiles without the trait are in', { trait: 'plan', ne: 'pro' },
      "profile_id NOT IN (SELECT profile_id FROM db.profile_traits_current WHERE trait = 'plan' AND value = 'pro')"],
    ['trait missing', { trait: 'plan', missing: true },
      "profile_id NOT IN (SELECT profile_id FROM db.profile_traits_current WHERE trait = 'plan' AND value != '')"],
    ['trait as a number', { trait: 'age', between: [18, 30.5] },
      "profile_id IN (SELECT profile_id FROM db.profile_traits_current WHERE trait = 'age' AND toFloat64OrNull(value) BETWEEN 18 AND 30.5)"],
    ['trait values are escaped', { trait: "it's", starts_with: "a'\\b" },
      "profile_id IN (SELECT profile_id FROM db.profile_traits_current WHERE trait = 'it\\'s' AND startsWith(value, 'a\\'\\\\b'))"],
    ['aggregate where 0 fails: IN', { aggregate: 'revenue', gt: 100 },
      'profile_id IN (SELECT profile_id FROM (SELECT profile_id, revenue AS x FROM db.profile_activity_totals) WHERE x > 100)'],
    ['aggregate where 0 passes: NOT IN the profiles that fail', { aggregate: 'events', lte: 3 },
      'profile_id NOT IN (SELECT profile_id FROM (SELECT profile_id, events AS x FROM db.profile_activity_totals) WHERE NOT (x <= 3))'],
    ['last seen within, relative to the instant', { aggregate: 'last_seen', within: '1d' },
      'profile_id IN (SELECT profile_id FROM db.profile_activity_totals WHERE last_seen > toDateTime(1781049600))'],
    ['countries has none', { aggregate: 'countries', has_none: ['DE', 'AT'] },
      "profile_id NOT IN (SELECT profile_id FROM db.profile_activity_totals WHERE hasAny(countries, ['DE', 'AT']))"],
    ['events in a window', { events: { event: 'Order Completed', properties: { sku: 'a1' } }, within: '1d', count: { gte: 2 } },
      "profile_id IN (SELECT profile_id FROM (SELECT current_profile_id AS profile_id, count() AS x FROM db.events_current WHERE current_profile_id != '' AND event IN ('Order Completed') AND property_values[indexOf(property_keys, 'sku')] IN ('a1') AND event_time > toDateTime(1781049600) AND event_time <= toDateTime(1781136000) GROUP BY profile_id) WHERE x >= 2)"],
    ['distinct property values, all time up to the instant', { events: { source: 'web' }, distinct: { of: 'product_id', gte: 3 } },
      "profile_id IN (SELECT profile_id FROM (SELECT current_profile_id AS profile_id, uniqExact(property_values[indexOf(property_keys, 'product_id')]) AS x FROM db.events_current WHERE current_profile_id != '' AND source IN ('web') AND property_values[indexOf(property_keys, 'product_id')] != '' AND event_time <= toDateTime(1781136000) GROUP BY profile_id) WHERE x >= 3)"],
    ['device', { device: ['mobile', 'tablet'] },
      "profile_id IN (SELECT DISTINCT current_profile_id FROM db.events_current WHERE current_profile_id != '' AND device_type IN ('mobile', 'tablet') AND event_time <= toDateTime(1781136000))"],
    ['segment reference inlines its SELECT', { segment: 'other' },
      "profile_id IN (SELECT profile_id FROM db.profiles FINAL WHERE state = 'active' AND (profile_id IN (SELECT profile_id FROM db.profile_traits_current WHERE trait = 'plan' AND value = 'pro')))"],
    ['all / any / not', { all: [{ device: 'tv' }, { not: { any: [{ segment: 'other' }] } }] },
      "(profile_id IN (SELECT DISTINCT current_profile_id FROM db.events_current WHERE current_profile_id != '' AND device_type IN ('tv') AND event_time <= toDateTime(1781136000))) AND (NOT (profile_id IN (SELECT profile_id FROM db.profiles FINAL WHERE state = 'active' AND (profile_id IN (SELECT profile_id FROM db.profile_traits_current WHERE trait = 'plan' AND value = 'pro')))))"],
  ])('%s', (_t, where, sql) => expect(cond(where)).toBe(sql));

  it('location tests the latest located event', () => {
    expect(cond({ location: { country: 'DE', city: ['Berlin'] } })).toContain("tupleElement(loc, 1) IN ('DE') AND tupleElement(loc, 3) IN ('Berlin')");
    expect(cond({ location: { country: 'DE' } })).toContain('argMax(tuple(country, region, city), event_ms) AS loc');
  });

  it('rfm bands the scores of the RFM SQL', () => {
    const sql = cond({ rfm: { r: [4, 5], m: 5 } });
    expect(sql).toMatch(/^profile_id IN \(SELECT profile_id FROM \(SELECT profile_id, recency_days, frequency, monetary, r, f, .*\) WHERE r BETWEEN 4 AND 5 AND m BETWEEN 5 AND 5\)$/s);
    expect(sql).toContain("event IN ('Order Completed')");
    expect(sql).toContain(`event_time > toDateTime(${asOf - 365 * 86_400})`);
  });

  it('escapes every trait name and value (no value can end its literal)', () => {
    fc.assert(fc.property(fc.string({ minLength: 1 }), fc.string(), (trait, value) => {
      const sql = cond({ trait, eq: value });
      expect(sql).toBe(`profile_id IN (SELECT profile_id FROM db.profile_traits_current WHERE trait = ${str(trait)} AND value = ${str(value)})`);
    }));
  });

  it('is deterministic', () => {
    fc.assert(fc.property(fc.constantFrom<unknown>({ trait: 'a', in: ['x', 'y'] }, { aggregate: 'sessions', ne: 0 }, { device: 'mobile', within: '2w' }), (where) => {
      expect(cond(where)).toBe(cond(where));
    }));
  });
});

describe('segmentSql', () => {
  it('wraps conditions in the active profiles, so merged-away profiles are never members', () => {
    const d = defs([{ id: 'pro', where: { trait: 'plan', eq: 'pro' } }]);
    expect(segmentSql('pro', compileContext('db', asOf, d))).toBe(
      "SELECT profile_id FROM db.profiles FINAL WHERE state = 'active' AND (profile_id IN (SELECT profile_id FROM db.profile_traits_current WHERE trait = 'plan' AND value = 'pro'))");
  });

  it('runs an analyst\'s SQL with {db} replaced, intersected with the active profiles', () => {
    const d = defs([{ id: 'q', sql: 'SELECT profile_id FROM {db}.profile_activity_totals WHERE revenue > 10' }]);
    expect(segmentSql('q', compileContext('db', asOf, d))).toBe(
      "SELECT profile_id FROM db.profiles FINAL WHERE state = 'active' AND (profile_id IN (SELECT profile_id FROM (SELECT profile_id FROM db.profile_activity_totals WHERE revenue > 10)))");
  });

  it('compiles the RFM family when the file enables it', () => {
    const ctx = compileContext('db', asOf, defs([], { rfm: null }));
    expect([...ctx.segments.keys()]).toContain('rfm-champions');
    expect(segmentSql('rfm-champions', ctx)).toContain('WHERE r BETWEEN 4 AND 5 AND f BETWEEN 4 AND 5');
  });

  it.each([['unknown', [], 'unknown segment x'], ['cyclic', [{ id: 'x', where: { segment: 'x' } }], 'segment cycle x → x']])(
    'throws on %s references (validate first)', (_t, segments, message) => {
      expect(() => segmentSql('x', compileContext('db', asOf, defs(segments)))).toThrow(message);
    });

  it('refuses a database name that is not a plain identifier', () => {
    expect(() => segmentSql('pro', compileContext('db; DROP', asOf, defs([{ id: 'pro', where: { device: 'x' } }])))).toThrow(/plain identifier/);
  });
});

describe('float', () => {
  it.each([[1, '1'], [12.5, '12.5'], [-0, '0'], [1e-7, '1e-7']])('%s → %s', (n, s) => expect(float(n)).toBe(s));
  it.each([NaN, Infinity])('refuses %s', (n) => expect(() => float(n)).toThrow());
});
