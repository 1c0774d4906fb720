// The writer's own offsets: per table and source partition, the highest source offset already in ClickHouse.
import type { Row, Table } from './rows.ts';

export const partitionKey = (topic: string, partition: number): string => `${topic}#${partition}`;

export interface WatermarkRow { target: string; src_topic: string; src_partition: number | string; src_offset: string }

/**
 * Records at or below a table's watermark are already in that table and are skipped for it, whatever Kafka's
 * committed offset says. Watermarks only rise: several readings (the table's max and the watermark log) are merged
 * by taking the greatest, each being a lower bound of what was written.
 */
export class Watermarks {
  private readonly marks = new Map<Table, Map<string, bigint>>();

  get(table: Table, topic: string, partition: number): bigint {
    return this.marks.get(table)?.get(partitionKey(topic, partition)) ?? -1n;
  }

  raise(table: Table, topic: string, partition: number, offset: bigint): void {
    let m = this.marks.get(table);
    if (!m) { m = new Map(); this.marks.set(table, m); }
    const key = partitionKey(topic, partition);
    const prev = m.get(key);
    if (prev === undefined || offset > prev) m.set(key, offset);
  }

  /** True when the record at `offset` is already written to `table`. */
  written(table: Table, topic: string, partition: number, offset: string | bigint): boolean {
    return BigInt(offset) <= this.get(table, topic, partition);
  }

  /** Raises from query results; rows naming a table the writer does not know are ignored. */
  load(rows: readonly WatermarkRow[], tables: readonly Table[]): void {
    for (const r of rows) {
      const t = tables.find((x) => x === r.target);
      if (t) this.raise(t, r.src_topic, Number(r.src_partition), BigInt(r.src_offset));
    }
  }

  clear(): void {
    this.marks.clear();
  }
}

/** Rows of `rows` not yet in the table by `marks` (after a failed insert, what still needs writing). */
export function unwritten(rows: readonly Row[], table: Table, marks: Watermarks): Row[] {
  return rows.filter((r) => !marks.written(table, r.src_topic, r.src_partition, r.src_offset));
}
