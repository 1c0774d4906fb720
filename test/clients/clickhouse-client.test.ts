// Every query of docs/analyst-guide.md through `clickhouse-client` (the native TCP protocol), as an analyst runs it.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { documentedQueries, sampleStatements } from '../../infra/local/documented-sql.ts';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';

const run = promisify(execFile);

let s: IsolatedStack;
beforeAll(async () => {
  s = await isolatedStack('chclient');
  for (const st of sampleStatements(s.database)) await s.ch.command({ query: st });
});
afterAll(async () => { await s?.close(); });

/** The server the stack's HTTP URL names, on its native port (CLICKHOUSE_TCP_PORT, as infra/local/env.sh). */
function clientArgs(): string[] {
  const host = new URL(inject('stack').clickhouseUrl).hostname;
  return ['--host', host, '--port', process.env.CLICKHOUSE_TCP_PORT ?? '9000', '--user', process.env.TESSERA_CLICKHOUSE_USER ?? 'default'];
}

describe('clickhouse-client runs the analyst guide', () => {
  const queries = documentedQueries('db_placeholder');
  it('has queries to run', () => expect(queries.length).toBeGreaterThan(5));
  it.each(queries.map((q, i) => [i, q.title] as const))('query %i returns rows: %s', async (i) => {
    const sql = documentedQueries(s.database)[i]!.sql;
    const { stdout } = await run('clickhouse-client', [...clientArgs(), '--format', 'JSONEachRow', '--query', sql], { timeout: 60_000 });
    const rows = stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.length).toBeGreaterThan(0);
  });
});
