import { describe, expect, it } from 'vitest';
import { POISON_CODE, PoisonRecords } from './poison.ts';

const at = (offset: number, partition = 0) => ({ topic: 't', partition, offset: String(offset) });

describe('PoisonRecords', () => {
  it('suspects a whole chunk, on its own partition only', () => {
    const p = new PoisonRecords();
    p.suspect(at(10), at(19));
    expect([9, 10, 15, 19, 20].map((o) => p.isSuspect(at(o)))).toEqual([false, true, true, true, false]);
    expect(p.isSuspect(at(15, 1))).toBe(false);
  });

  it('convicts a record with the error as the reason', () => {
    const p = new PoisonRecords();
    const v = p.convict(at(12), new TypeError('x is not a function'), 'extract');
    expect(v).toEqual({ code: POISON_CODE, reason: 'extract could not process this record: TypeError: x is not a function' });
    expect(p.verdict(at(12))).toEqual(v);
    expect(p.verdict(at(13))).toBeNull();
  });

  it('forgets what lies below a committed offset, and keeps what lies at or above it', () => {
    const p = new PoisonRecords();
    p.suspect(at(10), at(19));
    p.suspect(at(30), at(39));
    p.convict(at(12), new Error('a'), 's');
    p.convict(at(31), new Error('b'), 's');
    p.release(at(20));
    expect([p.isSuspect(at(15)), p.isSuspect(at(35)), p.verdict(at(12)), p.verdict(at(31))?.code]).toEqual([false, true, null, POISON_CODE]);
    p.release(at(40));
    expect(p.size).toBe(0);
  });
});
