// ClickHouse's write ceiling on this machine for the pipeline's own event rows: the rows the writer wrote, exported
// in the writer's insert format (RowBinary, its column list) to files of the writer's batch size, then inserted from
// those files over HTTP, one insert after the other, into an empty table of the same definition. No Kafka, no decoding
// in node: what ClickHouse alone takes to accept these rows.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { ClickHouseClient } from '../services/kit/clickhouse.ts';
import { select } from '../services/kit/clickhouse.ts';
import { ident } from '../services/kit/sql.ts';
import { COLUMNS } from '../services/warehouse-writer/tables.ts';

export interface HttpTarget { url: string; user: string; password: string }

export interface WriteCeiling { rows: number; bytes: number; inserts: number; batchRows: number; seconds: number; rowsPerSecond: number; format: 'RowBinary'; via: 'HTTP' }

const columns = COLUMNS.events.map(([n]) => ident(n)).join(', ');

async function http(t: HttpTarget, query: string, body?: Buffer): Promise<Buffer> {
  const u = new URL(t.url);
  u.searchParams.set('query', query);
  const res = await fetch(u, {
    method: 'POST', body: body ?? null,
    headers: { 'X-ClickHouse-User': t.user, 'X-ClickHouse-Key': t.password },
  });
  const out = Buffer.from(await res.arrayBuffer());
  if (!res.ok) throw new Error(`ClickHouse ${res.status}: ${out.toString('utf8').slice(0, 500)}`);
  return out;
}

/** Exports the event rows of `database` as RowBinary files of about `batchRows` rows each (disjoint by message id). */
export async function exportEventRows(ch: ClickHouseClient, t: HttpTarget, database: string, dir: string, batchRows: number): Promise<{ files: string[]; rows: number }> {
  const [row] = await select<{ n: string }>(ch, `SELECT count() AS n FROM ${ident(database)}.events`);
  const rows = Number(row?.n ?? 0);
  const n = Math.max(1, Math.ceil(rows / batchRows));
  mkdirSync(dir, { recursive: true });
  const files: string[] = [];
  for (let i = 0; i < n; i++) {
    const body = await http(t, `SELECT ${columns} FROM ${ident(database)}.events WHERE cityHash64(message_id) % ${n} = ${i} FORMAT RowBinary`);
    const f = `${dir}/events-${i}.rowbinary`;
    writeFileSync(f, body);
    files.push(f);
  }
  return { files, rows };
}

/** Inserts the files one after the other into a fresh copy of `database`.events; wall time of the inserts alone. */
export async function writeCeiling(ch: ClickHouseClient, t: HttpTarget, database: string, files: string[], rows: number, batchRows: number): Promise<WriteCeiling> {
  const table = `${ident(database)}.events_write_ceiling`;
  await ch.command({ query: `DROP TABLE IF EXISTS ${table}` });
  await ch.command({ query: `CREATE TABLE ${table} AS ${ident(database)}.events` });
  try {
    const bodies = files.map((f) => readFileSync(f));
    const started = performance.now();
    for (const b of bodies) await http(t, `INSERT INTO ${table} (${columns}) FORMAT RowBinary`, b);
    const seconds = (performance.now() - started) / 1000;
    const [row] = await select<{ n: string }>(ch, `SELECT count() AS n FROM ${table}`);
    if (Number(row?.n) !== rows) throw new Error(`write ceiling: ${row?.n} rows landed of ${rows}`);
    return { rows, bytes: bodies.reduce((a, b) => a + b.length, 0), inserts: bodies.length, batchRows, seconds, rowsPerSecond: rows / seconds, format: 'RowBinary', via: 'HTTP' };
  } finally {
    await ch.command({ query: `DROP TABLE IF EXISTS ${table}` }).catch(() => undefined);
    for (const f of files) rmSync(f, { force: true });
  }
}
