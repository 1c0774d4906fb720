// Erasure in the analysts' database: the rows that hold an identifier's keyed hash, and the statements that remove
// them. The privacy service's erasure plan (plan.ts) counts and deletes them beside its mutations of the raw database.
import { ident, str } from '../kit/sql.ts';
import { keyedHash } from './keyed-hash.ts';

/** Per analysts' table, the condition selecting the rows that hold the identifier's keyed hash. */
export function analystErasureWhere(key: Buffer, type: string, value: string): Array<{ table: 'events' | 'identities' | 'claims'; where: string }> {
  const hash = keyedHash(key, type, value);
  return [
    { table: 'events', where: `has(identifiers, ${str(`${type}:${hash}`)})` },
    { table: 'identities', where: `id_type = ${str(type)} AND id_hash = ${str(hash)}` },
    { table: 'claims', where: `primary_type = ${str(type)} AND primary_hash = ${str(hash)}` },
  ];
}

/**
 * ALTER TABLE … DELETE mutations (18.16 and current releases) for one normalised identifier: the events that carried
 * it, its identities row and the claims whose primary identifier it was. Mutations run asynchronously on 18.16 (no
 * mutations_sync): wait for system.mutations to show them done before reporting the erasure complete.
 */
export function analystErasureStatements(database: string, key: Buffer, type: string, value: string): string[] {
  const an = ident(`${database}_analyst`);
  return analystErasureWhere(key, type, value).map((s) => `ALTER TABLE ${an}.${s.table} DELETE WHERE ${s.where}`);
}
