import { describe, expect, it } from 'vitest';
import { parseDefinitions, type Definitions } from './definition.ts';
import { checkDefinitions, type Catalog } from './validate.ts';

const catalog: Catalog = { traits: new Set(['plan', 'email']), events: new Set(['Order Completed', 'Product Viewed']), properties: new Set(['sku', 'revenue']) };
const defs = (text: object): Definitions => {
  const p = parseDefinitions(JSON.stringify(text));
  if (!p.ok) throw new Error(JSON.stringify(p.problems));
  return p.definitions;
};
const problems = (text: object, c = catalog) => {
  const r = checkDefinitions(defs(text), c);
  return r.ok ? [] : r.problems.map((p) => `${p.path}: ${p.message}`);
};

describe('checkDefinitions', () => {
  it('orders segments so that references come first', () => {
    const r = checkDefinitions(defs({ segments: [
      { id: 'a', where: { all: [{ segment: 'b' }, { segment: 'c' }] } }, { id: 'b', where: { segment: 'c' } }, { id: 'c', where: { trait: 'plan', eq: 'x' } },
    ] }), catalog);
    expect(r.ok && r.order).toEqual(['c', 'b', 'a']);
  });

  it.each([
    ['an unknown trait, with the near name', { segments: [{ id: 's', where: { trait: 'Plan', eq: 'x' } }] }, ['segments[0] (s).where.trait: unknown trait "Plan"; did you mean "plan"?']],
    ['an unknown event, listing the known ones', { segments: [{ id: 's', where: { events: { event: 'Signed Up' }, count: { gte: 1 } } }] },
      ['segments[0] (s).where.events.event: unknown event "Signed Up"; known: Order Completed, Product Viewed']],
    ['unknown properties in filters and measures', { segments: [{ id: 's', where: { events: { properties: { colour: 'red' } }, sum: { of: 'price', gt: 1 } } }] },
      ['segments[0] (s).where.events.properties.colour: unknown property "colour"; known: revenue, sku', 'segments[0] (s).where.sum.of: unknown property "price"; known: revenue, sku']],
    ['an unknown segment', { segments: [{ id: 's', where: { not: { segment: 'nope' } } }] }, ['segments[0] (s).where.not.segment: unknown segment "nope"; known: s']],
    ['an RFM segment while the family is off', { segments: [{ id: 's', where: { segment: 'rfm-champions' } }] },
      ['segments[0] (s).where.segment: unknown segment "rfm-champions" (the RFM family is off: add rfm: to the file)']],
    ['a cycle', { segments: [{ id: 'a', where: { segment: 'b' } }, { id: 'b', where: { any: [{ segment: 'a' }] } }] },
      ['segments[0] (a): segments reference each other in a cycle: a → b → a']],
    ['a purchase event nobody sends', { rfm: { purchase_events: 'Purchase' }, segments: [] }, ['rfm.purchase_events: unknown event "Purchase"; known: Order Completed, Product Viewed']],
  ])('refuses %s', (_t, text, expected) => expect(problems(text)).toEqual(expected));

  it('accepts names declared under known: before the warehouse has seen them', () => {
    const text = { known: { traits: ['tier'], events: ['Signed Up'] }, segments: [{ id: 's', where: { all: [{ trait: 'tier', eq: 'gold' }, { events: { event: 'Signed Up' }, count: { gte: 1 } }] } }] };
    expect(problems(text)).toEqual([]);
    const empty: Catalog = { traits: new Set(), events: new Set(), properties: new Set() };
    expect(problems({ segments: [{ id: 's', where: { trait: 'plan', eq: 'x' } }] }, empty)).toEqual([
      'segments[0] (s).where.trait: unknown trait "plan" (the warehouse has none yet: declare it under known: if it is on its way)',
    ]);
  });

  it('lets segments reference the RFM family when it is on', () => {
    expect(problems({ rfm: null, segments: [{ id: 's', where: { segment: 'rfm-at-risk' } }] })).toEqual([]);
  });
});

describe('the shipped example (services/segments/examples/segments.yaml)', () => {
  it('parses and is valid against the names it declares', async () => {
    const { readFileSync } = await import('node:fs');
    const p = parseDefinitions(readFileSync(new URL('./examples/segments.yaml', import.meta.url), 'utf8'));
    expect(p.ok ? [] : p.problems).toEqual([]);
    if (!p.ok) return;
    const d = p.definitions;
    const r = checkDefinitions(d, { traits: new Set(d.known.traits), events: new Set(d.known.events), properties: new Set(d.known.properties) });
    expect(r.ok ? [] : r.problems).toEqual([]);
  });
});
