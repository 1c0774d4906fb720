// ClickHouse side of the writer: one atomic insert per table and batch, and the offsets already written.
import type { ClickHouseClient } from '../kit/clickhouse.ts';
import { select } from '../kit/clickhouse.ts';
import { ident, str, strList } from '../kit/sql.ts';
import { TABLES, type Row, type Table } from './rows.ts';
import type { WatermarkRow } from './watermarks.ts';

/**
 * The largest insert the writer sends. The tables have no PARTITION BY, so an insert of fewer rows than
 * max_insert_block_size (set explicitly above this) is one part: all of it is written or none of it.
 */
export const MAX_INSERT_ROWS = 500_000;

export interface Sink {
  insert(table: Table, rows: readonly Row[], queryId: string): Promise<void>;
  /** Whether a query with this id still runs on the server (a timed-out insert may still land). */
  running(queryId: string): Promise<boolean>;
  /** Highest src_offset per (table, topic, partition) for the given source topics. */
  watermarks(topics: readonly string[], tables?: readonly Table[]): Promise<WatermarkRow[]>;
}

export class ClickHouseSink implements Sink {
  private readonly db: string;

  constructor(private readonly ch: ClickHouseClient, database: string) {
    this.db = ident(database);
  }

  async insert(table: Table, rows: readonly Row[], queryId: string): Promise<void> {
    if (rows.length > MAX_INSERT_ROWS) throw new RangeError(`insert of ${rows.length} rows exceeds ${MAX_INSERT_ROWS}: split it`);
    await this.ch.insert({
      table: `${this.db}.${ident(table)}`,
      values: rows as Row[],
      format: 'JSONEachRow',
      query_id: queryId,
      clickhouse_settings: { max_insert_block_size: String(MAX_INSERT_ROWS + 1) },
    });
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
    const parts = tables.map((t) => `SELECT ${str(t)} AS target, src_topic, src_partition, max(src_offset) AS src_offset
      FROM ${this.db}.${ident(t)} WHERE src_topic IN ${inTopics} GROUP BY src_topic, src_partition`);
    parts.push(`SELECT target, src_topic, src_partition, max(src_offset) AS src_offset
      FROM ${this.db}.writer_watermarks WHERE src_topic IN ${inTopics} AND target IN ${strList(tables)}
      GROUP BY target, src_topic, src_partition`);
    return select<WatermarkRow>(this.ch, `SELECT target, src_topic, src_partition, toString(max(src_offset)) AS src_offset
      FROM (${parts.join(' UNION ALL ')}) GROUP BY target, src_topic, src_partition`);
  }
}
