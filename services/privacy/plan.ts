// Which ClickHouse rows an erasure removes or rewrites (pure): for each table, the rows that name the identifier or are
// attributable only to it, as a count and an ALTER TABLE … DELETE / UPDATE mutation (18.16 and current releases).
import type { Identifier } from '../identity/index.ts';
import { ident, str, strList } from '../kit/sql.ts';
import { analystErasureStatements, analystErasureWhere } from './analyst-erasure.ts';

export interface PlanStep {
  /** A name for the audit counts: `<table>_deleted` / `<table>_rewritten`. */
  name: string;
  table: string;
  count: string;
  mutation: string;
}

/** Claim keys of the events that carry the identifier: `only` those carrying nothing else, `all` of them. */
export function claimKeysQuery(db: string, id: Identifier): { only: string; all: string } {
  const tag = str(`${id.type}:${id.value}`);
  const from = `FROM ${ident(db)}.events WHERE has(identifiers, ${tag})`;
  return {
    only: `SELECT DISTINCT claim_key ${from} AND arrayAll(i -> i = ${tag}, identifiers)`,
    all: `SELECT DISTINCT claim_key ${from}`,
  };
}

/**
 * Raw text that carries the identifier, in SQL: the same value up to case and surrounding spaces; for a phone, the
 * same digits (a national number is the international one's last digits: at least 7 of them must agree).
 */
export function carriesSql(column: string, id: Identifier): string {
  if (id.type === 'phone') {
    const digits = id.value.replace(/\D/g, '');
    const d = `replaceRegexpAll(${column}, '[^0-9]', '')`;
    return `(length(${d}) >= 7 AND endsWith(${str(digits)}, ${d}))`;
  }
  return `lower(replaceRegexpAll(${column}, '^\\\\s+|\\\\s+$', '')) = ${str(id.value.toLowerCase())}`;
}

/**
 * The steps, in order. `tables`: the tables the database has (older layouts keep *_v1 copies). `claims.only` are the
 * claim keys of events attributable only to the identifier (their aggregates go), `claims.all` those of every event
 * carrying it (their per-claim traits may hold the raw value: they go too). Every step is idempotent: running the plan
 * again after a crash removes what is left and counts what it finds.
 */
/**
 * `analyst`: the analysts' database `<db>_analyst` (docs/privacy.md, PII kept from analysts) and the key of its hashes,
 * when it exists: its rows holding the identifier's keyed hash go too (pii's analystErasureStatements).
 */
export function erasurePlan(db: string, id: Identifier, tables: ReadonlySet<string>, claims: { only: readonly string[]; all: readonly string[] },
  analyst?: { key: Buffer; tables: ReadonlySet<string> }): PlanStep[] {
  const d = ident(db);
  const tag = str(`${id.type}:${id.value}`);
  const t = str(id.type), v = str(id.value);
  const steps: PlanStep[] = [];
  const add = (name: string, table: string, where: string, action: string) => {
    if (!tables.has(table)) return;
    steps.push({ name, table, count: `SELECT count() AS n FROM ${d}.${table} WHERE ${where}`, mutation: `ALTER TABLE ${d}.${table} ${action} WHERE ${where}` });
  };
  const byId = `id_type = ${t} AND id_value = ${v}`;
  // Aggregates first: their claim keys were read from events before any event goes.
  if (claims.only.length > 0) add('profile_activity_deleted', 'profile_activity', `claim_key IN ${strList(claims.only)}`, 'DELETE');
  // Consent said by those claims alone (the consent work's table, migration 035, when the database has it).
  if (claims.only.length > 0) add('consent_by_claim_deleted', 'consent_by_claim', `claim_key IN ${strList(claims.only)}`, 'DELETE');
  if (claims.all.length > 0) add('profile_traits_deleted', 'profile_traits', `claim_key IN ${strList(claims.all)}`, 'DELETE');
  add('events_deleted', 'events', `has(identifiers, ${tag}) AND arrayAll(i -> i = ${tag}, identifiers)`, 'DELETE');
  const carries = (col: string) => carriesSql(col, id);
  add('events_rewritten', 'events', `has(identifiers, ${tag}) AND NOT arrayAll(i -> i = ${tag}, identifiers)`, `UPDATE ${[
    `identifiers = arrayFilter(i -> i != ${tag}, identifiers)`,
    ...['user_id', 'anonymous_id', 'device_id'].map((c) => `${c} = if(${carries(c)}, '', ${c})`),
    `trait_keys = arrayFilter((k, x) -> NOT ${carries('x')}, trait_keys, trait_values)`,
    `trait_values = arrayFilter(x -> NOT ${carries('x')}, trait_values)`,
    `property_keys = arrayFilter((k, x) -> NOT ${carries('x')}, property_keys, property_values)`,
    `property_values = arrayFilter(x -> NOT ${carries('x')}, property_values)`,
  ].join(', ')}`);
  add('identities_deleted', 'identities', byId, 'DELETE');
  add('profile_anchors_deleted', 'profile_anchors', byId, 'DELETE');
  add('identity_changes_deleted', 'identity_changes', byId, 'DELETE');
  add('claims_deleted', 'claims', `primary_type = ${t} AND primary_value = ${v}`, 'DELETE');
  // Older versions of a profile that listed it; the version the link stage published after the erasure does not.
  add('profiles_deleted', 'profiles', `arrayExists((a, b) -> a = ${t} AND b = ${v}, id_types, id_values)`, 'DELETE');
  // Tables of the layout before migration 008, kept by it: every row that names the identifier goes.
  add('events_v1_deleted', 'events_v1', `has(identifiers, ${tag}) OR (${byId})`, 'DELETE');
  add('profile_activity_v1_deleted', 'profile_activity_v1', byId, 'DELETE');
  add('identifier_traits_v1_deleted', 'identifier_traits_v1', byId, 'DELETE');
  if (analyst !== undefined) {
    const an = ident(`${db}_analyst`);
    const statements = analystErasureStatements(db, analyst.key, id.type, id.value);
    analystErasureWhere(analyst.key, id.type, id.value).forEach((w, i) => {
      if (!analyst.tables.has(w.table)) return;
      steps.push({ name: `analyst_${w.table}_deleted`, table: `${db}_analyst.${w.table}`, count: `SELECT count() AS n FROM ${an}.${w.table} WHERE ${w.where}`, mutation: statements[i]! });
    });
  }
  return steps;
}
