import { describe, expect, it } from 'vitest';
import { chooseOwner } from './single-owner.ts';

describe('chooseOwner', () => {
  it.each([
    [[], null],
    [[{ memberId: 'b', owns: false }, { memberId: 'a', owns: false }], 'a'],
    [[{ memberId: 'a', owns: false }, { memberId: 'b', owns: true }], 'b'],
    [[{ memberId: 'c', owns: true }, { memberId: 'b', owns: true }], 'b'],
  ])('%j → %s', (members, owner) => expect(chooseOwner(members)).toBe(owner));
});
