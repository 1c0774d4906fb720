// What the warehouse writer leaves out for erased identifiers (pure): an event attributable only to them is not
// written; another event loses them (identifiers, claim key, the raw columns and traits that carry them); the link
// stage's rows that name them are dropped or blanked. So a replay into a fresh database re-writes none of it.
import type { Identifier, IdentityConfig } from '../identity/index.ts';
import { normaliseIdentifier } from '../identity/normalise.ts';
import type { TableRows } from '../warehouse-writer/rows.ts';
import { withoutSuppressed, type SuppressionList } from './suppression.ts';

export interface Carried {
  identifiers: readonly Identifier[];
  blocked?: readonly Identifier[] | undefined;
  dropped: readonly { type: string; code: string }[];
}

/**
 * The event's identifiers without the erased ones; `erased` lists what was taken out, `only` says the event carried
 * nothing else (not even a blocked value): nobody but the erased person can be its subject.
 */
export function withoutErased(x: Carried, list: SuppressionList): { carried: Carried; erased: Identifier[]; only: boolean } {
  const blocked = x.blocked ?? [];
  const ids = withoutSuppressed(x.identifiers, list);
  const kept = withoutSuppressed(blocked, list);
  if (ids === x.identifiers && kept === blocked) return { carried: x, erased: [], only: false };
  const erased = [...x.identifiers.filter((i) => !ids.includes(i)), ...blocked.filter((i) => !kept.includes(i))];
  return { carried: { identifiers: ids, blocked: kept, dropped: x.dropped }, erased, only: ids.length === 0 && kept.length === 0 };
}

/** Whether raw text (a column, a trait value) is one of the erased identifiers, read as the core reads it. */
export function carriesErased(text: string, erased: readonly Identifier[], config: IdentityConfig): boolean {
  if (text === '') return false;
  return erased.some((e) => {
    const n = normaliseIdentifier(e.type, text, config);
    const v = n.ok ? n.identifier.value : n.blocked?.value;
    return v === e.value;
  });
}

/** An events row without the raw columns, traits and properties that carry an erased identifier. */
export function scrubEventRow(row: Record<string, unknown>, erased: readonly Identifier[], config: IdentityConfig): void {
  for (const col of ['user_id', 'anonymous_id', 'device_id']) {
    if (carriesErased(String(row[col] ?? ''), erased, config)) row[col] = '';
  }
  for (const [k, v] of [['trait_keys', 'trait_values'], ['property_keys', 'property_values']] as const) {
    const keys = row[k] as string[], values = row[v] as string[];
    const keep = values.map((x) => !carriesErased(x, erased, config));
    row[k] = keys.filter((_, i) => keep[i]);
    row[v] = values.filter((_, i) => keep[i]);
  }
}

const pair = (type: unknown, value: unknown): Identifier => ({ type: String(type), value: String(value) });

/**
 * Rows mapped from the link stage's topics (profiles, identity.merges, identity.identifiers, identity.claims) without
 * the erased identifiers: identity, anchor and change rows naming one are dropped, profile rows lose it, a claim's
 * primary identifier is blanked. Old records of the compacted topics still name them until compaction.
 */
export function scrubIdentityRows(rows: TableRows, list: SuppressionList): TableRows {
  if (list.size === 0) return rows;
  const out: TableRows = { ...rows };
  const named = (r: Record<string, unknown>) => r.id_type !== '' && list.has(pair(r.id_type, r.id_value));
  if (rows.identities) out.identities = rows.identities.filter((r) => !named(r));
  if (rows.profile_anchors) out.profile_anchors = rows.profile_anchors.filter((r) => !named(r));
  if (rows.identity_changes) out.identity_changes = rows.identity_changes.filter((r) => !named(r));
  if (rows.claims) {
    out.claims = rows.claims.map((r) => (r.primary_type !== '' && list.has(pair(r.primary_type, r.primary_value)) ? { ...r, primary_type: '', primary_value: '' } : r));
  }
  if (rows.profiles) {
    out.profiles = rows.profiles.map((r) => {
      const types = r.id_types as string[], values = r.id_values as string[];
      const keep = types.map((t, i) => !list.has(pair(t, values[i])));
      if (keep.every(Boolean)) return r;
      const ids = { id_types: types.filter((_, i) => keep[i]), id_values: values.filter((_, i) => keep[i]) };
      return { ...r, ...ids, identifier_count: ids.id_types.length };
    });
  }
  return out;
}
