import { describe, expect, it } from 'vitest';
import { BatchBuffer, chunks } from './buffer.ts';
import type { Row } from './rows.ts';

const row = (topic: string, partition: number, offset: string, extra: Record<string, unknown> = {}): Row =>
  ({ src_topic: topic, src_partition: partition, src_offset: offset, ...extra });

describe('BatchBuffer', () => {
  it('groups rows per table in table order and commits the next offset of each partition', () => {
    const b = new BatchBuffer();
    b.add('r', 0, '10', { events: [row('r', 0, '10')] }, 100);
    b.add('p', 1, '3', { identities: [row('p', 1, '3', { v: 'a' }), row('p', 1, '3', { v: 'b' })], profiles: [row('p', 1, '3')] }, 200);
    b.add('r', 0, '11', { events: [row('r', 0, '11')] }, 300);
    expect(b.rows).toBe(5);
    expect(b.pendingSince).toBe(100);
    const batch = b.take();
    expect(batch.tables.map(([t, rows]) => [t, rows.length])).toEqual([['events', 2], ['profiles', 1], ['identities', 2]]);
    expect(batch.commits).toEqual([{ topic: 'r', partition: 0, offset: '12' }, { topic: 'p', partition: 1, offset: '4' }]);
    expect(batch.rows).toBe(5);
    expect(b.rows).toBe(0);
    expect(b.empty).toBe(true);
    expect(b.pendingSince).toBeNull();
  });

  it('moves the position of a record that produced no rows (skipped or already written)', () => {
    const b = new BatchBuffer();
    b.add('m', 2, '99', {}, 1);
    expect(b.empty).toBe(false);
    expect(b.take()).toEqual({ tables: [], commits: [{ topic: 'm', partition: 2, offset: '100' }], rows: 0 });
  });

  it('clear drops everything (a rebalance: the rows will be read again)', () => {
    const b = new BatchBuffer();
    b.add('r', 0, '1', { events: [row('r', 0, '1')] }, 1);
    b.clear();
    expect(b.take()).toEqual({ tables: [], commits: [], rows: 0 });
  });
});

describe('chunks', () => {
  it.each([
    [[1, 2, 3, 4, 5], 2, [[1, 2], [3, 4], [5]]],
    [[1, 2], 5, [[1, 2]]],
    [[], 3, []],
  ])('%j by %i', (rows, max, expected) => expect(chunks(rows, max)).toEqual(expected));
});
