// The ClickHouse layout for analysts, measured: the analyst guide's queries on N generated events (default 10 million)
// loaded straight into ClickHouse, on the layout before migration 007 (v1) and on the current one (v2): server time
// per query (median of the runs), rows and bytes read. Prints a table and writes bench/results/<date>-layout-<sha>.json.
//   npx tsx bench/layout.ts [--events 1e7] [--runs 3] [--out bench/results] [--keep] [--reuse <v1 db>,<v2 db>]
//                           [--events-order '<sort key of v2 events>']
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { createClient, type ClickHouseClient } from '@clickhouse/client';
import { documentedQueries } from '../infra/local/documented-sql.ts';
import { table } from '../services/demo/table.ts';
import { commonEnv, parseEnv } from '../services/kit/config.ts';
import { loadMigrations, splitStatements } from '../services/kit/migrate.ts';
import { ClickHouseSink } from '../services/warehouse-writer/sink.ts';
import { machineInfo } from './machine.ts';
import { GUIDE_VALUES, insertEvents, insertIdentity, population } from './layout-population.ts';

const { values: a } = parseArgs({
  options: {
    events: { type: 'string', default: '1e7' },
    runs: { type: 'string', default: '3' },
    out: { type: 'string', default: 'bench/results' },
    keep: { type: 'boolean', default: false },
    // Databases a run with --keep left (with the same --events): time the queries again without loading them; an
    // empty name (`--reuse bench_layout_v1_x,`) loads that layout.
    reuse: { type: 'string' },
    // Another sort key for v2's events, to compare (e.g. 'toDate(event_time), claim_key, message_id').
    'events-order': { type: 'string' },
  },
});
const events = Math.round(Number(a.events));
const runs = Math.max(1, Math.round(Number(a.runs)));
if (!(events >= 1000)) throw new Error('--events must be at least 1000');
const cfg = parseEnv(commonEnv);
const ch: ClickHouseClient = createClient({ url: cfg.TESSERA_CLICKHOUSE_URL, username: cfg.TESSERA_CLICKHOUSE_USER, password: cfg.TESSERA_CLICKHOUSE_PASSWORD, request_timeout: 3_600_000 });
const runId = Date.now().toString(36);
const reused = { v1: a.reuse?.split(',')[0] || null, v2: a.reuse?.split(',')[1] || null };
const dbs = { v1: reused.v1 ?? `bench_layout_v1_${runId}`, v2: reused.v2 ?? `bench_layout_v2_${runId}` } as const;
const EVENTS_ORDER = 'ORDER BY (toMonday(event_time), claim_key, message_id)';
type Layout = keyof typeof dbs;
const pop = population(events);

const command = (query: string) => ch.command({ query, clickhouse_settings: { max_block_size: '262144', max_insert_block_size: '1048576' } });
const rows = async <T>(query: string): Promise<T[]> => (await ch.query({ query, format: 'JSONEachRow' })).json<T>();
const seconds = async (f: () => Promise<unknown>): Promise<number> => { const t = performance.now(); await f(); return (performance.now() - t) / 1000; };

/** Waits until ClickHouse has no merge running on the database for a few seconds: queries then see settled parts. */
async function settled(db: string): Promise<void> {
  let quiet = 0;
  while (quiet < 3) {
    const [m] = await rows<{ n: string }>(`SELECT count() AS n FROM system.merges WHERE database = '${db}'`);
    quiet = m?.n === '0' ? quiet + 1 : 0;
    await new Promise((r) => setTimeout(r, 2_000));
  }
}

async function load(layout: Layout): Promise<{ migrate: number; events: number; identity: number }> {
  const db = dbs[layout];
  await command(`CREATE DATABASE ${db}`);
  // v1: the migrations before the new layout; v2: all of them.
  const migrations = loadMigrations(db).filter((m) => layout === 'v2' || m.name < '007');
  const order = (st: string) => (a['events-order'] && st.includes(EVENTS_ORDER) ? st.replace(EVENTS_ORDER, `ORDER BY (${a['events-order']})`) : st);
  if (a['events-order'] && !migrations.some((m) => m.statements.some((st) => st.includes(EVENTS_ORDER)))) throw new Error(`no ${EVENTS_ORDER} in the migrations to replace`);
  const migrate = await seconds(async () => { for (const m of migrations) for (const st of m.statements) await command(order(st)); });
  const eventsLoad = await seconds(() => command(insertEvents(db, layout, pop)));
  const identity = await seconds(async () => { for (const st of insertIdentity(db, layout, pop)) await command(st); });
  await settled(db);
  return { migrate, events: eventsLoad, identity };
}

interface Timing { ms: number[]; median: number; wallMedian: number; rows: number; readRows: number; readMb: number; memoryMb: number }

const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;

/**
 * Server time of a query (query_log's query_duration_ms), run `runs` times with FORMAT Null so that shipping and
 * parsing a large result does not count; the result size is counted once, apart.
 */
async function time(sql: string): Promise<Timing> {
  const ids: string[] = [];
  const wall: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const id = `bench-layout-${runId}-${Math.random().toString(36).slice(2)}`;
    ids.push(id);
    const t = performance.now();
    const r = await ch.exec({ query: `${sql}\nFORMAT Null`, query_id: id, clickhouse_settings: { log_queries: 1 } });
    for await (const chunk of r.stream) void chunk;
    wall.push(performance.now() - t);
  }
  const [count] = await rows<{ n: string }>(`SELECT count() AS n FROM (${sql})`);
  await ch.command({ query: 'SYSTEM FLUSH LOGS' });
  const log = await rows<{ ms: string; read_rows: string; read_bytes: string; memory: string }>(`SELECT toString(query_duration_ms) AS ms,
    toString(read_rows) AS read_rows, toString(read_bytes) AS read_bytes, toString(memory_usage) AS memory
    FROM system.query_log WHERE type = 2 AND query_id IN (${ids.map((i) => `'${i}'`).join(', ')})`);
  const ms = log.map((l) => Number(l.ms));
  return {
    ms, median: median(ms), wallMedian: median(wall), rows: Number(count?.n ?? 0),
    readRows: Math.max(...log.map((l) => Number(l.read_rows))), readMb: Math.max(...log.map((l) => Number(l.read_bytes))) / 1e6,
    memoryMb: Math.max(...log.map((l) => Number(l.memory))) / 1e6,
  };
}

const forBench = (sql: string, db: string) => GUIDE_VALUES.reduce((q, [from, to]) => q.replaceAll(from, to), sql.replaceAll('tessera.', `${db}.`));
const v1Queries = splitStatements(readFileSync(new URL('analyst-guide-v1.sql', import.meta.url), 'utf8'));
const v2Queries = documentedQueries('tessera');
if (v1Queries.length !== v2Queries.length) throw new Error(`the v1 guide has ${v1Queries.length} queries, the current one ${v2Queries.length}: pair them by hand`);

console.log(`layout bench: ${events.toLocaleString('en-US')} events, ${pop.people.toLocaleString('en-US')} people, ${runs} runs per query`);
const loads = { v1: reused.v1 ? null : await load('v1'), v2: reused.v2 ? null : await load('v2') };
console.log('loaded', JSON.stringify(loads));

const sizes = Object.fromEntries(await Promise.all((['v1', 'v2'] as const).map(async (l) => [l, await rows<{ table: string; parts: string; partitions: string; rows: string; mb: number }>(
  `SELECT table, toString(count()) AS parts, toString(uniqExact(partition)) AS partitions, toString(sum(rows)) AS rows, round(sum(bytes_on_disk) / 1e6, 1) AS mb
   FROM system.parts WHERE database = '${dbs[l]}' AND active AND table IN ('events', 'profile_activity', 'claims', 'identities')
   GROUP BY table ORDER BY table`)])));

const results: { query: string; v1: Timing; v2: Timing }[] = [];
for (let i = 0; i < v2Queries.length; i += 1) {
  const v1 = await time(forBench(v1Queries[i]!, dbs.v1));
  const v2 = await time(forBench(v2Queries[i]!.sql, dbs.v2));
  results.push({ query: v2Queries[i]!.title, v1, v2 });
  console.log(`${String(i + 1).padStart(2)} ${(v1.median / 1000).toFixed(2)} s → ${(v2.median / 1000).toFixed(2)} s  ${v2Queries[i]!.title.slice(0, 70)}`);
}

// What the writer reads on every start and rebalance: the watermarks of every table for its input topics (v1: the
// events part of the query the writer of before sent, per source partition; v2: the writer's whole reading).
const watermarkMs = {
  v1: await seconds(() => rows(`SELECT src_topic, src_partition, max(src_offset) FROM ${dbs.v1}.events WHERE src_topic IN ('bench') GROUP BY src_topic, src_partition`)) * 1000,
  v2: await seconds(() => new ClickHouseSink(ch, dbs.v2).watermarks(['bench'])) * 1000,
};

const print = results.map((r, i) => ({
  '#': i + 1,
  query: r.query.slice(0, 58),
  'v1 s': (r.v1.median / 1000).toFixed(2),
  'v2 s': (r.v2.median / 1000).toFixed(2),
  'v1/v2': (r.v1.median / r.v2.median).toFixed(1),
  'v1 rows read': r.v1.readRows.toLocaleString('en-US'),
  'v2 rows read': r.v2.readRows.toLocaleString('en-US'),
  'v1 MB': r.v1.readMb.toFixed(0),
  'v2 MB': r.v2.readMb.toFixed(0),
  rows: `${r.v1.rows}/${r.v2.rows}`,
}));
console.log(table(print));
const total = (l: Layout) => results.reduce((s, r) => s + r[l].median, 0) / 1000;
console.log(`sum of medians: v1 ${total('v1').toFixed(1)} s, v2 ${total('v2').toFixed(1)} s; writer watermark read: v1 events ${watermarkMs.v1.toFixed(0)} ms, v2 all tables ${watermarkMs.v2.toFixed(0)} ms`);

const sha = execFileSync('git', ['rev-parse', '--short', 'HEAD']).toString().trim();
mkdirSync(a.out!, { recursive: true });
const file = `${a.out}/${new Date().toISOString().slice(0, 10)}-layout-${sha}.json`;
writeFileSync(file, JSON.stringify({
  command: `npx tsx bench/layout.ts --events ${events} --runs ${runs}${a['events-order'] ? ` --events-order '${a['events-order']}'` : ''}`,
  eventsOrder: a['events-order'] ?? EVENTS_ORDER, commit: sha, machine: await machineInfo(ch),
  population: pop, guideValues: GUIDE_VALUES, loadSeconds: loads, sizes, watermarkMs, queries: results,
}, null, 2));
console.log(`wrote ${file}`);
if (!a.keep) for (const l of ['v1', 'v2'] as const) if (!reused[l]) await ch.command({ query: `DROP DATABASE IF EXISTS ${dbs[l]}` });
await ch.close();
