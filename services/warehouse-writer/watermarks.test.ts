import { describe, expect, it } from 'vitest';
import type { Row } from './rows.ts';
import { unwritten, Watermarks } from './watermarks.ts';

const row = (topic: string, partition: number, offset: string, extra: Record<string, unknown> = {}): Row =>
  ({ src_topic: topic, src_partition: partition, src_offset: offset, ...extra });
const JAN = Date.UTC(2026, 0, 31, 23, 59, 59) / 1000;
const FEB = Date.UTC(2026, 1, 1) / 1000;

describe('Watermarks', () => {
  it('is -1 for an unknown partition, so offset 0 is not written yet', () => {
    const w = new Watermarks();
    expect(w.get('events', 't', 0, '202601')).toBe(-1n);
    expect(w.written('events', 't', 0, '0', '202601')).toBe(false);
  });

  it.each([
    ['keeps the greatest of several readings', [['events', '202601', 't', '0', '10'], ['events', '202601', 't', '0', '7']], 'events', '202601', 0, 10n],
    ['keeps tables apart', [['events', '', 't', '0', '10'], ['profiles', '', 't', '0', '3']], 'profiles', '', 0, 3n],
    ['keeps table partitions apart', [['events', '202602', 't', '0', '10'], ['events', '202601', 't', '0', '3']], 'events', '202601', 0, 3n],
    ['keeps source partitions apart', [['events', '202601', 't', '1', '10'], ['events', '202601', 't', '0', '3']], 'events', '202601', 0, 3n],
    ['ignores unknown tables', [['schema_migrations', '', 't', '0', '99']], 'events', '', 0, -1n],
    ['reads 64-bit offsets exactly', [['events', '202601', 't', '0', '9007199254740993']], 'events', '202601', 0, 9007199254740993n],
  ] as const)('%s', (_n, readings, table, part, partition, expected) => {
    const w = new Watermarks();
    w.load(readings.map(([target, table_partition, src_topic, src_partition, src_offset]) => ({ target, table_partition, src_topic, src_partition, src_offset })), ['events', 'profiles']);
    expect(w.get(table, 't', partition, part)).toBe(expected);
  });

  it('reads a watermark row without a table partition (the log of before) as the unpartitioned one', () => {
    const w = new Watermarks();
    w.load([{ target: 'profiles', src_topic: 't', src_partition: 0, src_offset: '4' }], ['profiles']);
    expect(w.get('profiles', 't', 0)).toBe(4n);
  });

  it.each([
    ['9', true], ['10', true], ['11', false],
  ])('offset %s written when the watermark is 10: %s', (offset, expected) => {
    const w = new Watermarks();
    w.raise('identities', 't', 0, 10n);
    expect(w.written('identities', 't', 0, offset)).toBe(expected);
  });

  it('unwritten keeps only rows above their own partition watermark', () => {
    const w = new Watermarks();
    w.raise('identities', 'p', 0, 5n);
    w.raise('identities', 'p', 1, 1n);
    const rows = [row('p', 0, '5'), row('p', 0, '6'), row('p', 1, '1'), row('p', 1, '2'), row('p', 2, '0'), row('q', 0, '3')];
    expect(unwritten(rows, 'identities', w)).toEqual([row('p', 0, '6'), row('p', 1, '2'), row('p', 2, '0'), row('q', 0, '3')]);
    expect(unwritten(rows, 'profiles', w)).toEqual(rows);
  });

  // A crash between the January and the February insert of one batch: January is written up to offset 12,
  // February not at all. Re-reading the batch must write exactly February's rows.
  it('after a crash between two table-partition inserts, exactly the rows of the unwritten partition remain', () => {
    const w = new Watermarks();
    w.raise('events', 'r', 0, 12n, '202601');
    const batch = [row('r', 0, '10', { event_time: JAN }), row('r', 0, '11', { event_time: FEB }), row('r', 0, '12', { event_time: JAN }), row('r', 0, '13', { event_time: FEB })];
    expect(unwritten(batch, 'events', w).map((r) => r.src_offset)).toEqual(['11', '13']);
  });
});
