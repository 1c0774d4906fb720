import { describe, expect, it } from 'vitest';
import { Pending } from './pending.ts';

const unit = (partition: number, next: number, records: number) => ({
  outputs: [], deadLetters: [], records, tally: { seen: records },
  next: [{ topic: 't', partition, offset: String(next) }],
});

describe('Pending', () => {
  it('keeps the latest next offset per partition and sums the counts until taken', () => {
    const p = new Pending();
    p.add(unit(0, 10, 10), 1000, (out) => out.set('x', (out.get('x') ?? 0) + 1));
    p.add(unit(1, 5, 5), 1010, (out) => out.set('x', (out.get('x') ?? 0) + 1));
    p.add(unit(0, 12, 2), 1020, () => undefined);
    expect(p.age(1100)).toBe(100);
    const c = p.take();
    expect(c.next).toEqual([{ topic: 't', partition: 0, offset: '12' }, { topic: 't', partition: 1, offset: '5' }]);
    expect([c.records, c.tally.seen, c.out.get('x')]).toEqual([17, 17, 2]);
    expect([p.records, p.offsets(), p.age(2000)]).toEqual([0, [], 0]);
  });

  it('forgets the offsets of partitions that moved to another member', () => {
    const p = new Pending();
    p.add(unit(0, 10, 10), 0, () => undefined);
    p.add(unit(1, 5, 5), 0, () => undefined);
    p.keepOnly({ t: [1] });
    expect(p.offsets()).toEqual([{ topic: 't', partition: 1, offset: '5' }]);
  });
});
