import { describe, expect, it } from 'vitest';
import { chooseOwner } from './assigner.ts';
import { VersionClock } from './version-clock.ts';

describe('chooseOwner', () => {
  it.each([
    [[], null],
    [[{ memberId: 'b', owns: false }, { memberId: 'a', owns: false }], 'a'],
    [[{ memberId: 'a', owns: false }, { memberId: 'b', owns: true }], 'b'],
    [[{ memberId: 'c', owns: true }, { memberId: 'b', owns: true }], 'b'],
  ])('%j → %s', (members, owner) => expect(chooseOwner(members)).toBe(owner));
});

describe('VersionClock', () => {
  it('is strictly increasing even when the wall clock stands still or goes back', () => {
    const times = [1000, 1000, 999, 1001];
    let i = 0;
    const clock = new VersionClock(() => times[Math.min(i++, times.length - 1)]!);
    const vs = [clock.next(), clock.next(), clock.next(), clock.next()];
    expect(vs).toEqual([1_000_000, 1_000_001, 1_000_002, 1_001_000]);
  });
});
