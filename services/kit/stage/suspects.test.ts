import { describe, expect, it } from 'vitest';
import { SuspectChunks } from './suspects.ts';

const at = (offset: number, partition = 0) => ({ topic: 't', partition, offset: String(offset) });

describe('SuspectChunks', () => {
  it('suspects a whole chunk, on its own partition only, until an offset past it is committed', () => {
    const s = new SuspectChunks();
    s.add(at(10), at(19));
    s.add(at(30), at(39));
    expect([9, 10, 15, 19, 20].map((o) => s.has(at(o)))).toEqual([false, true, true, true, false]);
    expect(s.has(at(15, 1))).toBe(false);
    s.committed('t', 0, '20');
    expect([s.has(at(15)), s.has(at(35)), s.size]).toEqual([false, true, 1]);
  });
});
