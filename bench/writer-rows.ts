// The warehouse writer's own work per event, without Kafka: decode the Avro value, map it to rows, encode the insert.
// Compares RowBinary with JSONEachRow for the touchpoints (extraction + claim key, as the writer reads them); then
// ClickHouse's side of one insert of the same rows in both formats. (The resolved stream of the resolver before was
// measured here too until the writer stopped reading it: docs/warehouse-writer.md.)
//   npx tsx bench/writer-rows.ts [--events 200000] [--insert-rows 100000]
import { parseArgs } from 'node:util';
import { Readable } from 'node:stream';
import { avroType } from '../services/kit/avro.ts';
import { createClickHouse, select } from '../services/kit/clickhouse.ts';
import { commonEnv, parseEnv } from '../services/kit/config.ts';
import { loadMigrations } from '../services/kit/migrate.ts';
import { defaultIdentityConfig } from '../services/identity/index.ts';
import { defaultPopulation, generate } from '../services/loadgen/population.ts';
import type { Touchpoint } from '../services/contract/touchpoint.ts';
import { validateTouchpoint } from '../services/contract/validate.ts';
import { touchpointRows } from '../services/warehouse-writer/event-rows.ts';
import { encodeRows, RowBinaryWriter } from '../services/warehouse-writer/rowbinary.ts';
import type { Row, TableRows } from '../services/warehouse-writer/rows.ts';
import { COLUMNS, type Table } from '../services/warehouse-writer/tables.ts';

const { values: a } = parseArgs({ options: { events: { type: 'string', default: '200000' }, 'insert-rows': { type: 'string', default: '100000' } } });
const n = Math.round(Number(a.events));
const insertRows = Math.round(Number(a['insert-rows']));

// Touchpoints as the collector publishes them.
const touchpoints = generate({ ...defaultPopulation, people: Math.ceil(n / 60) }).touchpoints.filter((t) => validateTouchpoint(t).ok).slice(0, n);
const touchpointType = avroType('touchpoint');
const touchpointBytes = touchpoints.map((t) => touchpointType.toBuffer(t));
const at = (i: number) => ({ topic: 't', partition: 0, offset: String(i) });

/** CPU µs per event (user + system of this process) of one pass; the best of three passes (warm JIT, least noise). */
function cpuPerEvent(name: string, pass: () => void): number {
  let best = Infinity;
  for (let r = 0; r < 3; r += 1) {
    const start = process.cpuUsage();
    pass();
    const used = process.cpuUsage(start);
    best = Math.min(best, (used.user + used.system) / touchpoints.length);
  }
  console.log(`${name.padEnd(62)} ${best.toFixed(2).padStart(7)} µs/event`);
  return best;
}

/** Batches of 20,000 events, as the writer flushes them: rows per table, then one encoded insert per table. */
function run(bytes: Buffer[], map: (b: Buffer, i: number) => TableRows, encode: (table: Table, rows: Row[]) => unknown): () => void {
  return () => {
    let batch = new Map<Table, Row[]>();
    const flush = () => { for (const [t, rows] of batch) encode(t, rows); batch = new Map(); };
    for (let i = 0; i < bytes.length; i += 1) {
      for (const [t, rows] of Object.entries(map(bytes[i]!, i)) as [Table, Row[]][]) {
        let list = batch.get(t);
        if (!list) batch.set(t, list = []);
        for (const r of rows) list.push(r);
      }
      if (i % 20_000 === 19_999) flush();
    }
    flush();
  };
}
const fromTouchpoint = (b: Buffer, i: number): TableRows => {
  const m = touchpointRows(touchpointType.fromBuffer(b) as Touchpoint, defaultIdentityConfig, at(i));
  return m.ok ? m.rows : {};
};
const writer = new RowBinaryWriter();
const rowBinary = (t: Table, rows: Row[]) => encodeRows(COLUMNS[t], rows, writer);
const jsonEachRow = (_t: Table, rows: Row[]) => Buffer.from(rows.map((r) => JSON.stringify(r)).join('\n'));

console.log(`${touchpoints.length.toLocaleString('en-US')} generated touchpoints; Avro ${(touchpointBytes.reduce((s, b) => s + b.length, 0) / touchpoints.length).toFixed(0)} B per touchpoint`);
const figures = {
  decodeTouchpoint: cpuPerEvent('decode touchpoint (Avro)', () => { for (const b of touchpointBytes) touchpointType.fromBuffer(b); }),
  touchpointsRowBinary: cpuPerEvent('touchpoints: decode + extract + claim key + row + RowBinary', run(touchpointBytes, fromTouchpoint, rowBinary)),
  touchpointsJson: cpuPerEvent('touchpoints: decode + extract + claim key + row + JSONEachRow', run(touchpointBytes, fromTouchpoint, jsonEachRow)),
};

// ClickHouse's side: the same rows inserted once as RowBinary and once as JSONEachRow into a scratch events table.
const cfg = parseEnv(commonEnv);
const ch = createClickHouse({ url: cfg.TESSERA_CLICKHOUSE_URL, user: cfg.TESSERA_CLICKHOUSE_USER, password: cfg.TESSERA_CLICKHOUSE_PASSWORD });
const db = `bench_writer_rows_${Date.now().toString(36)}`;
const rows: Row[] = [];
for (let i = 0; rows.length < insertRows; i += 1) rows.push(...(fromTouchpoint(touchpointBytes[i % touchpointBytes.length]!, i).events ?? []));
// One month only: one part per insert, as the writer sends them.
for (const r of rows) r.event_time = Date.UTC(2026, 0, 15) / 1000;
try {
  await ch.command({ query: `CREATE DATABASE ${db}` });
  const events = loadMigrations(db).flatMap((m) => m.statements).find((s) => s.includes(`${db}.events_v2`) && s.startsWith('CREATE TABLE'))!;
  const server = async (format: 'RowBinary' | 'JSONEachRow', table: string) => {
    await ch.command({ query: events.replace(`${db}.events_v2`, `${db}.${table}`) });
    const id = `bench-writer-rows-${format}-${Date.now()}`;
    const body = format === 'RowBinary' ? encodeRows(COLUMNS.events, rows) : jsonEachRow('events', rows);
    const t = performance.now();
    const r = await ch.exec({ query: `INSERT INTO ${db}.${table} (${COLUMNS.events.map(([c]) => c).join(', ')}) FORMAT ${format}`, values: Readable.from([body]), query_id: id,
      clickhouse_settings: { log_queries: 1, max_insert_block_size: String(rows.length + 1) } });
    for await (const chunk of r.stream) void chunk;
    const wall = performance.now() - t;
    await ch.command({ query: 'SYSTEM FLUSH LOGS' });
    const [log] = await select<{ ms: string }>(ch, `SELECT toString(query_duration_ms) AS ms FROM system.query_log WHERE type = 2 AND query_id = '${id}'`);
    const ms = Number(log?.ms ?? wall);
    console.log(`ClickHouse insert of ${rows.length.toLocaleString('en-US')} rows as ${format.padEnd(11)} ${(body.length / 1e6).toFixed(1).padStart(6)} MB  ${ms.toFixed(0).padStart(6)} ms server  ${Math.round(rows.length / (ms / 1000)).toLocaleString('en-US').padStart(9)} rows/s`);
    return { bytes: body.length, serverMs: ms, rowsPerSecond: rows.length / (ms / 1000) };
  };
  const insert = { rowBinary: await server('RowBinary', 'rb'), jsonEachRow: await server('JSONEachRow', 'js') };
  console.log(JSON.stringify({ command: `npx tsx bench/writer-rows.ts --events ${n} --insert-rows ${insertRows}`, cpuMicrosPerEvent: figures, insert }));
} finally {
  await ch.command({ query: `DROP DATABASE IF EXISTS ${db}` });
  await ch.close();
}
