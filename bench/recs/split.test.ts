import { describe, expect, it } from 'vitest';
import { defaultRecommendOptions } from '../../services/recommend/sql.ts';
import { touchpoint } from '../../test/support/builders.ts';
import { atK, meanAtK } from './metrics.ts';
import { holdOut, itemsOf, type Interaction } from './split.ts';

const o = defaultRecommendOptions;

describe('itemsOf', () => {
  it.each([
    ['a view by product_id', touchpoint({ event: 'Product Viewed', properties: { product_id: 'p1', sku: 's1' } }), { items: ['p1'], weight: 1 }],
    ['a cart add by sku', touchpoint({ event: 'Product Added', properties: { sku: 's1' } }), { items: ['s1'], weight: 3 }],
    ['an order\'s products list', touchpoint({ event: 'Order Completed', properties: { products: '[{"product_id":"a","price":3},{"product_id": "b"}]' } }), { items: ['a', 'b'], weight: 5 }],
    ['another event', touchpoint({ event: 'Signed Up', properties: { product_id: 'p1' } }), null],
    ['a page call', touchpoint({ type: 'page', event: null, properties: { product_id: 'p1' } }), null],
    ['a view without an item', touchpoint({ event: 'Product Viewed', properties: { product: 'Tile' } }), null],
  ])('%s', (_t, t, expected) => expect(itemsOf(t, o)).toEqual(expected));
});

const x = (person: number, time: number, item: string, messageId = `m${person}-${time}`): Interaction =>
  ({ messageId, time, person, cookie: `c${person}-${time < 5 ? 'a' : 'b'}`, profile: `P${person}`, item, weight: 1 });

describe('holdOut', () => {
  it('holds out each person\'s latest interactions, serves the keys of the first held-out one, and targets only new items', () => {
    const s = holdOut([x(1, 1, 'a'), x(1, 2, 'b'), x(1, 3, 'c'), x(1, 4, 'd'), x(1, 6, 'a'), x(1, 7, 'e'), x(2, 1, 'a'), x(2, 2, 'b')], 0.3, 5);
    expect(s.train.map((i) => `${i.person}${i.item}`)).toEqual(['1a', '1b', '1c', '1d', '2a', '2b']);
    expect(s.people).toEqual([{ person: 1, cookie: 'c1-b', profile: 'P1', seen: new Set(['a', 'b', 'c', 'd']), targets: new Set(['e']) }]);
  });

  it('keeps the items of one event (an order) on one side of the cut', () => {
    const s = holdOut([x(1, 1, 'a'), x(1, 2, 'b'), x(1, 3, 'c'), x(1, 4, 'd', 'order'), x(1, 4, 'e', 'order')], 0.2, 5);
    expect(s.people[0]!.targets).toEqual(new Set(['d', 'e']));
  });

  it('leaves out people with nothing new to find', () => {
    expect(holdOut([1, 2, 3, 4, 5].map((t) => x(1, t, 'a')), 0.2, 5).people).toEqual([]);
  });
});

describe('metrics', () => {
  it.each([
    [['a', 'x', 'b'], ['a', 'b'], 3, { precision: 2 / 3, recall: 1, ndcg: (1 + 1 / Math.log2(4)) / (1 + 1 / Math.log2(3)) }],
    [['x', 'y'], ['a'], 2, { precision: 0, recall: 0, ndcg: 0 }],
    [['a'], ['a', 'b', 'c'], 10, { precision: 0.1, recall: 1 / 3, ndcg: 1 / (1 + 1 / Math.log2(3) + 1 / Math.log2(4)) }],
  ])('%j against %j at %i', (recs, relevant, k, expected) => {
    const q = atK(recs, new Set(relevant), k);
    expect(q.precision).toBeCloseTo(expected.precision, 12);
    expect(q.recall).toBeCloseTo(expected.recall, 12);
    expect(q.ndcg).toBeCloseTo(expected.ndcg, 12);
  });

  it('averages over people, an empty list scoring 0', () => {
    expect(meanAtK([{ recommended: ['a'], relevant: new Set(['a']) }, { recommended: [], relevant: new Set(['a']) }], 1)).toEqual({ precision: 0.5, recall: 0.5, ndcg: 0.5, people: 2 });
  });
});
