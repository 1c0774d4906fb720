import { describe, expect, it } from 'vitest';
import { percentile, summarise } from './percentile.ts';

const hundred = Array.from({ length: 100 }, (_, i) => 100 - i); // 100..1, unsorted on purpose

describe('percentile (nearest rank)', () => {
  it.each([
    { values: [5], p: 50, expected: 5 },
    { values: [5], p: 99, expected: 5 },
    { values: [3, 1, 2], p: 0, expected: 1 },
    { values: [3, 1, 2], p: 50, expected: 2 },
    { values: [3, 1, 2], p: 100, expected: 3 },
    { values: [1, 2, 3, 4], p: 50, expected: 2 },
    { values: [1, 2, 3, 4], p: 51, expected: 3 },
    { values: hundred, p: 95, expected: 95 },
    { values: hundred, p: 99, expected: 99 },
    { values: hundred, p: 99.5, expected: 100 },
    { values: [10, 10, 10, 1000], p: 75, expected: 10 },
    { values: [10, 10, 10, 1000], p: 76, expected: 1000 },
  ])('p$p of $values → $expected', ({ values, p, expected }) => {
    expect(percentile(values, p)).toBe(expected);
  });

  it('is NaN for an empty sample and rejects p outside 0..100', () => {
    expect(percentile([], 50)).toBeNaN();
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(() => percentile([1], -1)).toThrow(RangeError);
  });

  it('leaves its input unsorted', () => {
    const v = [3, 1, 2];
    percentile(v, 50);
    expect(v).toEqual([3, 1, 2]);
  });

  it('summarises min, median, tail and mean', () => {
    expect(summarise([4, 1, 3, 2])).toEqual({ n: 4, min: 1, p50: 2, p95: 4, p99: 4, max: 4, mean: 2.5 });
  });
});
