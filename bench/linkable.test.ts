import { describe, expect, it } from 'vitest';
import { linkableTruth, type LabelledEvent } from './linkable.ts';

const ev = (messageId: string, person: number, ...identifiers: string[]): LabelledEvent => ({ messageId, person, identifiers });

/** The partition as sorted groups of messageIds, independent of group numbering. */
function groups(events: LabelledEvent[]): string[][] {
  const byGroup = new Map<number, string[]>();
  for (const [m, g] of linkableTruth(events)) byGroup.set(g, [...(byGroup.get(g) ?? []), m]);
  return [...byGroup.values()].map((g) => g.sort()).sort((a, b) => (a[0]! < b[0]! ? -1 : 1));
}

describe('linkableTruth', () => {
  it.each([
    {
      name: 'events sharing an identifier within one person are linked',
      events: [ev('a', 1, 'anon:c1'), ev('b', 1, 'anon:c1', 'user:u1'), ev('c', 1, 'user:u1', 'email:e1')],
      expected: [['a', 'b', 'c']],
    },
    {
      name: 'an anonymous session never seen with another identifier of its person stays apart',
      events: [ev('a', 1, 'anon:c1'), ev('b', 1, 'anon:c2', 'user:u1'), ev('c', 1, 'user:u1')],
      expected: [['a'], ['b', 'c']],
    },
    {
      name: 'a device shared by two people does not join them',
      events: [ev('a', 1, 'device:pc', 'user:u1'), ev('b', 2, 'device:pc', 'user:u2'), ev('c', 2, 'user:u2')],
      expected: [['a'], ['b', 'c']],
    },
    {
      name: 'a shared family email links each member only to their own events',
      events: [ev('a', 1, 'email:fam', 'user:u1'), ev('b', 2, 'email:fam', 'user:u2'), ev('c', 1, 'email:fam'), ev('d', 2, 'user:u2')],
      expected: [['a', 'c'], ['b', 'd']],
    },
    {
      name: 'an event without usable identifiers is alone',
      events: [ev('a', 1), ev('b', 1), ev('c', 1, 'anon:c1')],
      expected: [['a'], ['b'], ['c']],
    },
    {
      name: 'a chain across three events joins the ends',
      events: [ev('a', 7, 'x'), ev('b', 7, 'y'), ev('c', 7, 'x', 'z'), ev('d', 7, 'y', 'z')],
      expected: [['a', 'b', 'c', 'd']],
    },
  ])('$name', ({ events, expected }) => {
    expect(groups(events)).toEqual(expected);
  });

  it('numbers groups from 0 in order of first appearance', () => {
    expect([...linkableTruth([ev('a', 1, 'x'), ev('b', 2, 'y'), ev('c', 1, 'x')])]).toEqual([['a', 0], ['b', 1], ['c', 0]]);
  });
});
