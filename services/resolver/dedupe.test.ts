import { describe, expect, it } from 'vitest';
import { RecentMessages } from './dedupe.ts';

describe('RecentMessages', () => {
  it.each([
    ['a first id is new', ['a'], [false]],
    ['a repeat is seen', ['a', 'a'], [false, true]],
    ['distinct ids are new', ['a', 'b', 'c'], [false, false, false]],
    ['the oldest leaves when full (capacity 2)', ['a', 'b', 'c', 'a'], [false, false, false, false]],
    ['a recent one stays (capacity 2)', ['a', 'b', 'c', 'c', 'b'], [false, false, false, true, true]],
  ])('%s', (_name, ids, expected) => {
    const w = new RecentMessages(2);
    expect(ids.map((id) => w.seen(id))).toEqual(expected);
    expect(w.size).toBeLessThanOrEqual(2);
  });

  it('does nothing with capacity 0', () => {
    const w = new RecentMessages(0);
    expect([w.seen('a'), w.seen('a')]).toEqual([false, false]);
  });

  it('forgets and clears', () => {
    const w = new RecentMessages(10);
    w.seen('a'); w.seen('b');
    w.forget('a');
    expect(w.seen('a')).toBe(false);
    w.clear();
    expect(w.seen('b')).toBe(false);
  });
});
