import { describe, expect, it } from 'vitest';
import { changedLists, type RecItem } from './lists.ts';

const l = (...items: string[]): RecItem[] => items.map((x, i) => ({ item: x.slice(0, -2), score: 10 - i, source: x.endsWith(':s') ? 'similar' : 'popular' }));

describe('changedLists', () => {
  it.each([
    ['a new profile is published', new Map(), new Map([['p1', l('a:s')]]), ['p1'], []],
    ['an unchanged list is not, whatever its scores', new Map([['p1', l('a:s', 'b:p').map((x) => ({ ...x, score: x.score + 1e-12 }))]]), new Map([['p1', l('a:s', 'b:p')]]), [], []],
    ['a reordered list is', new Map([['p1', l('a:s', 'b:s')]]), new Map([['p1', l('b:s', 'a:s')]]), ['p1'], []],
    ['a change of source is', new Map([['p1', l('a:p')]]), new Map([['p1', l('a:s')]]), ['p1'], []],
    ['a gone profile gets a tombstone', new Map([['p1', l('a:s')], ['p2', l('a:s')]]), new Map([['p2', l('a:s')]]), [], ['p1']],
  ])('%s', (_t, previous, current, published, tombstones) => {
    const r = changedLists(previous, current, 7, 1000);
    expect(r.records.map((x) => x.profileId)).toEqual(published);
    expect(r.tombstones).toEqual(tombstones);
    for (const x of r.records) expect(x).toEqual({ profileId: x.profileId, items: current.get(x.profileId), run: 7, asOf: 1000 });
  });
});
