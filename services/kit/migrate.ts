// Applies schemas/clickhouse/*.sql in order, idempotently, and records each file's checksum.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ClickHouseClient } from './clickhouse.ts';
import { select } from './clickhouse.ts';
import { TesseraError } from './errors.ts';
import { ident, str } from './sql.ts';

export const migrationsDir = fileURLToPath(new URL('../../schemas/clickhouse/', import.meta.url));

export interface Migration { name: string; checksum: string; statements: string[] }

/** Splits a migration into statements on `;` at line end, dropping `--` comment lines. */
export function splitStatements(sql: string): string[] {
  const lines = sql.split('\n').filter((l) => !l.trim().startsWith('--'));
  return lines.join('\n').split(/;\s*(?:\n|$)/).map((s) => s.trim()).filter(Boolean);
}

export function loadMigrations(database: string, dir = migrationsDir): Migration[] {
  const db = ident(database);
  return readdirSync(dir).filter((f) => /^\d{3}_.+\.sql$/.test(f)).sort().map((name) => {
    const text = readFileSync(`${dir}${name}`, 'utf8');
    return {
      name,
      checksum: createHash('sha256').update(text).digest('hex').slice(0, 16),
      statements: splitStatements(text.replaceAll('{db}', db)),
    };
  });
}

export interface MigrationReport { applied: string[]; unchanged: string[] }

type Rename = [from: string, to: string];

/** The `a TO b` pairs of a `RENAME TABLE` statement, in order; null for any other statement. */
export function renamePairs(statement: string): Rename[] | null {
  const m = /^RENAME\s+TABLE\s+([\s\S]+)$/i.exec(statement.trim());
  if (!m) return null;
  return m[1]!.split(',').map((pair) => {
    const p = /^\s*([\w.]+)\s+TO\s+([\w.]+)\s*$/i.exec(pair);
    if (!p) throw new RangeError(`cannot read the rename ${JSON.stringify(pair.trim())}`);
    return [p[1]!, p[2]!];
  });
}

/**
 * The pairs of a rename still to do, given the tables that exist now. Renaming onto an existing name always fails,
 * so a pair whose target exists (once the pairs before it have run) was done by an earlier, interrupted run: 18.16
 * has no RENAME ... IF EXISTS, and this is what makes a rename re-runnable like the other statements.
 */
export function pendingRenames(pairs: readonly Rename[], existing: ReadonlySet<string>): Rename[] {
  const names = new Set(existing);
  const pending: Rename[] = [];
  for (const [from, to] of pairs) {
    if (names.has(to)) continue;
    pending.push([from, to]);
    names.delete(from);
    names.add(to);
  }
  return pending;
}

/** The table and column of an `ALTER TABLE t ADD COLUMN c …` statement; null for any other statement. */
export function addedColumn(statement: string): { table: string; column: string } | null {
  const m = /^ALTER\s+TABLE\s+([\w.]+)\s+ADD\s+COLUMN\s+(\w+)\s/i.exec(statement.trim());
  return m ? { table: m[1]!, column: m[2]! } : null;
}

async function hasColumn(ch: ClickHouseClient, table: string, column: string): Promise<boolean> {
  const [db, name] = table.split('.') as [string, string];
  const rows = await select<{ n: string }>(ch, `SELECT count() AS n FROM system.columns WHERE database = ${str(db)} AND table = ${str(name)} AND name = ${str(column)}`);
  return Number(rows[0]?.n ?? 0) > 0;
}

async function tablesOf(ch: ClickHouseClient, db: string): Promise<Set<string>> {
  const rows = await select<{ name: string }>(ch, `SELECT name FROM system.tables WHERE database = ${str(db)}`);
  return new Set(rows.map((r) => `${db}.${r.name}`));
}

async function run(ch: ClickHouseClient, db: string, statement: string): Promise<void> {
  // 18.16 has no ADD COLUMN IF NOT EXISTS: a column an interrupted run already added is left as it is.
  const added = addedColumn(statement);
  if (added !== null && await hasColumn(ch, added.table, added.column)) return;
  const pairs = renamePairs(statement);
  if (pairs === null) {
    await ch.command({ query: statement });
    return;
  }
  const pending = pendingRenames(pairs, await tablesOf(ch, db));
  if (pending.length > 0) await ch.command({ query: `RENAME TABLE ${pending.map(([a, b]) => `${a} TO ${b}`).join(', ')}` });
}

/**
 * Every statement is written to be re-runnable (IF NOT EXISTS, DROP ... IF EXISTS, a copy that skips what is already
 * there; renames are made so here, see pendingRenames), so a migration interrupted half-way is finished by the next
 * run. A recorded migration whose file changed is an error: write a new one instead.
 */
export async function migrate(ch: ClickHouseClient, database: string, dir = migrationsDir): Promise<MigrationReport> {
  const db = ident(database);
  await ch.command({ query: `CREATE DATABASE IF NOT EXISTS ${db}` });
  await ch.command({
    query: `CREATE TABLE IF NOT EXISTS ${db}.schema_migrations (name String, checksum String, applied_at DateTime DEFAULT now())
            ENGINE = MergeTree() ORDER BY name`,
  });
  const done = new Map((await select<{ name: string; checksum: string }>(ch,
    `SELECT name, any(checksum) AS checksum FROM ${db}.schema_migrations GROUP BY name`)).map((r) => [r.name, r.checksum]));
  const report: MigrationReport = { applied: [], unchanged: [] };
  for (const m of loadMigrations(db, dir)) {
    const recorded = done.get(m.name);
    if (recorded !== undefined) {
      if (recorded !== m.checksum) {
        throw new TesseraError('TSR_ERR_MIGRATION_CHANGED',
          `migration ${m.name} was applied with checksum ${recorded} but the file now has ${m.checksum}; add a new migration instead of editing an applied one`);
      }
      report.unchanged.push(m.name);
      continue;
    }
    for (const statement of m.statements) {
      try {
        await run(ch, db, statement);
      } catch (err) {
        throw new TesseraError('TSR_ERR_MIGRATION_FAILED', `migration ${m.name} failed: ${(err as Error).message}\n${statement}`,
          { cause: err });
      }
    }
    await ch.command({ query: `INSERT INTO ${db}.schema_migrations (name, checksum) VALUES (${str(m.name)}, ${str(m.checksum)})` });
    report.applied.push(m.name);
  }
  return report;
}
