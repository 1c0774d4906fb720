// Retention in ClickHouse: lists the month partitions of the events table and drops those a plan names.
import { select, type ClickHouseClient } from '../kit/clickhouse.ts';
import { ident, str } from '../kit/sql.ts';
import { planRetention, type RetentionPlan } from './retention.ts';

/**
 * The tables retention drops months of: the raw events (migration 007) and their copy in the analysts' database
 * (migration 036), both partitioned by month of event time. A table that does not exist is left out.
 */
export async function retentionTables(ch: ClickHouseClient, database: string): Promise<Array<[db: string, table: string]>> {
  const wanted: Array<[string, string]> = [[database, 'events'], [`${database}_analyst`, 'events']];
  const rows = await select<{ database: string; name: string }>(ch, `SELECT database, name FROM system.tables WHERE (database, name) IN (${wanted.map(([d, t]) => `(${str(d)}, ${str(t)})`).join(', ')})`);
  return wanted.filter(([d, t]) => rows.some((r) => r.database === d && r.name === t));
}

export interface PartitionRows { partition: string; rows: number }

export async function monthPartitions(ch: ClickHouseClient, database: string, table: string): Promise<PartitionRows[]> {
  const rows = await select<{ partition_id: string; rows: string }>(ch, `SELECT partition_id, toString(sum(rows)) AS rows FROM system.parts
    WHERE active AND database = ${str(database)} AND table = ${str(table)} GROUP BY partition_id ORDER BY partition_id`);
  return rows.map((r) => ({ partition: r.partition_id, rows: Number(r.rows) }));
}

export interface TableRetention { /** database.table */ table: string; plan: RetentionPlan; droppedRows: number; keptRows: number }

/**
 * Drops the expired months of each retention table (or only plans it when `dryRun`). DROP PARTITION is one metadata
 * change per month on 18.16 and on current releases: the parts go at once, no mutation rewrites anything, and running
 * it again drops nothing more.
 */
export async function applyRetention(ch: ClickHouseClient, o: { database: string; keepDays: number; asOfMs: number; dryRun: boolean }): Promise<TableRetention[]> {
  const out: TableRetention[] = [];
  for (const [database, table] of await retentionTables(ch, o.database)) {
    const db = ident(database);
    const parts = await monthPartitions(ch, database, table);
    const plan = planRetention(parts.map((p) => p.partition), o.asOfMs, o.keepDays);
    const rowsOf = new Map(parts.map((p) => [p.partition, p.rows]));
    const dropped = new Set(plan.drop);
    if (!o.dryRun) {
      for (const month of plan.drop) await ch.command({ query: `ALTER TABLE ${db}.${ident(table)} DROP PARTITION ID ${str(month)}` });
    }
    out.push({
      table: `${database}.${table}`,
      plan,
      droppedRows: plan.drop.reduce((n, m) => n + (rowsOf.get(m) ?? 0), 0),
      keptRows: parts.filter((p) => !dropped.has(p.partition)).reduce((n, p) => n + p.rows, 0),
    });
  }
  return out;
}
