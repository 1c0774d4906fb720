import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ClaimCache, type Offer } from './cache.ts';

describe('ClaimCache', () => {
  it.each([
    ['a first claim is new', 2, [['k1', 10, 'm1']], ['new']],
    ['the same event again is a repeat', 2, [['k1', 10, 'm1'], ['k1', 10, 'm1']], ['new', 'repeat']],
    ['a later event is a repeat', 2, [['k1', 10, 'm1'], ['k1', 20, 'm2']], ['new', 'repeat']],
    ['an earlier event is news', 2, [['k1', 10, 'm1'], ['k1', 5, 'm2']], ['new', 'earlier']],
    ['same time, smaller messageId is news', 2, [['k1', 10, 'm2'], ['k1', 10, 'm1']], ['new', 'earlier']],
    ['same time, larger messageId is a repeat', 2, [['k1', 10, 'm1'], ['k1', 10, 'm2']], ['new', 'repeat']],
    ['the least recently seen leaves first (capacity 2)', 2, [['a', 1, 'x'], ['b', 1, 'x'], ['a', 2, 'x'], ['c', 1, 'x'], ['a', 3, 'x'], ['b', 2, 'x']], ['new', 'new', 'repeat', 'new', 'repeat', 'new']],
    ['capacity 0 remembers nothing', 0, [['k1', 10, 'm1'], ['k1', 10, 'm1']], ['new', 'new']],
  ] as [string, number, [string, number, string][], Offer[]][])('%s', (_name, capacity, offers, expected) => {
    const cache = new ClaimCache(capacity);
    expect(offers.map(([k, t, m]) => cache.offer(k, t, m))).toEqual(expected);
    expect(cache.size).toBeLessThanOrEqual(capacity);
  });

  const offers = fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c', 'd', 'e'), fc.integer({ min: 0, max: 6 }), fc.constantFrom('m1', 'm2', 'm3')), { maxLength: 60 });
  const earlier = (t: number, m: string, than: [number, string] | undefined) => than === undefined || t < than[0] || (t === than[0] && m < than[1]);

  it('never takes an earlier event of a claim for a repeat, whatever its capacity (property)', () => {
    fc.assert(fc.property(offers, fc.integer({ min: 0, max: 6 }), (seq, capacity) => {
      const cache = new ClaimCache(capacity);
      const earliest = new Map<string, [number, string]>();
      for (const [k, t, m] of seq) {
        const news = earlier(t, m, earliest.get(k));
        const offer = cache.offer(k, t, m);
        if (news) expect(offer).not.toBe('repeat');
        if (news) earliest.set(k, [t, m]);
        expect(cache.size).toBeLessThanOrEqual(capacity);
      }
    }));
  });

  it('publishes exactly the events that are earliest so far when it holds every claim (property)', () => {
    fc.assert(fc.property(offers, (seq) => {
      const cache = new ClaimCache(5);
      const earliest = new Map<string, [number, string]>();
      for (const [k, t, m] of seq) {
        const news = earlier(t, m, earliest.get(k));
        expect(cache.offer(k, t, m) !== 'repeat').toBe(news);
        if (news) earliest.set(k, [t, m]);
      }
    }));
  });
});
