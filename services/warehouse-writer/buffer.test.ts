import { describe, expect, it } from 'vitest';
import { BatchBuffer, chunks } from './buffer.ts';
import type { Row } from './rows.ts';

const row = (topic: string, partition: number, offset: string, extra: Record<string, unknown> = {}): Row =>
  ({ src_topic: topic, src_partition: partition, src_offset: offset, ...extra });
const JAN = Date.UTC(2026, 0, 15) / 1000;
const FEB = Date.UTC(2026, 1, 1) / 1000;

describe('BatchBuffer', () => {
  it('groups rows per table partition in table order, each source partition in offset order', () => {
    const b = new BatchBuffer();
    b.addRows({ events: [row('r', 0, '10', { event_time: FEB })] });
    b.addRows({ identities: [row('p', 1, '3', { v: 'a' }), row('p', 1, '3', { v: 'b' })], profiles: [row('p', 1, '3')] });
    b.addRows({ events: [row('r', 0, '11', { event_time: JAN })] });
    b.addRows({ events: [row('r', 2, '5', { event_time: FEB })] });
    expect(b.rows).toBe(6);
    const batch = b.take();
    expect(batch.inserts.map((i) => [i.table, i.partition, i.rows.map((r) => `${r.src_partition}@${r.src_offset}`)])).toEqual([
      ['events', '202601', ['0@11']],
      ['events', '202602', ['0@10', '2@5']],
      ['profiles', '', ['1@3']],
      ['identities', '', ['1@3', '1@3']],
    ]);
    expect(batch.rows).toBe(6);
    expect(b.rows).toBe(0);
    expect(b.take()).toEqual({ inserts: [], rows: 0 });
  });

  it('clear drops everything (a rebalance: the rows will be read again)', () => {
    const b = new BatchBuffer();
    b.addRows({ events: [row('r', 0, '1', { event_time: JAN })] });
    b.clear();
    expect(b.take()).toEqual({ inserts: [], rows: 0 });
  });
});

describe('chunks', () => {
  it.each([
    [[1, 2, 3, 4, 5], 2, [[1, 2], [3, 4], [5]]],
    [[1, 2], 5, [[1, 2]]],
    [[], 3, []],
  ])('%j by %i', (rows, max, expected) => expect(chunks(rows, max)).toEqual(expected));
});
