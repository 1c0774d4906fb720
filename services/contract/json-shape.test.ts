import { describe, expect, it } from 'vitest';
import { cutDeep, isInexactNumber, jsonDepth, jsonShapeProblem } from './json-shape.ts';

/** An object nested `levels` deep, built without recursion. */
function nested(levels: number, leaf: unknown = 1): unknown {
  let v = leaf;
  for (let i = 0; i < levels; i++) v = { a: v };
  return v;
}

describe('jsonShapeProblem', () => {
  it.each<[string, unknown, number, string | null]>([
    ['a scalar', 'x', 64, null],
    ['exactly at the limit', nested(64), 64, null],
    ['one level over', nested(65), 64, 'a.a.a.a…: nested deeper than 64 levels of objects and arrays'],
    ['arrays count as levels', { p: [[[]]] }, 3, 'p[0][0]: nested deeper than 3 levels'],
    ['an integer rounded by JSON parsing', { userId: 12345678901234567000 }, 64, 'userId: 12345678901234567000 is a number beyond what JSON parsing keeps exactly'],
    ['Infinity (1e400)', { p: { q: [Infinity] } }, 64, 'p.q[0]: Infinity is a number beyond'],
    ['2^53 - 1 is exact', { n: 9007199254740991 }, 64, null],
    ['a key that is no identifier is quoted', { 'a b': [nested(3)] }, 3, '["a b"][0].a: nested deeper than 3 levels'],
    ['"__proto__" as an own key is walked like any key', JSON.parse('{"__proto__":{"x":1e400}}'), 64, '__proto__.x: Infinity'],
  ])('%s', (_n, value, max, expected) => {
    const problem = jsonShapeProblem(value, max);
    if (expected === null) expect(problem).toBeNull();
    else expect(problem).toContain(expected);
  });

  it('names the root given for a value that is not a call', () => {
    expect(jsonShapeProblem({ traits: nested(3) }, 2, 'context')).toMatch(/^context\.traits\.a: nested deeper than 2 levels/);
  });

  it('walks 1,000,000 levels without overflowing the stack', () => {
    expect(jsonShapeProblem(nested(1_000_000), 64)).toContain('nested deeper than 64 levels');
    expect(jsonDepth(nested(1_000_000), 70)).toBe(71);
  });
});

describe('isInexactNumber', () => {
  it.each([[0, false], [0.1, false], [-(2 ** 53) + 1, false], [2 ** 53, true], [1e21, true], [-Infinity, true], [1.5e300, true]])('%d → %s', (n, inexact) => {
    expect(isInexactNumber(n)).toBe(inexact);
  });
});

describe('cutDeep', () => {
  it('copies a value within the limit unchanged', () => {
    const v = { a: [1, { b: 'x', c: null }], d: true };
    expect(cutDeep(v, 64)).toEqual(v);
  });

  it('cuts below the limit, so the copy of a 100,000-level value can be written as JSON', () => {
    const copy = cutDeep({ messageId: 'm', properties: nested(100_000) }, 3);
    expect(JSON.parse(JSON.stringify(copy))).toEqual({ messageId: 'm', properties: { a: { a: '(nested deeper than 3 levels: cut)' } } });
  });

  it('keeps "__proto__" an ordinary key of the copy', () => {
    const copy = cutDeep(JSON.parse('{"__proto__":{"userId":"victim"}}'), 64) as Record<string, unknown>;
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
    expect(Object.hasOwn(copy, '__proto__')).toBe(true);
    expect(copy.userId).toBeUndefined();
  });
});
