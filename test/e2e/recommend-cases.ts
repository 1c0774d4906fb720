// The recommender's small population, shared by the 18.16 and the current-release runs (test/e2e/recommend*.test.ts).
import { touchpoint } from '../support/builders.ts';

export const t0 = Date.UTC(2026, 5, 1, 12);
export const at = (minutes: number) => t0 + minutes * 60_000;
export const asOf = Math.floor(at(24 * 60) / 1000);
let n = 0;
export const view = (userId: string, item: string) => touchpoint({ messageId: `v-${userId}-${item}-${n++}`, userId, event: 'Product Viewed', properties: { product_id: item }, timestamp: at(n) });

// u1…u4 view overlapping products around a and b; u5 has only seen a; u6 ordered a and e together (a products list);
// u7 only read a page (cold).
export const population = [
  ...['a', 'b', 'c'].map((i) => view('u1', i)), ...['a', 'b'].map((i) => view('u2', i)), ...['a', 'b', 'd'].map((i) => view('u3', i)),
  ...['b', 'c'].map((i) => view('u4', i)), view('u5', 'a'),
  touchpoint({ messageId: 'o-u6', userId: 'u6', event: 'Order Completed', properties: { revenue: 12, products: JSON.stringify([{ product_id: 'a', price: 5 }, { product_id: 'e', price: 7 }]) }, timestamp: at(40) }),
  touchpoint({ messageId: 'p-u7', type: 'page', event: null, name: '/', userId: 'u7', timestamp: at(41) }),
];

