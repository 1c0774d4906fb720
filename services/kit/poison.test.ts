import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { failureReason, PoisonRecordError, PoisonRecords, PROCESSING_FAILED, type RecordRef } from './poison.ts';

const ref = (offset: string | number, partition = 0, topic = 'in'): RecordRef => ({ topic, partition, offset: String(offset) });

describe('PoisonRecords', () => {
  it('processes a record that never failed', () => {
    expect(new PoisonRecords().verdict(ref(5))).toEqual({ kind: 'process' });
  });

  it('dead-letters a record on the replay after it failed once, with the reason of its failure', () => {
    const p = new PoisonRecords();
    expect(p.failed(ref(5), 'apply threw TypeError: boom')).toBe(1);
    expect(p.verdict(ref(5))).toEqual({ kind: 'dead-letter', code: PROCESSING_FAILED, reason: 'apply threw TypeError: boom', failures: 1 });
  });

  it.each([
    ['another offset', ref(6)],
    ['another partition', ref(5, 1)],
    ['another topic', ref(5, 0, 'other')],
  ])('recognises the record by topic, partition and offset: %s is processed', (_name, other) => {
    const p = new PoisonRecords();
    p.failed(ref(5), 'x');
    expect(p.verdict(other)).toEqual({ kind: 'process' });
  });

  it('with an allowance of 2, processes it once more and dead-letters it after the second failure', () => {
    const p = new PoisonRecords(2);
    p.failed(ref(5), 'first');
    expect(p.verdict(ref(5)).kind).toBe('process');
    expect(p.failed(ref(5), 'second')).toBe(2);
    expect(p.verdict(ref(5))).toMatchObject({ kind: 'dead-letter', reason: 'second', failures: 2 });
  });

  it('forgets records below a committed offset, and only on that partition', () => {
    const p = new PoisonRecords();
    p.failed(ref(5), 'a');
    p.failed(ref(9), 'b');
    p.failed(ref(5, 1), 'c');
    p.committed('in', 0, '6');
    expect(p.verdict(ref(5)).kind).toBe('process');
    expect(p.verdict(ref(9)).kind).toBe('dead-letter');
    expect(p.verdict(ref(5, 1)).kind).toBe('dead-letter');
    expect(p.size).toBe(2);
    p.committed('in', 0, '10');
    p.committed('in', 1, '6');
    expect(p.size).toBe(0);
  });

  it('compares offsets as numbers, not text ("10" is above "9")', () => {
    const p = new PoisonRecords();
    p.failed(ref('10'), 'x');
    p.committed('in', 0, '9');
    expect(p.verdict(ref(10)).kind).toBe('dead-letter');
  });

  it('rejects an allowance below 1', () => {
    expect(() => new PoisonRecords(0)).toThrow(RangeError);
  });

  it('property: a record is dead-lettered exactly when it failed and no commit passed it since', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('fail' as const), offset: fc.integer({ min: 0, max: 20 }) }),
      fc.record({ kind: fc.constant('commit' as const), offset: fc.integer({ min: 0, max: 21 }) }),
    );
    fc.assert(fc.property(fc.array(op, { maxLength: 40 }), fc.integer({ min: 0, max: 20 }), (ops, probe) => {
      const p = new PoisonRecords();
      let failedSinceCommit = false;
      for (const o of ops) {
        if (o.kind === 'fail') { p.failed(ref(o.offset), 'r'); if (o.offset === probe) failedSinceCommit = true; }
        else { p.committed('in', 0, String(o.offset)); if (probe < o.offset) failedSinceCommit = false; }
      }
      expect(p.verdict(ref(probe)).kind).toBe(failedSinceCommit ? 'dead-letter' : 'process');
    }));
  });
});

describe('failureReason and PoisonRecordError', () => {
  it('names the stage and the error, bounded in length', () => {
    expect(failureReason('extracting identifiers', new TypeError('x is not a function'))).toBe('extracting identifiers threw TypeError: x is not a function');
    expect(failureReason('applying', 'a string')).toBe('applying threw a string');
    expect(failureReason('applying', new Error('y'.repeat(5000))).length).toBe(1000);
  });

  it('carries the record, a stable code, and says what happens next', () => {
    const e = new PoisonRecordError(ref(7, 2), 'apply threw', new Error('boom'));
    expect(e).toMatchObject({ code: 'TSR_ERR_POISON_RECORD', retriable: false, ref: ref(7, 2) });
    expect(e.message).toContain('in[2]@7');
    expect(e.message).toContain('DLQ');
  });
});
