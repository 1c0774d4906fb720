// The segment compiler's cases on a small population fed through the real pipeline, shared by the 18.16 and the
// current-release runs (test/e2e/segments.test.ts, segments-current-clickhouse.test.ts).
import { context, device, touchpoint } from '../support/builders.ts';

export const DAY = 86_400_000;
export const t0 = Date.UTC(2026, 5, 1, 12);
export const day = (d: number) => t0 + Math.round(d * DAY);
export const asOf = Math.floor(day(10) / 1000);
export const where = (country: string, kind: string, source = kind === 'desktop' ? 'web' : 'ios') => ({
  source, context: context({ location: { country, region: null, city: null }, device: device({ type: kind }) }),
});

// Alice (DE, pro) views products on her phone and buys once; Bob (FR, free) buys twice on iOS; Carol is an anonymous
// visitor from GB; Dave (US, team) buys once before the refresh's instant and once after it.
export const population = [
  touchpoint({ messageId: 'a-1', type: 'identify', event: null, userId: 'alice', anonymousId: 'c-alice', traits: { plan: 'pro', email: 'alice@x.io' }, timestamp: day(0), ...where('DE', 'desktop') }),
  touchpoint({ messageId: 'a-2', userId: 'alice', event: 'Product Viewed', properties: { product_id: 'p1' }, timestamp: day(2), ...where('DE', 'mobile') }),
  touchpoint({ messageId: 'a-3', userId: 'alice', event: 'Product Viewed', properties: { product_id: 'p2' }, timestamp: day(3), ...where('DE', 'mobile') }),
  touchpoint({ messageId: 'a-4', userId: 'alice', event: 'Product Viewed', properties: { product_id: 'p1' }, timestamp: day(4), ...where('DE', 'mobile') }),
  touchpoint({ messageId: 'a-5', userId: 'alice', event: 'Order Completed', properties: { revenue: 120 }, timestamp: day(9), ...where('DE', 'desktop') }),
  touchpoint({ messageId: 'b-1', type: 'identify', event: null, userId: 'bob', traits: { plan: 'free' }, timestamp: day(0), ...where('FR', 'mobile') }),
  touchpoint({ messageId: 'b-2', userId: 'bob', event: 'Order Completed', properties: { revenue: 500 }, timestamp: day(1), ...where('FR', 'mobile') }),
  touchpoint({ messageId: 'b-3', userId: 'bob', event: 'Order Completed', properties: { revenue: 500 }, timestamp: day(1.5), ...where('FR', 'mobile') }),
  touchpoint({ messageId: 'c-1', anonymousId: 'c-carol', event: 'Product Viewed', properties: { product_id: 'p3' }, timestamp: day(4.5), ...where('GB', 'desktop') }),
  touchpoint({ messageId: 'd-1', type: 'identify', event: null, userId: 'dave', traits: { plan: 'team' }, timestamp: day(0), ...where('US', 'desktop') }),
  touchpoint({ messageId: 'd-2', userId: 'dave', event: 'Order Completed', properties: { revenue: 30 }, timestamp: day(8), ...where('US', 'desktop') }),
  touchpoint({ messageId: 'd-3', userId: 'dave', event: 'Order Completed', properties: { revenue: 40 }, timestamp: day(12), ...where('US', 'desktop') }),
];

/** The people of the population by one identifier each (the profile is looked up after the run). */
export const people = [['alice', 'user_id', 'alice'], ['bob', 'user_id', 'bob'], ['carol', 'anonymous_id', 'c-carol'], ['dave', 'user_id', 'dave']] as const;

/** Every case: a condition of segment x (which may reference `buyers`) and the people it selects as of `asOf`. */
export const buyers = { id: 'buyers', where: { events: { event: 'Order Completed' }, count: { gte: 1 } } };
export const cases: [string, unknown, string[]][] = [
  ['trait equals', { trait: 'plan', eq: 'pro' }, ['alice']],
  ['trait in a list', { trait: 'plan', in: ['pro', 'team'] }, ['alice', 'dave']],
  ['trait not equal (profiles without it count)', { trait: 'plan', ne: 'pro' }, ['bob', 'carol', 'dave']],
  ['trait missing', { trait: 'plan', missing: true }, ['carol']],
  ['trait contains', { trait: 'email', contains: '@x.io' }, ['alice']],
  ['lifetime revenue above', { aggregate: 'revenue', gt: 100 }, ['alice', 'bob']],
  ['lifetime revenue below (profiles without purchases count)', { aggregate: 'revenue', lt: 100 }, ['carol', 'dave']],
  ['event count, up to the refresh instant', { events: { event: 'Order Completed' }, count: { gte: 2 } }, ['bob']],
  ['event count within a window', { events: { event: 'Order Completed' }, within: '3d', count: { gte: 1 } }, ['alice', 'dave']],
  ['sum of revenue', { events: { event: 'Order Completed' }, sum: { of: 'revenue', gte: 200 } }, ['bob']],
  ['no such events (zero passes)', { events: { event: 'Order Completed' }, count: { lt: 1 } }, ['carol']],
  ['distinct property values', { events: { event: 'Product Viewed' }, distinct: { of: 'product_id', gte: 2 } }, ['alice']],
  ['events with a property value', { events: { event: 'Product Viewed', properties: { product_id: 'p3' } }, count: { gte: 1 } }, ['carol']],
  ['events by column', { events: { source: 'ios', device_type: 'mobile' }, count: { gte: 2 } }, ['alice', 'bob']],
  ['latest location', { location: { country: 'DE' } }, ['alice']],
  ['latest location in a list', { location: { country: ['FR', 'GB'] } }, ['bob', 'carol']],
  ['device used', { device: 'mobile' }, ['alice', 'bob']],
  ['device used within a window', { device: 'mobile', within: '7d' }, ['alice']],
  ['membership of another segment, and not', { all: [{ segment: 'buyers' }, { not: { trait: 'plan', eq: 'pro' } }] }, ['bob', 'dave']],
  ['any', { any: [{ trait: 'plan', eq: 'team' }, { location: { country: 'GB' } }] }, ['carol', 'dave']],
  ['last channel', { aggregate: 'last_channel', eq: 'ios' }, ['bob']],
  ['countries ever', { aggregate: 'countries', has: 'FR' }, ['bob']],
  ['device types never', { aggregate: 'device_types', has_none: ['mobile'] }, ['carol', 'dave']],
  ['last seen within', { aggregate: 'last_seen', within: '5d' }, ['alice', 'dave']],
  ['last seen not within (never seen counts)', { aggregate: 'last_seen', not_within: '5d' }, ['bob', 'carol']],
  ['RFM recency score (exact quintiles, ties share the lower score)', { rfm: { r: [4, 5] } }, ['alice']],
  ['RFM frequency score', { rfm: { f: 1 } }, ['alice', 'dave']],
  ['RFM monetary score', { rfm: { m: [4, 5] } }, ['bob']],
];
