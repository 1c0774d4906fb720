import { describe, expect, it } from 'vitest';
import { touchpoint } from '../test/support/builders.ts';
import { flatJson, parseConsumerPerf } from './references.ts';

describe('parseConsumerPerf', () => {
  it.each([
    {
      name: 'header and one result line',
      out: 'start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec\n'
        + '2026-11-23 18:00:00:000, 2026-11-23 18:00:02:000, 180.0, 90.0, 300000, 150000.0, 500, 1500, 120.0, 200000.0\n',
      expected: { messages: 300000, recordsPerSecond: 150000, fetchRecordsPerSecond: 200000, mbPerSecond: 90, rebalanceMs: 500, seconds: 2 },
    },
    {
      name: 'warnings around the line are ignored',
      out: 'WARN something\n2026-01-01 00:00:00:000, 2026-01-01 00:00:01:000, 1.0, 1.0, 10, 10.0, 0, 1000, 1.0, 10.0\nbye\n',
      expected: { messages: 10, recordsPerSecond: 10, fetchRecordsPerSecond: 10, mbPerSecond: 1, rebalanceMs: 0, seconds: 1 },
    },
  ])('$name', ({ out, expected }) => {
    expect(parseConsumerPerf(out)).toEqual(expected);
  });

  it('fails loudly without a result line', () => {
    expect(() => parseConsumerPerf('ERROR could not connect')).toThrow(/no result line/);
  });
});

describe('flatJson', () => {
  it('keeps scalars, turns nested values into JSON strings and null into empty strings', () => {
    const row = JSON.parse(flatJson(touchpoint({ messageId: 'm1', userId: null, anonymousId: 'a1', traits: { email: 'x@y.z' } }))) as Record<string, unknown>;
    expect(row).toMatchObject({ messageId: 'm1', userId: '', anonymousId: 'a1', traits: '{"email":"x@y.z"}' });
    expect(Object.values(row).every((v) => typeof v === 'string' || typeof v === 'number')).toBe(true);
  });
});
