import { isDeepStrictEqual } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonShapeProblem } from '../contract/json-shape.ts';
import { normaliseCall } from '../contract/normalise.ts';
import { parseBody } from './json-body.ts';

const value = (text: string): unknown => {
  const p = parseBody(text);
  if (!p.ok) throw new Error(p.message);
  return p.value;
};
const deep = (levels: number, inner = '1') => `${'{"a":'.repeat(levels)}${inner}${'}'.repeat(levels)}`;

describe('parseBody: numbers', () => {
  it('two user ids differing beyond 2^53 stay two: each keeps its exact digits', () => {
    const ids = ['12345678901234567891', '12345678901234567892'].map((d) => (value(`{"userId":${d}}`) as { userId: unknown }).userId);
    expect(ids).toEqual(['12345678901234567891', '12345678901234567892']);
  });

  it.each<[string, string, unknown]>([
    ['a safe integer stays a number', '42', 42],
    ['2^53 - 1 stays a number', '9007199254740991', 9007199254740991],
    ['2^53 + 1 keeps its digits', '9007199254740993', '9007199254740993'],
    ['a negative large integer', '-12345678901234567891', '-12345678901234567891'],
    ['a fraction stays a double', '0.1', 0.1],
    ['an integer written with an exponent beyond 2^53', '1e21', '1e21'],
    ['beyond the double range', '1e400', '1e400'],
    ['epoch milliseconds stay a number', '1767225600000', 1767225600000],
  ])('%s', (_n, text, expected) => {
    expect(value(`{"x":${text}}`)).toEqual({ x: expected });
  });

  it('exact numbers inside nested values and arrays too', () => {
    expect(value('{"a":[1,{"b":98765432109876543210}],"c":2}')).toEqual({ a: [1, { b: '98765432109876543210' }], c: 2 });
  });

  it('a duplicate key: the last one wins, as with JSON.parse, on the exact path as well', () => {
    expect(value('{"a":1,"a":2}')).toEqual({ a: 2 });
    expect(value('{"a":1,"a":2,"n":12345678901234567891}')).toEqual({ a: 2, n: '12345678901234567891' });
  });

  it('agrees with JSON.parse on any JSON, large integers apart (which keep their digits)', () => {
    // A JSON text with large integers spliced in, and the value it stands for.
    const pair = fc.letrec<{ node: [string, unknown] }>((tie) => ({
      node: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        // Doubles that are integers beyond 2^53 come from the bigInt branch, with their text known.
        fc.jsonValue({ maxDepth: 1 }).filter((v) => jsonShapeProblem(v, 10) === null)
          .map((v): [string, unknown] => [JSON.stringify(v), JSON.parse(JSON.stringify(v))]),
        fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }).map((b): [string, unknown] => {
          const n = Number(b);
          return [String(b), Number.isSafeInteger(n) ? n : String(b)];
        }),
        fc.array(tie('node'), { maxLength: 4 }).map((xs): [string, unknown] => [`[${xs.map((x) => x[0]).join(',')}]`, xs.map((x) => x[1])]),
        fc.uniqueArray(fc.tuple(fc.oneof(fc.string({ maxLength: 6 }), fc.constantFrom('__proto__', 'constructor')), tie('node')), { maxLength: 4, selector: (e) => e[0] })
          .map((es): [string, unknown] => [
            `{${es.map(([k, v]) => `${JSON.stringify(k)}:${v[0]}`).join(',')}}`,
            Object.fromEntries(es.map(([k, v]) => [k, v[1]])),
          ]),
      ),
    })).node;
    fc.assert(fc.property(pair, ([text, expected]) => {
      // isDeepStrictEqual compares prototypes and own keys; vitest's toStrictEqual reads a "constructor" key as the type.
      const got = value(text);
      expect(isDeepStrictEqual(got, expected), `${JSON.stringify(got)} ≠ ${JSON.stringify(expected)}`).toBe(true);
    }));
  });
});

describe('parseBody: hostile shapes', () => {
  it('a body nested 250,000 levels deep parses without overflowing', () => {
    expect(parseBody(`${'['.repeat(250_000)}${']'.repeat(250_000)}`).ok).toBe(true);
    expect(parseBody(deep(100_000)).ok).toBe(true);
  });

  it('a deep body with a large integer: the integer stays rounded, and the normaliser refuses its call with a reason', () => {
    const text = `{"batch":[{"type":"track","event":"e","userId":12345678901234567891},${deep(5_000)}]}`;
    const body = value(text) as { batch: unknown[] };
    expect(typeof (body.batch[0] as { userId: unknown }).userId).toBe('number');
    const n = normaliseCall(body.batch[0], null, { receivedAt: Date.UTC(2026, 0, 1), channel: null, defaultSource: 'server', maxFutureMs: 0 });
    expect(n.ok).toBe(false);
    if (!n.ok) expect(n.problems).toEqual(['userId: 12345678901234567000 is a number beyond what JSON parsing keeps exactly (integers up to 2^53); send it as a string']);
  });

  it('"__proto__" is an ordinary key on both paths, never the prototype', () => {
    for (const text of ['{"__proto__":{"userId":"victim"}}', '{"__proto__":{"userId":"victim"},"n":12345678901234567891}']) {
      const v = value(text) as Record<string, unknown>;
      expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
      expect(Object.hasOwn(v, '__proto__')).toBe(true);
      expect(v.userId).toBeUndefined();
    }
  });

  it.each([
    ['empty', '', 'body is empty'],
    ['truncated', '{"type":', 'body is not valid JSON'],
    ['a lone value is fine JSON but a trailing comma is not', '{"a":1,}', 'body is not valid JSON'],
  ])('bad JSON (%s) says so', (_n, text, message) => {
    const p = parseBody(text);
    expect(p.ok).toBe(false);
    if (!p.ok) expect(p.message).toContain(message);
  });
});
