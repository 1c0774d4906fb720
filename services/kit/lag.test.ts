import { describe, expect, it } from 'vitest';
import { committedLag } from './lag.ts';

const end = (partition: number, low: number, high: number) => ({ partition, low: String(low), high: String(high) });

describe('committedLag', () => {
  it.each([
    ['committed at the end: nothing waits', [end(0, 0, 10)], [{ partition: 0, offset: '10' }], [[0, 10n - 10n]]],
    ['committed part-way', [end(0, 0, 10)], [{ partition: 0, offset: '4' }], [[0, 6n]]],
    ['nothing committed (-1): the whole retained log waits', [end(0, 3, 10)], [{ partition: 0, offset: '-1' }], [[0, 7n]]],
    ['a partition the group never committed on', [end(0, 0, 10), end(1, 0, 5)], [{ partition: 0, offset: '10' }], [[0, 0n], [1, 5n]]],
    ['committed below the log start (retention deleted records)', [end(0, 50, 60)], [{ partition: 0, offset: '20' }], [[0, 10n]]],
    ['an empty partition', [end(0, 0, 0)], [], [[0, 0n]]],
  ])('%s', (_name, ends, commits, expected) => {
    expect([...committedLag(ends, commits)]).toEqual(expected);
  });
});
