// The warehouse writer's sink side, one per session: rows not yet in ClickHouse, held per table partition and written
// one atomic insert each, exactly once by the watermarks ClickHouse holds.
import { describe as describeError } from '../kit/errors.ts';
import type { Logger } from '../kit/log.ts';
import type { OffsetHoldingSink } from '../kit/stage/sink-held.ts';
import { BatchBuffer, chunks } from './buffer.ts';
import { insertExactlyOnce, waitForQueries } from './insert.ts';
import type { WriterMetrics } from './metrics.ts';
import type { WriterOutput } from './processor.ts';
import type { Row, TableRows } from './rows.ts';
import { MAX_INSERT_ROWS, type Sink } from './sink.ts';
import { TABLES, type Table } from './tables.ts';
import { Watermarks } from './watermarks.ts';

export interface TableWriterOptions {
  sink: Sink;
  /** The input topics: their watermarks are read on every assignment. */
  topics: readonly string[];
  metrics: WriterMetrics;
  log: Logger;
  /** Inserts given up by an earlier session while the server may still run them; shared by the sessions of a process. */
  inDoubt: Set<string>;
}

/**
 * Exactly once into ClickHouse without Kafka's help (docs/architecture.md, exactly once): every row carries its source
 * offset; on every assignment the watermarks are read from ClickHouse and rows at or below their table partition's
 * watermark are dropped; a write is one atomic insert per table partition, retried (insert.ts) until it lands.
 */
export class TableWriter implements OffsetHoldingSink<WriterOutput> {
  private readonly buffer = new BatchBuffer();
  private readonly marks = new Watermarks();
  private inFlight = 0;

  constructor(private readonly o: TableWriterOptions) {}

  get held(): number { return this.buffer.rows; }

  async assigned(): Promise<void> {
    // A write the last session abandoned may still land: read the watermarks only once it cannot any more.
    if (this.o.inDoubt.size) this.o.log.info({ queries: [...this.o.inDoubt] }, 'waiting for abandoned inserts to end before reading the watermarks');
    await waitForQueries(this.o.sink, this.o.inDoubt);
    const readings = await this.o.sink.watermarks(this.o.topics);
    this.marks.clear();
    this.marks.load(readings, TABLES);
    this.o.log.info({ watermarks: readings.length }, 'watermarks loaded from ClickHouse');
  }

  add(outputs: readonly WriterOutput[]): void {
    for (const out of outputs) {
      if ('skipped' in out) this.o.metrics.skippedTouchpoints.inc({ code: out.skipped });
      else this.buffer.addRows(this.notYetWritten(out.rows));
    }
    this.gauge();
  }

  async write(signal: AbortSignal, report: (problem: string | null) => void): Promise<void> {
    const batch = this.buffer.take();
    this.inFlight = batch.rows;
    try {
      // One insert per table partition: each is one part, so a crash between two of them leaves every (table
      // partition, source partition) written up to an exact offset (watermarks.ts).
      for (const { table, partition, rows } of batch.inserts) {
        for (const chunk of chunks(rows, MAX_INSERT_ROWS)) await this.insert(table, partition, chunk, signal, report);
      }
      this.o.log.debug({ rows: batch.rows, inserts: batch.inserts.map((i) => `${i.table}${i.partition ? `/${i.partition}` : ''}:${i.rows.length}`) }, 'batch written');
    } finally {
      this.inFlight = 0;
      this.o.metrics.paused.set(0);
      this.gauge();
    }
  }

  discard(): void {
    this.buffer.clear();
    this.gauge();
  }

  /** The rows of one record not in ClickHouse yet, by the watermark of each row's own table partition. */
  private notYetWritten(rows: TableRows): TableRows {
    const out: TableRows = {};
    for (const [table, list] of Object.entries(rows) as [Table, Row[]][]) {
      const held = (r: Row) => this.marks.holds(table, r);
      const left = list.some(held) ? list.filter((r) => !held(r)) : list;
      if (left.length < list.length) this.o.metrics.rowsSkipped.inc({ table }, list.length - left.length);
      if (left.length > 0) out[table] = left;
    }
    return out;
  }

  /** One atomic insert, retried until it lands (insert.ts); meanwhile the input is held and /readyz says why. */
  private async insert(table: Table, tablePart: string, rows: Row[], signal: AbortSignal, report: (problem: string | null) => void): Promise<void> {
    const written = await insertExactlyOnce({
      sink: this.o.sink,
      marks: this.marks,
      signal,
      onFailure: (err, t, n) => {
        this.o.metrics.insertRetries.inc({ table: t });
        this.o.metrics.paused.set(1);
        report(`ClickHouse insert into ${t} failing: ${describeError(err)}`);
        this.o.log.warn({ err, table: t, rows: n }, 'insert failed; will check what landed and retry');
      },
      onUnavailable: (err, t) => this.o.log.warn({ err, table: t }, 'ClickHouse still unavailable'),
      onAbandoned: (queryId) => this.o.inDoubt.add(queryId),
    }, table, tablePart, rows);
    this.o.metrics.rowsWritten.inc({ table }, written);
  }

  private gauge(): void {
    this.o.metrics.bufferedRows.set(this.buffer.rows + this.inFlight);
  }
}
