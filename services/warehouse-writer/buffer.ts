// Rows waiting to be written: one list per table partition across source partitions (the Kafka positions they reach
// are the delivery's, kit/stage/pending.ts).
import { TABLES, tablePartition, type Table } from './tables.ts';
import type { Row, TableRows } from './rows.ts';

/** One insert: rows of one table partition (events: one month), so that it is one part, written atomically. */
export interface Insert { table: Table; partition: string; rows: Row[] }

/** What one write sends: one insert per table partition. */
export interface Batch {
  inserts: Insert[];
  rows: number;
}

/**
 * Per source partition, rows are appended in offset order, so a batch writes each source partition's records in order
 * and a watermark after a successful insert covers exactly the records in it.
 */
export class BatchBuffer {
  private inserts = new Map<string, Insert>();
  private count = 0;

  get rows(): number {
    return this.count;
  }

  /** Adds one record's rows (possibly none: a record skipped or already written). */
  addRows(rows: TableRows): void {
    for (const [table, list] of Object.entries(rows) as [Table, Row[]][]) {
      for (const r of list) {
        const part = tablePartition(table, r);
        const key = `${table}|${part}`;
        let target = this.inserts.get(key);
        if (!target) { target = { table, partition: part, rows: [] }; this.inserts.set(key, target); }
        target.rows.push(r);
      }
      this.count += list.length;
    }
  }

  /** Hands over everything pending as one batch (tables in TABLES order, partitions in order) and starts empty. */
  take(): Batch {
    const order = (i: Insert) => TABLES.indexOf(i.table);
    const batch: Batch = {
      inserts: [...this.inserts.values()].sort((a, b) => order(a) - order(b) || (a.partition < b.partition ? -1 : a.partition > b.partition ? 1 : 0)),
      rows: this.count,
    };
    this.clear();
    return batch;
  }

  clear(): void {
    this.inserts = new Map();
    this.count = 0;
  }
}

/** Splits rows into inserts of at most `max` rows, keeping order (so per-partition offset order holds). */
export function chunks<T>(rows: readonly T[], max: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += max) out.push(rows.slice(i, i + max));
  return out;
}
