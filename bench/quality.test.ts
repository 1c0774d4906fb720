import { describe, expect, it } from 'vitest';
import { countAmbiguous } from './quality.ts';

const ev = (person: number, ...identifiers: string[]) => ({ person, identifiers });

describe('countAmbiguous', () => {
  it.each([
    { name: 'no shared identifier', events: [ev(1, 'a'), ev(2, 'b')], expected: 0 },
    { name: 'only a shared cookie: both events ambiguous', events: [ev(1, 'pc'), ev(2, 'pc')], expected: 2 },
    { name: 'a shared cookie with an own user id is not ambiguous', events: [ev(1, 'pc', 'u1'), ev(2, 'pc'), ev(2, 'pc', 'u2')], expected: 1 },
    { name: 'the same person twice does not make it shared', events: [ev(1, 'x'), ev(1, 'x')], expected: 0 },
    { name: 'an event without identifiers is not counted', events: [ev(1), ev(1, 'pc'), ev(2, 'pc')], expected: 2 },
  ])('$name', ({ events, expected }) => {
    expect(countAmbiguous(events)).toBe(expected);
  });
});
