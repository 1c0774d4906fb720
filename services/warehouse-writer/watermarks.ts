// The writer's own offsets: per table, table partition and source partition, the highest source offset already in
// ClickHouse.
import { tablePartition, type Table } from './tables.ts';
import type { Row } from './rows.ts';

const markKey = (table: Table, tablePart: string, topic: string, partition: number): string => `${table}|${tablePart}|${topic}#${partition}`;

export interface WatermarkRow { target: string; table_partition?: string; src_topic: string; src_partition: number | string; src_offset: string }

/**
 * Records at or below a watermark are already in that table partition and are skipped for it, whatever Kafka's
 * committed offset says. Each insert covers one table partition and carries each source partition's rows in offset
 * order, so per (table partition, source partition) what is written is always a prefix: a crash between the inserts
 * of two table partitions leaves each with its own exact watermark. Watermarks only rise: several readings (the
 * table's max and the watermark log) are merged by taking the greatest, each being a lower bound of what was written.
 */
export class Watermarks {
  private readonly marks = new Map<string, bigint>();

  /** `tablePart` is the table partition (events: YYYYMM); '' for an unpartitioned table. */
  get(table: Table, topic: string, partition: number, tablePart = ''): bigint {
    return this.marks.get(markKey(table, tablePart, topic, partition)) ?? -1n;
  }

  raise(table: Table, topic: string, partition: number, offset: bigint, tablePart = ''): void {
    const key = markKey(table, tablePart, topic, partition);
    const prev = this.marks.get(key);
    if (prev === undefined || offset > prev) this.marks.set(key, offset);
  }

  /** True when the record at `offset` is already written to that partition of `table`. */
  written(table: Table, topic: string, partition: number, offset: string | bigint, tablePart = ''): boolean {
    return BigInt(offset) <= this.get(table, topic, partition, tablePart);
  }

  /** True when this row (by its own table partition and source position) is already written. */
  holds(table: Table, row: Row): boolean {
    return this.written(table, row.src_topic, row.src_partition, row.src_offset, tablePartition(table, row));
  }

  /** Raises from query results; rows naming a table the writer does not know are ignored. */
  load(rows: readonly WatermarkRow[], tables: readonly Table[]): void {
    for (const r of rows) {
      const t = tables.find((x) => x === r.target);
      if (t) this.raise(t, r.src_topic, Number(r.src_partition), BigInt(r.src_offset), r.table_partition ?? '');
    }
  }

  clear(): void {
    this.marks.clear();
  }
}

/** Rows of `rows` not yet in the table by `marks` (after a failed insert, what still needs writing). */
export function unwritten(rows: readonly Row[], table: Table, marks: Watermarks): Row[] {
  return rows.filter((r) => !marks.holds(table, r));
}
