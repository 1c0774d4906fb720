import { describe, expect, it } from 'vitest';
import { ident, int, str, strList } from './sql.ts';

describe('str', () => {
  it.each([
    ['plain', "'plain'"],
    ["it's", "'it\\'s'"],
    ['back\\slash', "'back\\\\slash'"],
    ['line\nbreak\ttab', "'line\\nbreak\\ttab'"],
    ["'; DROP TABLE x; --", "'\\'; DROP TABLE x; --'"],
    ['nul\0byte', "'nul\\0byte'"],
  ])('quotes %j', (input, expected) => expect(str(input)).toBe(expected));
});

describe('int', () => {
  it.each([[0, '0'], [42, '42'], [-7, '-7'], [2n ** 63n, '9223372036854775808']])('renders %s', (v, e) => expect(int(v)).toBe(e));
  it.each([[Number.NaN], [Infinity], [1.5], [2 ** 60]])('rejects %s', (v) => expect(() => int(v)).toThrow(RangeError));
});

describe('ident', () => {
  it.each(['tessera', 't_abc123', '_x'])('accepts %s', (n) => expect(ident(n)).toBe(n));
  it.each(['a-b', '1abc', 'a b', 'x;drop', ''])('rejects %j', (n) => expect(() => ident(n)).toThrow(RangeError));
});

describe('strList', () => {
  it('quotes each value', () => expect(strList(['a', "b'c"])).toBe("('a', 'b\\'c')"));
  it('never renders an empty tuple', () => expect(strList([])).toBe("('')"));
});
