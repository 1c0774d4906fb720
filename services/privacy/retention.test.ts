import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { monthEndMs, parseRetentionDays, planRetention } from './retention.ts';

const at = (iso: string) => Date.parse(iso);

describe('planRetention', () => {
  it.each([
    // as of, keep days, partitions → dropped, partial
    ['2026-11-30T12:00:00Z', 30, ['202609', '202610', '202611'], ['202609'], '202610'],
    ['2026-11-01T00:00:00Z', 31, ['202609', '202610'], ['202609'], null], // cutoff exactly 2026-10-01: October all younger
    ['2026-11-01T00:00:01Z', 31, ['202609', '202610'], ['202609'], '202610'],
    ['2026-03-15T00:00:00Z', 365, ['202401', '202502', '202503', '202603'], ['202401', '202502'], '202503'],
    ['2026-01-10T00:00:00Z', 10, ['202512', '202601'], [], '202512'], // cutoff 2025-12-31: December partly
    ['2026-01-10T00:00:00Z', 9, ['202512', '202601'], ['202512'], null], // cutoff 2026-01-01: December whole
    ['2026-11-30T00:00:00Z', 3650, ['202001', '202611'], [], null],
  ] as const)('as of %s keeping %i days of %j: drops %j, %s partly expired', (asOf, days, parts, drop, partial) => {
    const plan = planRetention(parts, at(asOf), days);
    expect(plan.drop).toEqual(drop);
    expect(plan.partial).toBe(partial);
  });

  it('leaves partitions that are not months alone', () => {
    expect(planRetention(['all', '202013', '2024', '202001'], at('2026-01-01T00:00:00Z'), 1)).toMatchObject({ drop: ['202001'], skipped: ['202013', '2024', 'all'] });
  });

  const month = fc.tuple(fc.integer({ min: 2000, max: 2099 }), fc.integer({ min: 1, max: 12 })).map(([y, m]) => `${y}${String(m).padStart(2, '0')}`);
  const asOf = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2100, 0, 1) });
  const days = fc.integer({ min: 1, max: 36_500 });

  it('never drops a month holding an event younger than the limit, and keeps no month that is entirely older', () => {
    fc.assert(fc.property(fc.array(month, { maxLength: 30 }), asOf, days, (parts, now, keep) => {
      const plan = planRetention(parts, now, keep);
      const cutoff = now - keep * 86_400_000;
      for (const m of plan.drop) expect(monthEndMs(m)!).toBeLessThanOrEqual(cutoff);
      for (const m of plan.keep) expect(monthEndMs(m)!).toBeGreaterThan(cutoff);
      expect(new Set([...plan.drop, ...plan.keep])).toEqual(new Set(parts));
    }));
  });

  it('is idempotent: the plan over what a run kept drops nothing more', () => {
    fc.assert(fc.property(fc.array(month, { maxLength: 30 }), asOf, days, (parts, now, keep) => {
      expect(planRetention(planRetention(parts, now, keep).keep, now, keep).drop).toEqual([]);
    }));
  });

  it('a longer retention never drops more', () => {
    fc.assert(fc.property(fc.array(month, { maxLength: 30 }), asOf, days, days, (parts, now, a, b) => {
      const [short, long] = a <= b ? [a, b] : [b, a];
      expect(planRetention(parts, now, short).drop).toEqual(expect.arrayContaining(planRetention(parts, now, long).drop));
    }));
  });
});

describe('parseRetentionDays', () => {
  it.each([
    ['400', { ok: true, days: 400 }],
    ['400d', { ok: true, days: 400 }],
    [' 7 ', { ok: true, days: 7 }],
  ] as const)('%j → %j', (text, expected) => expect(parseRetentionDays(text)).toEqual(expected));

  it.each([
    [undefined, 'expected a whole number of days'],
    ['', 'expected a whole number of days'],
    ['-3', 'expected a whole number of days'],
    ['1.5', 'expected a whole number of days'],
    ['3w', 'expected a whole number of days'],
    ['0', 'must be from 1 to 36500 days, got 0'],
    ['36501', 'must be from 1 to 36500 days'],
  ])('%j is refused: %s', (text, problem) => {
    const r = parseRetentionDays(text);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.problem).toContain(problem);
  });
});
