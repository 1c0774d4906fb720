// The SQL literal helper and the migration runner against the real ClickHouse server.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { select } from '../../services/kit/clickhouse.ts';
import { migrate } from '../../services/kit/migrate.ts';
import { str } from '../../services/kit/sql.ts';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';

let s: IsolatedStack;
beforeAll(async () => { s = await isolatedStack('clickhouse'); });
afterAll(async () => { await s?.close(); });

describe('str() against the server', () => {
  it.each([
    "it's", 'back\\slash', "\\'", 'new\nline', 'tab\t', "'; DROP DATABASE x; --", 'émoji 🧩', 'nul\0', '\\n literal', '',
  ])('round-trips %j', async (value) => {
    const [row] = await select<{ v: string }>(s.ch, `SELECT ${str(value)} AS v`);
    expect(row?.v).toBe(value);
  });
});

describe('migrate', () => {
  it('is idempotent: a second run applies nothing and duplicates no object', async () => {
    const objects = async () => select<{ name: string; engine: string }>(s.ch,
      `SELECT name, engine FROM system.tables WHERE database = ${str(s.database)} ORDER BY name`);
    const before = await objects();
    const report = await migrate(s.ch, s.database);
    expect(report.applied).toEqual([]);
    expect(report.unchanged.length).toBeGreaterThan(0);
    expect(await objects()).toEqual(before);
    const [n] = await select<{ n: string; d: string }>(s.ch,
      `SELECT count() AS n, uniqExact(name) AS d FROM ${s.database}.schema_migrations`);
    expect(n?.n).toBe(n?.d);
  });
});
