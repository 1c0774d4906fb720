// Rows waiting to be written: one list per table partition across source partitions, plus the Kafka position each
// source partition reached.
import { TABLES, tablePartition, type Table } from './tables.ts';
import type { Row, TableRows } from './rows.ts';
import { partitionKey } from './watermarks.ts';

export interface Commit { topic: string; partition: number; offset: string }

/** One insert: rows of one table partition (events: one month), so that it is one part, written atomically. */
export interface Insert { table: Table; partition: string; rows: Row[] }

/** What one flush writes: one insert per table partition, then these offsets (the next to read) are committed. */
export interface Batch {
  inserts: Insert[];
  commits: Commit[];
  rows: number;
}

/**
 * Per source partition, rows are appended in offset order, so a batch writes each source partition's records in order
 * and a watermark after a successful insert covers exactly the records in it.
 */
export class BatchBuffer {
  private inserts = new Map<string, Insert>();
  private positions = new Map<string, Commit>();
  private count = 0;
  private since: number | null = null;

  get rows(): number {
    return this.count;
  }

  /** Time (ms, caller's clock) the oldest unflushed record was added; null when nothing is pending. */
  get pendingSince(): number | null {
    return this.since;
  }

  /** Adds a record's rows (possibly none: a skipped record still moves the partition's position). */
  add(topic: string, partition: number, offset: string, rows: TableRows, now: number): void {
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
    this.positions.set(partitionKey(topic, partition), { topic, partition, offset: (BigInt(offset) + 1n).toString() });
    this.since ??= now;
  }

  /** Hands over everything pending as one batch (tables in TABLES order, partitions in order) and starts empty. */
  take(): Batch {
    const order = (i: Insert) => TABLES.indexOf(i.table);
    const batch: Batch = {
      inserts: [...this.inserts.values()].sort((a, b) => order(a) - order(b) || (a.partition < b.partition ? -1 : a.partition > b.partition ? 1 : 0)),
      commits: [...this.positions.values()],
      rows: this.count,
    };
    this.clear();
    return batch;
  }

  get empty(): boolean {
    return this.positions.size === 0;
  }

  clear(): void {
    this.inserts = new Map();
    this.positions = new Map();
    this.count = 0;
    this.since = null;
  }
}

/** Splits rows into inserts of at most `max` rows, keeping order (so per-partition offset order holds). */
export function chunks<T>(rows: readonly T[], max: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += max) out.push(rows.slice(i, i + max));
  return out;
}
