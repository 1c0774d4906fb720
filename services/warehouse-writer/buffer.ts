// Rows waiting to be written: one list per table across partitions, plus the Kafka position each partition reached.
import { TABLES, type Row, type Table, type TableRows } from './rows.ts';
import { partitionKey } from './watermarks.ts';

export interface Commit { topic: string; partition: number; offset: string }

/** What one flush writes: one insert per table, then these offsets (the next to read) are committed. */
export interface Batch {
  tables: [Table, Row[]][];
  commits: Commit[];
  rows: number;
}

/**
 * Per partition, rows are appended in offset order, so a batch writes each partition's records in order and a
 * table's watermark after a successful insert covers exactly the records in it.
 */
export class BatchBuffer {
  private tables = new Map<Table, Row[]>();
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
      if (list.length === 0) continue;
      let target = this.tables.get(table);
      if (!target) { target = []; this.tables.set(table, target); }
      for (const r of list) target.push(r);
      this.count += list.length;
    }
    this.positions.set(partitionKey(topic, partition), { topic, partition, offset: (BigInt(offset) + 1n).toString() });
    this.since ??= now;
  }

  /** Hands over everything pending as one batch and starts empty. */
  take(): Batch {
    const batch: Batch = {
      tables: TABLES.flatMap((t) => { const rows = this.tables.get(t); return rows && rows.length > 0 ? [[t, rows] as [Table, Row[]]] : []; }),
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
    this.tables = new Map();
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
