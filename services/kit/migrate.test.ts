import { describe, expect, it } from 'vitest';
import { addedColumn, loadMigrations, pendingRenames, renamePairs, splitStatements } from './migrate.ts';

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
      // Re-runnable: creates only if missing, drops only if present, renames what is not renamed yet (the runner
      // checks), copies only what is not there yet.
      const rerunnable = (s: string) => /IF NOT EXISTS/i.test(s) || /^DROP \w+ IF EXISTS/i.test(s)
        || (renamePairs(s)?.every(([a, b]) => a.startsWith('db_x.') && b.startsWith('db_x.')) ?? false)
        || (addedColumn(s)?.table.startsWith('db_x.') ?? false)
        || (/^INSERT INTO/i.test(s) && /NOT IN \(\s*SELECT/i.test(s));
      expect(m.statements.filter((s) => !rerunnable(s))).toEqual([]);
    }
  });
  it('rejects a database name that is not a plain identifier', () => {
    expect(() => loadMigrations('x; DROP')).toThrow(RangeError);
  });
});

describe('renames are re-runnable', () => {
  it('reads the pairs of a RENAME TABLE statement, and nothing else', () => {
    expect(renamePairs('RENAME TABLE d.events TO d.events_v1,\n d.events_v2 TO d.events')).toEqual([['d.events', 'd.events_v1'], ['d.events_v2', 'd.events']]);
    expect(renamePairs('CREATE TABLE IF NOT EXISTS d.x (a String)')).toBeNull();
    expect(() => renamePairs('RENAME TABLE d.a d.b')).toThrow(RangeError);
  });

  // Moving a name onto a new table: the old one goes aside first, in one statement.
  const swap = [['d.events', 'd.events_v1'], ['d.events_v2', 'd.events']] as [string, string][];
  it.each([
    ['nothing renamed yet', ['d.events', 'd.events_v2', 'd.other'], swap],
    ['interrupted after the first pair', ['d.events_v1', 'd.events_v2'], [['d.events_v2', 'd.events']]],
    ['everything renamed', ['d.events_v1', 'd.events'], []],
  ])('%s', (_name, existing, expected) => {
    expect(pendingRenames(swap, new Set(existing))).toEqual(expected);
  });
});

describe('addedColumn', () => {
  it.each([
    ['ALTER TABLE db.events ADD COLUMN consent_said UInt8 COMMENT \'x\'', { table: 'db.events', column: 'consent_said' }],
    ['alter table db.e add column c Array(String)', { table: 'db.e', column: 'c' }],
    ['ALTER TABLE db.e DROP COLUMN c', null],
    ['CREATE TABLE IF NOT EXISTS db.t (a String) ENGINE = Log', null],
  ])('%s', (statement, expected) => expect(addedColumn(statement)).toEqual(expected));
});
