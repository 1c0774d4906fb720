import { describe, expect, it } from 'vitest';
import { durationSeconds, parseDefinitions, type Condition } from './definition.ts';

/** The one segment's condition of a file holding `where` (YAML flow or JSON). */
function condition(where: unknown): Condition {
  const p = parseDefinitions(JSON.stringify({ segments: [{ id: 's', where }] }));
  if (!p.ok) throw new Error(JSON.stringify(p.problems));
  const s = p.definitions.segments[0]!;
  if (s.kind !== 'rules') throw new Error('expected rules');
  return s.where;
}

function problems(text: string): string[] {
  const p = parseDefinitions(text);
  return p.ok ? [] : p.problems.map((x) => `${x.path}: ${x.message}`);
}

describe('durationSeconds', () => {
  it.each([['30d', 2_592_000], ['12h', 43_200], ['2w', 1_209_600], ['90m', 5_400], ['0d', null], ['3 days', null], ['d', null], ['-1d', null]])(
    '%s → %s', (text, seconds) => expect(durationSeconds(text)).toBe(seconds));
});

describe('parseDefinitions: conditions', () => {
  it.each<[string, unknown, Condition]>([
    ['trait equals (numbers read as text)', { trait: 'age', eq: 42 }, { kind: 'trait', trait: 'age', test: { op: 'eq', value: '42' } }],
    ['trait in', { trait: 'plan', in: ['pro', 'team'] }, { kind: 'trait', trait: 'plan', test: { op: 'in', values: ['pro', 'team'] } }],
    ['trait not in a single value', { trait: 'plan', not_in: 'free' }, { kind: 'trait', trait: 'plan', test: { op: 'not_in', values: ['free'] } }],
    ['trait missing', { trait: 'plan', missing: true }, { kind: 'trait', trait: 'plan', test: { op: 'missing' } }],
    ['trait compared as a number', { trait: 'age', gte: 18 }, { kind: 'trait', trait: 'age', test: { op: 'number', test: { op: 'gte', value: 18 } } }],
    ['aggregate between', { aggregate: 'revenue', between: [10, 20] }, { kind: 'aggregate', aggregate: 'revenue', test: { op: 'between', low: 10, high: 20 } }],
    ['aggregate within', { aggregate: 'last_seen', within: '7d' }, { kind: 'aggregate', aggregate: 'last_seen', test: { op: 'within', seconds: 604_800 } }],
    ['aggregate before a date', { aggregate: 'first_seen', before: '2026-01-31' }, { kind: 'aggregate', aggregate: 'first_seen', test: { op: 'before', at: Date.UTC(2026, 0, 31) / 1000 } }],
    ['aggregate list has', { aggregate: 'countries', has: 'DE' }, { kind: 'aggregate', aggregate: 'countries', test: { op: 'has', values: ['DE'] } }],
    ['last channel', { aggregate: 'last_channel', in: ['ios', 'android'] }, { kind: 'aggregate', aggregate: 'last_channel', test: { op: 'in', values: ['ios', 'android'] } }],
    ['events count in a window', { events: { event: 'Order Completed', properties: { sku: ['a', 'b'] } }, within: '30d', count: { gte: 2 } },
      { kind: 'events', filter: { columns: { event: ['Order Completed'] }, properties: { sku: ['a', 'b'] } }, withinSeconds: 2_592_000, measure: { kind: 'count' }, test: { op: 'gte', value: 2 } }],
    ['events sum of a property', { events: { source: 'web' }, sum: { of: 'price', lt: 5 } },
      { kind: 'events', filter: { columns: { source: ['web'] }, properties: {} }, withinSeconds: null, measure: { kind: 'sum', of: { property: 'price' } }, test: { op: 'lt', value: 5 } }],
    ['location', { location: { country: ['DE', 'AT'], city: 'Berlin' } }, { kind: 'location', country: ['DE', 'AT'], region: null, city: ['Berlin'], withinSeconds: null }],
    ['device', { device: 'mobile', within: '1w' }, { kind: 'device', types: ['mobile'], withinSeconds: 604_800 }],
    ['rfm', { rfm: { r: [4, 5], m: 5 } }, { kind: 'rfm', r: { low: 4, high: 5 }, f: null, m: { low: 5, high: 5 } }],
    ['nested all / any / not', { all: [{ segment: 'a' }, { any: [{ segment: 'b' }, { not: { segment: 'c' } }] }] },
      { kind: 'all', of: [{ kind: 'segment', segment: 'a' }, { kind: 'any', of: [{ kind: 'segment', segment: 'b' }, { kind: 'not', of: { kind: 'segment', segment: 'c' } }] }] }],
  ])('%s', (_t, where, expected) => expect(condition(where)).toEqual(expected));

  it.each([
    ['no test', { trait: 'plan' }, 'segments[0] (s).where: needs one test: eq, ne, in'],
    ['two tests', { trait: 'plan', eq: 'a', ne: 'b' }, 'segments[0] (s).where: has several tests (eq, ne)'],
    ['unknown key', { trait: 'plan', equals: 'pro' }, 'segments[0] (s).where: Unrecognized key: "equals"'],
    ['mixed kinds', { trait: 'plan', segment: 'x' }, 'segments[0] (s).where: mixes trait and segment'],
    ['not a condition', { plan: 'pro' }, 'segments[0] (s).where: unknown condition (keys plan)'],
    ['unknown aggregate', { aggregate: 'revenu', gt: 1 }, 'segments[0] (s).where.aggregate: unknown aggregate; known: events'],
    ['a test that does not apply', { aggregate: 'revenue', within: '3d' }, 'segments[0] (s).where: within does not apply to revenue'],
    ['a number that is text', { aggregate: 'revenue', eq: 'lots' }, 'segments[0] (s).where.eq: revenue is a number'],
    ['bad duration', { device: 'mobile', within: '3 days' }, 'segments[0] (s).where.within: expected a duration'],
    ['no measure', { events: { event: 'x' } }, 'segments[0] (s).where: needs one measure: count, sum or distinct'],
    ['unknown event field', { events: { evnt: 'x' }, count: { gte: 1 } }, 'segments[0] (s).where.events.evnt: unknown event field'],
    ['empty location', { location: {} }, 'segments[0] (s).where.location: give at least one of country, region, city'],
    ['rfm score out of range', { rfm: { r: 6 } }, 'segments[0] (s).where.rfm.r: expected a score 1-5'],
    ['between upside down', { aggregate: 'events', between: [5, 1] }, 'segments[0] (s).where.between: low must not be above high'],
    ['empty all', { all: [] }, 'segments[0] (s).where.all: list must not be empty'],
    ['a bad condition deep inside', { all: [{ segment: 'a' }, { not: { trait: 'x' } }] }, 'segments[0] (s).where.all[1].not: needs one test'],
  ])('refuses %s', (_t, where, message) => {
    expect(problems(JSON.stringify({ segments: [{ id: 's', where }] })).join('\n')).toContain(message);
  });
});

describe('parseDefinitions: the file', () => {
  it('reads YAML, with defaults for names, known names and RFM', () => {
    const p = parseDefinitions(`
known: { traits: [plan] }
rfm:
segments:
  - id: pro
    where: { trait: plan, eq: pro }
  - id: sql-one
    name: From SQL
    sql: SELECT profile_id FROM {db}.profiles;
`);
    expect(p).toEqual({
      ok: true,
      definitions: {
        segments: [
          { id: 'pro', name: 'pro', description: '', kind: 'rules', where: { kind: 'trait', trait: 'plan', test: { op: 'eq', value: 'pro' } } },
          { id: 'sql-one', name: 'From SQL', description: '', kind: 'sql', sql: 'SELECT profile_id FROM {db}.profiles' },
        ],
        known: { traits: ['plan'], events: [], properties: [] },
        rfm: { purchaseEvents: ['Order Completed'], withinSeconds: 365 * 86_400 },
      },
    });
  });

  it('leaves RFM off without an rfm: block', () => {
    const p = parseDefinitions('segments: []');
    expect(p.ok && p.definitions.rfm).toBeNull();
  });

  it('lists every problem of a file at once, including conditions of segments whose own fields are wrong', () => {
    expect(problems(`
version: 2
colour: blue
segments:
  - id: Bad Id
    where: { trait: x }
  - id: dup
    where: { segment: a }
  - id: dup
    sql: DELETE FROM x
  - id: rfm-mine
    where: { segment: a }
  - id: neither
  - id: two
    sql: SELECT 1; DROP TABLE x
`)).toEqual([
      'version: version must be 1',
      '(file): Unrecognized key: "colour"',
      'segments[0].id: ids are lower-case letters, digits, - and _ (at most 63), starting with a letter or digit',
      'segments[0].where: needs one test: eq, ne, in, not_in, contains, starts_with, exists, missing, gt, gte, lt, lte, between',
      'segments[2] (dup).id: duplicate id; segments[1] has it too',
      'segments[2] (dup).sql: must be a SELECT (or WITH … SELECT) returning a profile_id column',
      'segments[3] (rfm-mine).id: ids starting with rfm- are the built-in RFM family\'s',
      'segments[4] (neither): needs exactly one of where (conditions) or sql (a SELECT returning profile_id)',
      'segments[5] (two).sql: must be one statement (no ;)',
    ]);
  });

  it.each([
    ['not YAML', 'segments: [', '(file): not YAML or JSON'],
    ['duplicate keys', 'segments: []\nsegments: []', '(file): not YAML or JSON'],
    ['segments not a list', 'segments: 3', 'segments: expected a list of segments'],
  ])('refuses %s', (_t, text, message) => expect(problems(text).join('\n')).toContain(message));
});
