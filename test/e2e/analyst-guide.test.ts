// Every query of docs/analyst-guide.md runs on the real ClickHouse against the sample data and returns rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { documentedQueries, sampleStatements } from '../../infra/local/documented-sql.ts';
import { select } from '../../services/kit/clickhouse.ts';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';

let s: IsolatedStack;
beforeAll(async () => {
  s = await isolatedStack('guide');
  for (const st of sampleStatements(s.database)) await s.ch.command({ query: st });
});
afterAll(async () => { await s?.close(); });

describe('docs/analyst-guide.md', () => {
  const queries = documentedQueries('db_placeholder');
  it('has queries to check', () => expect(queries.length).toBeGreaterThan(5));
  it.each(queries.map((q, i) => [i, q.title] as const))('query %i runs and returns rows: %s', async (i) => {
    const sql = documentedQueries(s.database)[i]!.sql;
    const rows = await select(s.ch, sql);
    expect(rows.length).toBeGreaterThan(0);
  });
});
