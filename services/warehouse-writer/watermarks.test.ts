import { describe, expect, it } from 'vitest';
import type { Row } from './rows.ts';
import { unwritten, Watermarks } from './watermarks.ts';

const row = (topic: string, partition: number, offset: string): Row => ({ src_topic: topic, src_partition: partition, src_offset: offset });

describe('Watermarks', () => {
  it('is -1 for an unknown partition, so offset 0 is not written yet', () => {
    const w = new Watermarks();
    expect(w.get('events', 't', 0)).toBe(-1n);
    expect(w.written('events', 't', 0, '0')).toBe(false);
  });

  it.each([
    ['keeps the greatest of several readings', [['events', 't', '0', '10'], ['events', 't', '0', '7']], 'events', 't', 0, 10n],
    ['keeps tables apart', [['events', 't', '0', '10'], ['profiles', 't', '0', '3']], 'profiles', 't', 0, 3n],
    ['keeps partitions apart', [['events', 't', '1', '10'], ['events', 't', '0', '3']], 'events', 't', 0, 3n],
    ['ignores unknown tables', [['schema_migrations', 't', '0', '99']], 'events', 't', 0, -1n],
    ['reads 64-bit offsets exactly', [['events', 't', '0', '9007199254740993']], 'events', 't', 0, 9007199254740993n],
  ] as const)('%s', (_n, readings, table, topic, partition, expected) => {
    const w = new Watermarks();
    w.load(readings.map(([target, src_topic, src_partition, src_offset]) => ({ target, src_topic, src_partition, src_offset })), ['events', 'profiles']);
    expect(w.get(table, topic, partition)).toBe(expected);
  });

  it.each([
    ['9', true], ['10', true], ['11', false],
  ])('offset %s written when the watermark is 10: %s', (offset, expected) => {
    const w = new Watermarks();
    w.raise('events', 't', 0, 10n);
    expect(w.written('events', 't', 0, offset)).toBe(expected);
  });

  it('unwritten keeps only rows above their own partition watermark', () => {
    const w = new Watermarks();
    w.raise('identities', 'p', 0, 5n);
    w.raise('identities', 'p', 1, 1n);
    const rows = [row('p', 0, '5'), row('p', 0, '6'), row('p', 1, '1'), row('p', 1, '2'), row('p', 2, '0'), row('q', 0, '3')];
    expect(unwritten(rows, 'identities', w)).toEqual([row('p', 0, '6'), row('p', 1, '2'), row('p', 2, '0'), row('q', 0, '3')]);
    expect(unwritten(rows, 'events', w)).toEqual(rows);
  });
});
