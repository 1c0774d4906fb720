import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { monthOf, tablePartition } from './tables.ts';

describe('monthOf (the partition of events)', () => {
  it.each([
    [Date.UTC(2026, 0, 1), '202601'],
    [Date.UTC(2026, 0, 31, 23, 59, 59), '202601'],
    [Date.UTC(2026, 1, 1), '202602'],
    [Date.UTC(2024, 1, 29, 12), '202402'],
    [Date.UTC(2000, 2, 1), '200003'],
    [0, '197001'],
    [Date.UTC(2099, 11, 31, 23, 59, 59), '209912'],
  ])('%i ms is in %s (UTC)', (ms, expected) => expect(monthOf(ms / 1000)).toBe(expected));

  it('agrees with the calendar for any second from 1970 to 2105 (DateTime covers these)', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (s) => {
      const d = new Date(s * 1000);
      expect(monthOf(s)).toBe(String(d.getUTCFullYear() * 100 + d.getUTCMonth() + 1));
    }), { numRuns: 5_000 });
  });

  it('only events are partitioned', () => {
    expect(tablePartition('events', { event_time: Date.UTC(2026, 4, 2) / 1000 })).toBe('202605');
    expect(tablePartition('identities', { event_time: Date.UTC(2026, 4, 2) / 1000 })).toBe('');
  });
});
