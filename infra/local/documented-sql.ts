// The SQL a user is shown: every ```sql block of docs/analyst-guide.md, and the sample data it is checked against.
import { readFileSync } from 'node:fs';
import { splitStatements } from '../../services/kit/migrate.ts';

const root = new URL('../../', import.meta.url);

/** Statements that fill a freshly migrated database `db` with a small sample. */
export function sampleStatements(db: string): string[] {
  return splitStatements(readFileSync(new URL('infra/local/sql-sample.sql', root), 'utf8').replaceAll('{db}', db));
}

/** The analyst guide's queries, pointed at `db` instead of `tessera`, each with a short title. */
export function documentedQueries(db: string): { title: string; sql: string }[] {
  const guide = readFileSync(new URL('docs/analyst-guide.md', root), 'utf8');
  return [...guide.matchAll(/```sql\n([\s\S]*?)```/g)].flatMap((m) => splitStatements(m[1]!)).map((q) => ({
    title: q.split('\n').find((l) => !l.startsWith('--'))?.slice(0, 90) ?? q.slice(0, 90),
    sql: q.replaceAll('tessera.', `${db}.`),
  }));
}
