// The SQL a user is shown: every ```sql block of docs/analyst-guide.md (with the section it is in), and the sample
// rows it is checked against as INSERT statements.
import { readFileSync } from 'node:fs';
import { splitStatements } from '../../services/kit/migrate.ts';
import { sampleRows } from './guide-sample.ts';

const root = new URL('../../', import.meta.url);

/** Statements that fill a freshly migrated database `db` with the sample (guide-sample.ts), one per table. */
export function sampleStatements(db: string): string[] {
  return Object.entries(sampleRows())
    .filter(([, rows]) => rows.length > 0)
    .map(([table, rows]) => `INSERT INTO ${db}.${table} FORMAT JSONEachRow\n${rows.map((r) => JSON.stringify(r)).join('\n')}`);
}

export interface DocumentedQuery { section: string; title: string; sql: string }

/** The analyst guide's queries, pointed at `db` instead of `tessera`, each with its section heading and a short title. */
export function documentedQueries(db: string): DocumentedQuery[] {
  const guide = readFileSync(new URL('docs/analyst-guide.md', root), 'utf8');
  const out: DocumentedQuery[] = [];
  let section = '';
  for (const m of guide.matchAll(/^### (.+)$|```sql\n([\s\S]*?)```/gm)) {
    if (m[1] !== undefined) { section = m[1].trim(); continue; }
    for (const q of splitStatements(m[2]!)) {
      out.push({
        section,
        title: q.split('\n').find((l) => !l.startsWith('--'))?.slice(0, 90) ?? q.slice(0, 90),
        sql: q.replaceAll('tessera.', `${db}.`),
      });
    }
  }
  return out;
}
