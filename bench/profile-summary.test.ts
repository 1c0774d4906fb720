import { describe, expect, it } from 'vitest';
import { areaOf, summariseProfile, type CpuProfile, type CpuProfileNode } from './profile-summary.ts';

const node = (id: number, functionName: string, url = '', lineNumber = 0, children: number[] = []): CpuProfileNode =>
  ({ id, callFrame: { functionName, url, lineNumber }, children });

/** root → a (graph.ts) → b (kafkajs); plus idle and GC. */
const nodes = [
  node(1, '(root)', '', 0, [2, 4, 5]),
  node(2, 'apply', 'file:///w/services/identity/graph.ts', 23, [3]),
  node(3, 'decode', 'file:///w/node_modules/kafkajs/src/protocol/decoder.js', 9),
  node(4, '(idle)'),
  node(5, '(garbage collector)'),
];

describe('summariseProfile', () => {
  it.each([
    {
      name: 'each sample owns the interval up to the next one; idle is not busy',
      samples: [2, 2, 3, 4, 5, 2], deltas: [0, 1000, 1000, 1000, 4000, 2000],
      // apply: 1000+1000 (+0 for the last) ; decode: 1000 ; idle: 4000 ; gc: 2000
      expected: { totalMs: 9, busyMs: 5, apply: 2, decode: 1, gc: 2 },
    },
    {
      name: 'a single sample has no interval',
      samples: [3], deltas: [500],
      expected: { totalMs: 0, busyMs: 0, apply: 0, decode: 0, gc: 0 },
    },
  ])('$name', ({ samples, deltas, expected }) => {
    const s = summariseProfile({ nodes, startTime: 0, endTime: 10_000, samples, timeDeltas: deltas } satisfies CpuProfile);
    expect(s.totalMs).toBe(expected.totalMs);
    expect(s.busyMs).toBe(expected.busyMs);
    const ms = (name: string) => s.functions.find((f) => f.name === name)?.ms ?? 0;
    expect(ms('apply')).toBe(expected.apply);
    expect(ms('decode')).toBe(expected.decode);
    expect(ms('(garbage collector)')).toBe(expected.gc);
    expect(s.functions.some((f) => f.name === '(idle)')).toBe(false);
  });

  it('ranks functions by self time with shares of busy time, and groups by area', () => {
    const s = summariseProfile({ nodes, startTime: 0, endTime: 1, samples: [3, 3, 2, 5, 4], timeDeltas: [0, 100, 100, 100, 100] });
    expect(s.functions.map((f) => [f.name, f.share])).toEqual([['decode', 0.5], ['apply', 0.25], ['(garbage collector)', 0.25]]);
    expect(s.functions[1]!.where).toBe('services/identity/graph.ts:24');
    expect(s.areas.map((a) => a.area)).toEqual(['kafkajs', 'services/identity', '(garbage collector)']);
  });

  it('falls back to hit counts when there are no samples', () => {
    const withHits = nodes.map((n) => ({ ...n, hitCount: n.id === 2 ? 3 : n.id === 4 ? 1 : 0 }));
    const s = summariseProfile({ nodes: withHits, startTime: 0, endTime: 4000 });
    expect(s.busyMs).toBe(3);
    expect(s.functions[0]).toMatchObject({ name: 'apply', share: 1 });
  });
});

describe('areaOf', () => {
  it.each([
    ['file:///w/node_modules/kafkajs/src/x.js', 'f', 'kafkajs'],
    ['file:///w/node_modules/@kafkajs/confluent-schema-registry/dist/a.js', 'f', '@kafkajs/confluent-schema-registry'],
    ['file:///w/node_modules/.pnpm/x/node_modules/avsc/lib/types.js', 'f', 'avsc'],
    ['file:///w/services/identity/graph.ts', 'f', 'services/identity'],
    ['node:internal/streams/readable', 'f', 'node:internal'],
    ['', '(garbage collector)', '(garbage collector)'],
    ['', 'JSONParse', '(native)'],
  ])('%s %s → %s', (url, fn, expected) => {
    expect(areaOf(url, fn)).toBe(expected);
  });
});
