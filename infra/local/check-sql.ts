// Runs every migration and every ```sql query of docs/analyst-guide.md on a ClickHouse, against the guide's sample
// (guide-sample.ts: the rows the pipeline's rules make of its touchpoints):
// the local 18.16 server over HTTP (default), or a current release in process with chDB (`--chdb`, installed
// outside the repo: npm i --prefix /tmp/chdb chdb; CHDB_PREFIX points there).
import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClickHouse } from '../../services/kit/clickhouse.ts';
import { loadMigrations } from '../../services/kit/migrate.ts';
import { documentedQueries, sampleStatements } from './documented-sql.ts';

interface Engine { name: string; run(sql: string): Promise<unknown[]>; close(): Promise<void> }

async function http(url: string): Promise<Engine> {
  const ch = createClickHouse({ url, user: 'default', password: '' });
  const [v] = await (await ch.query({ query: 'SELECT version() AS v', format: 'JSONEachRow' })).json<{ v: string }>();
  return {
    name: `ClickHouse ${v?.v} at ${url}`,
    async run(sql) {
      if (/^\s*(SELECT|WITH)\b/i.test(sql)) return (await ch.query({ query: sql, format: 'JSONEachRow' })).json();
      await ch.command({ query: sql });
      return [];
    },
    close: () => ch.close(),
  };
}

function chdb(prefix: string): Engine {
  const require = createRequire(join(prefix, 'node_modules', 'x.js'));
  const { Session } = require('chdb') as { Session: new (dir: string) => { query(q: string, f: string): string; cleanup?(): void } };
  const session = new Session(mkdtempSync(join(tmpdir(), 'chdb-')));
  const version = session.query('SELECT version()', 'TSV').trim();
  return {
    name: `chDB (ClickHouse ${version})`,
    async run(sql) {
      const out = session.query(sql, 'JSONEachRow');
      return out.split('\n').filter(Boolean).map((l) => JSON.parse(l) as unknown);
    },
    async close() { session.cleanup?.(); },
  };
}

const useChdb = process.argv.includes('--chdb');
const engine = useChdb ? chdb(process.env.CHDB_PREFIX ?? '/tmp/chdb') : await http(process.env.TESSERA_CLICKHOUSE_URL ?? 'http://127.0.0.1:8123');
const db = `docs_check_${Date.now()}`;
let failures = 0;
try {
  await engine.run(`DROP DATABASE IF EXISTS ${db}`);
  await engine.run(`CREATE DATABASE ${db}`);
  for (const m of loadMigrations(db)) for (const st of m.statements) await engine.run(st);
  console.log(`${engine.name}: ${loadMigrations(db).length} migrations applied`);
  for (const st of sampleStatements(db)) await engine.run(st);
  const queries = documentedQueries(db);
  for (const { title, sql } of queries) {
    try {
      const rows = await engine.run(sql);
      const ok = rows.length > 0;
      if (!ok) failures += 1;
      console.log(`${ok ? 'ok  ' : 'EMPTY'} ${rows.length} rows  ${title}`);
      if (process.env.SHOW === '1') for (const r of rows.slice(0, 5)) console.log('      ', JSON.stringify(r));
    } catch (err) {
      failures += 1;
      console.log(`FAIL ${title}\n      ${(err as Error).message.split('\n')[0]}`);
    }
  }
  console.log(`${queries.length} documented queries, ${failures} failed or empty`);
} finally {
  await engine.run(`DROP DATABASE IF EXISTS ${db}`).catch(() => undefined);
  await engine.close();
}
process.exitCode = failures > 0 ? 1 : 0;
