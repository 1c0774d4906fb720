// Erasure in the analysts' database: the statements that remove every row holding an identifier's keyed hash. The
// erasure request (the privacy-requests consumer) runs them beside its mutations of the raw database.
import { ident, str } from '../kit/sql.ts';
import { keyedHash } from './keyed-hash.ts';

/**
 * ALTER TABLE … DELETE mutations (18.16 and current releases) for one normalised identifier: the events that carried
 * it, its identities row and the claims whose primary identifier it was. Mutations run asynchronously on 18.16 (no
 * mutations_sync): wait for system.mutations to show them done before reporting the erasure complete.
 */
export function analystErasureStatements(database: string, key: Buffer, type: string, value: string): string[] {
  const an = ident(`${database}_analyst`);
  const hash = keyedHash(key, type, value);
  return [
    `ALTER TABLE ${an}.events DELETE WHERE has(identifiers, ${str(`${type}:${hash}`)})`,
    `ALTER TABLE ${an}.identities DELETE WHERE id_type = ${str(type)} AND id_hash = ${str(hash)}`,
    `ALTER TABLE ${an}.claims DELETE WHERE primary_type = ${str(type)} AND primary_hash = ${str(hash)}`,
  ];
}
