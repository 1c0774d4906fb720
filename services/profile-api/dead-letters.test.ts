import { describe, expect, it } from 'vitest';
import type { DeadLetterRecord } from '../kit/records.ts';
import { DeadLetterTally } from './dead-letters.ts';

const H = 3_600_000;
const dl = (code: string, failedAt: number, value: Buffer | null = Buffer.from('raw')): DeadLetterRecord => ({
  code, reason: `because ${code}`, sourceTopic: 't', sourcePartition: 0, sourceOffset: failedAt, key: null, value, service: 'extract', failedAt,
});

describe('dead-letter tally', () => {
  it('counts per reason and bucket within a range', () => {
    const t = new DeadLetterTally();
    for (const [code, at] of [['A', 0], ['A', H / 2], ['B', H + 1], ['A', 25 * H], ['A', 49 * H]] as const) t.add(dl(code, at));
    expect(t.series(0, 48 * H, H)).toEqual([{ t: 0, key: 'A', n: 2 }, { t: H, key: 'B', n: 1 }, { t: 25 * H, key: 'A', n: 1 }]);
    expect(t.series(0, 48 * H, 24 * H)).toEqual([{ t: 0, key: 'A', n: 2 }, { t: 0, key: 'B', n: 1 }, { t: 24 * H, key: 'A', n: 1 }]);
    expect(t.count).toBe(5);
  });

  it('keeps the most recent records, newest first, bytes cut to the bound', () => {
    const t = new DeadLetterTally(3, 4);
    for (let i = 0; i < 5; i++) t.add(dl(`C${i}`, i, Buffer.from('0123456789')));
    expect(t.latest(10).map((d) => d.code)).toEqual(['C4', 'C3', 'C2']);
    expect(t.latest(1)[0]).toMatchObject({ value: Buffer.from('0123').toString('base64'), valueBytes: 10 });
    t.add(dl('N', 9, null));
    expect(t.latest(1)[0]).toMatchObject({ code: 'N', value: null, valueBytes: 0 });
  });

  it('forgets the oldest hours beyond its bound', () => {
    const t = new DeadLetterTally(10, 10, 2);
    for (const h of [0, 1, 2]) t.add(dl('A', h * H));
    expect(t.series(0, 3 * H, H).map((p) => p.t)).toEqual([H, 2 * H]);
  });
});
