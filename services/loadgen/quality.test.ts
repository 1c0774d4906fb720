import { describe, expect, it } from 'vitest';
import { pairwiseQuality } from './quality.ts';

describe('pairwiseQuality', () => {
  it('is perfect when profiles are people', () => {
    const q = pairwiseQuality([['a', 1], ['a', 1], ['b', 2], ['b', 2], ['b', 2]]);
    expect([q.precision, q.recall, q.f1, q.overMergedPeople, q.splitPeople]).toEqual([1, 1, 1, 0, 0]);
  });

  it('counts an over-merge against precision', () => {
    // one profile holds 2 events of person 1 and 2 of person 2: 6 predicted pairs, 2 true ones.
    const q = pairwiseQuality([['a', 1], ['a', 1], ['a', 2], ['a', 2]]);
    expect(q.precision).toBeCloseTo(2 / 6);
    expect(q.recall).toBe(1);
    expect(q.overMergedPeople).toBe(2);
  });

  it('counts a split against recall', () => {
    // person 1's 4 events in two profiles of 2: 6 true pairs, 2 found.
    const q = pairwiseQuality([['a', 1], ['a', 1], ['b', 1], ['b', 1]]);
    expect(q.recall).toBeCloseTo(2 / 6);
    expect(q.precision).toBe(1);
    expect(q.splitPeople).toBe(1);
  });

  it('treats unresolved events as singletons', () => {
    const q = pairwiseQuality([[null, 1], [null, 1], ['a', 1]]);
    expect(q.recall).toBeCloseTo(0);
    expect(q.profiles).toBe(1);
  });

  it.each([
    [[['x', 1], ['y', 2]] as const, 1, 1],
    [[['x', 1], ['x', 2], ['y', 1]] as const, 0, 0],
  ])('handles tiny inputs %j', (items, precision, recall) => {
    const q = pairwiseQuality(items);
    expect(q.precision).toBe(precision);
    expect(q.recall).toBe(recall);
  });
});
