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

/**
 * Every statement is written to be re-runnable (IF NOT EXISTS), so a migration interrupted half-way is
 * finished by the next run. A recorded migration whose file changed is an error: write a new one instead.
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
        await ch.command({ query: statement });
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
