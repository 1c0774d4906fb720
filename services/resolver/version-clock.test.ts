import { describe, expect, it } from 'vitest';
import { VersionClock } from './version-clock.ts';

describe('VersionClock', () => {
  it('is strictly increasing even when the wall clock stands still or goes back', () => {
    const times = [1000, 1000, 999, 1001];
    let i = 0;
    const clock = new VersionClock(() => times[Math.min(i++, times.length - 1)]!);
    const vs = [clock.next(), clock.next(), clock.next(), clock.next()];
    expect(vs).toEqual([1_000_000, 1_000_001, 1_000_002, 1_001_000]);
  });
});
