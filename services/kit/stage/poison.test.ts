import { describe, expect, it } from 'vitest';
import { PROCESSING_FAILED, PoisonRecords } from './poison.ts';
import { SuspectChunks } from './suspects.ts';

const at = (offset: number, partition = 0) => ({ topic: 't', partition, offset: String(offset) });

describe('PoisonRecords', () => {
  it('dead-letters a record that failed, with its reason, and processes the others', () => {
    const p = new PoisonRecords();
    expect(p.failed(at(12), 'extract could not process this record: TypeError: x')).toBe(1);
    expect(p.verdict(at(12))).toEqual({ kind: 'dead-letter', code: PROCESSING_FAILED, reason: 'extract could not process this record: TypeError: x', failures: 1 });
    expect(p.verdict(at(13))).toEqual({ kind: 'process' });
    expect(p.verdict(at(12, 1))).toEqual({ kind: 'process' });
    expect(p.failed(at(12), 'again')).toBe(2);
  });

  it('forgets what lies below a committed offset', () => {
    const p = new PoisonRecords();
    p.failed(at(12), 'a');
    p.failed(at(31), 'b');
    p.committed('t', 0, '20');
    expect([p.verdict(at(12)).kind, p.verdict(at(31)).kind, p.size]).toEqual(['process', 'dead-letter', 1]);
    p.committed('t', 0, '32');
    expect(p.size).toBe(0);
  });
});

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
