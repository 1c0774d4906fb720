import { describe, expect, it } from 'vitest';
import { loadMigrations, splitStatements } from './migrate.ts';

describe('splitStatements', () => {
  it.each([
    ['CREATE TABLE a (x String);\nCREATE VIEW b AS SELECT 1;\n', ['CREATE TABLE a (x String)', 'CREATE VIEW b AS SELECT 1']],
    ['-- comment;\nSELECT 1;', ['SELECT 1']],
    ["SELECT 'a;b' AS x;", ["SELECT 'a;b' AS x"]],
    ['SELECT 1', ['SELECT 1']],
  ])('splits %j', (sql, expected) => expect(splitStatements(sql)).toEqual(expected));
});

describe('loadMigrations', () => {
  it('loads the project migrations in order with the database substituted', () => {
    const ms = loadMigrations('db_x');
    expect(ms.length).toBeGreaterThan(0);
    expect(ms.map((m) => m.name)).toEqual([...ms.map((m) => m.name)].sort());
    for (const m of ms) {
      expect(m.statements.join('\n')).not.toContain('{db}');
      // Re-runnable: creates only if missing, drops only if present.
      expect(m.statements.every((s) => /IF NOT EXISTS/i.test(s) || /^DROP \w+ IF EXISTS/i.test(s))).toBe(true);
    }
  });
  it('rejects a database name that is not a plain identifier', () => {
    expect(() => loadMigrations('x; DROP')).toThrow(RangeError);
  });
});
