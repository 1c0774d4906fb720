// ClickHouse side of the writer: one atomic RowBinary insert per table partition and batch, and the offsets already
// written.
import { Readable } from 'node:stream';
import type { ClickHouseClient } from '../kit/clickhouse.ts';
import { select } from '../kit/clickhouse.ts';
import { ident, str, strList } from '../kit/sql.ts';
import { encodeRows } from './rowbinary.ts';
import type { Row } from './rows.ts';
import { COLUMNS, PARTITION_EXPRESSION, TABLES, type Table } from './tables.ts';
import type { WatermarkRow } from './watermarks.ts';

/**
 * The largest insert the writer sends. An insert of fewer rows than max_insert_block_size (set explicitly above this)
 * into one table partition is one part: all of it is written or none of it.
 */
export const MAX_INSERT_ROWS = 500_000;

export interface Sink {
  /**
   * Inserts rows that all belong to one partition of the table. `signal` gives up waiting for the server (a stop, a
   * rebalance); the insert may still land, which the next session's watermarks tell.
   */
  insert(table: Table, rows: readonly Row[], queryId: string, signal?: AbortSignal): Promise<void>;
  /** Whether a query with this id still runs on the server (a timed-out insert may still land). */
  running(queryId: string): Promise<boolean>;
  /** Highest src_offset per (table, table partition, topic, partition) for the given source topics. */
  watermarks(topics: readonly string[], tables?: readonly Table[]): Promise<WatermarkRow[]>;
}

export class ClickHouseSink implements Sink {
  private readonly db: string;
  private readonly statements: Record<Table, string>;

  constructor(private readonly ch: ClickHouseClient, database: string) {
    this.db = ident(database);
    this.statements = Object.fromEntries(TABLES.map((t) =>
      [t, `INSERT INTO ${this.db}.${ident(t)} (${COLUMNS[t].map(([c]) => ident(c)).join(', ')}) FORMAT RowBinary`])) as Record<Table, string>;
  }

  async insert(table: Table, rows: readonly Row[], queryId: string, signal?: AbortSignal): Promise<void> {
    if (rows.length > MAX_INSERT_ROWS) throw new RangeError(`insert of ${rows.length} rows exceeds ${MAX_INSERT_ROWS}: split it`);
    if (rows.length === 0) return;
    const body = encodeRows(COLUMNS[table], rows);
    // exec sends the statement in the URL and the bytes as the body; the (empty) response must be read to free the socket.
    const result = await this.ch.exec({
      query: this.statements[table],
      values: Readable.from([body]),
      query_id: queryId,
      ...(signal ? { abort_signal: signal } : {}),
      clickhouse_settings: { max_insert_block_size: String(MAX_INSERT_ROWS + 1) },
    });
    for await (const chunk of result.stream) void chunk;
  }

  async running(queryId: string): Promise<boolean> {
    const rows = await select<{ n: string }>(this.ch, `SELECT count() AS n FROM system.processes WHERE query_id = ${str(queryId)}`);
    return Number(rows[0]?.n ?? 0) > 0;
  }

  /**
   * Both readings are lower bounds of what was written: a table's max(src_offset) can drop when
   * ReplacingMergeTree collapses the row that held it, and the watermark log lags if the server died between
   * the part and its view. The caller keeps the greatest.
   */
  async watermarks(topics: readonly string[], tables: readonly Table[] = TABLES): Promise<WatermarkRow[]> {
    if (topics.length === 0 || tables.length === 0) return [];
    const inTopics = strList(topics);
    const parts = tables.map((t) => `SELECT ${str(t)} AS target, ${PARTITION_EXPRESSION[t]} AS table_partition, src_topic, src_partition,
      max(src_offset) AS src_offset FROM ${this.db}.${ident(t)} WHERE src_topic IN ${inTopics} GROUP BY table_partition, src_topic, src_partition`);
    parts.push(`SELECT target, table_partition, src_topic, src_partition, max(src_offset) AS src_offset
      FROM ${this.db}.writer_watermarks WHERE src_topic IN ${inTopics} AND target IN ${strList(tables)}
      GROUP BY target, table_partition, src_topic, src_partition`);
    return select<WatermarkRow>(this.ch, `SELECT target, table_partition, src_topic, src_partition, toString(max(src_offset)) AS src_offset
      FROM (${parts.join(' UNION ALL ')}) GROUP BY target, table_partition, src_topic, src_partition`);
  }
}
