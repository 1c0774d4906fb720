// Subject access export: everything ClickHouse holds about the person an identifier belongs to, as one JSON document —
// the profile, its identifiers (with the event that linked each and when), traits, events and aggregates.
import { select, type ClickHouseClient } from '../kit/clickhouse.ts';
import { ident, str } from '../kit/sql.ts';
import type { Identifier } from '../identity/index.ts';

export interface SubjectExport {
  subject: Identifier;
  /** The profile the identifier belongs to now; null when it is linked to none (its events are still listed). */
  profileId: string | null;
  profile: Record<string, unknown> | null;
  identifiers: Array<{ type: string; value: string; linkedBy: string; linkedAt: string }>;
  traits: Array<{ trait: string; value: string; updatedMs: string }>;
  activity: Record<string, unknown> | null;
  events: Array<Record<string, unknown>>;
  /** The profile's current consent, when the database has the profile_consent view (docs/privacy.md). */
  consent: Array<Record<string, unknown>> | null;
}

/** The queries of an export (pure): by profile when the identifier is linked, else by the events that carry it. */
export function exportQueries(db: string, id: Identifier, profileId: string | null) {
  const d = ident(db);
  const p = profileId === null ? null : str(profileId);
  return {
    profileOf: `SELECT profile_id FROM ${d}.identities FINAL WHERE id_type = ${str(id.type)} AND id_value = ${str(id.value)} AND profile_id != ''`,
    profile: p && `SELECT profile_id, state, first_seen, last_seen FROM ${d}.profiles FINAL WHERE profile_id = ${p}`,
    identifiers: p && `SELECT id_type AS type, id_value AS value, message_id AS linkedBy, toString(linked_at) AS linkedAt FROM ${d}.identities FINAL WHERE profile_id = ${p} ORDER BY id_type, id_value`,
    traits: p && `SELECT trait, value, toString(updated_ms) AS updatedMs FROM ${d}.profile_traits_current WHERE profile_id = ${p} ORDER BY trait`,
    activity: p && `SELECT * FROM ${d}.profile_activity_totals WHERE profile_id = ${p}`,
    events: p
      ? `SELECT * FROM ${d}.events_current WHERE current_profile_id = ${p} ORDER BY event_ms, message_id`
      : `SELECT * FROM ${d}.events FINAL WHERE has(identifiers, ${str(`${id.type}:${id.value}`)}) ORDER BY event_ms, message_id`,
  };
}

/** Columns of the warehouse's plumbing, not the person's data. */
const PLUMBING = new Set(['src_topic', 'src_partition', 'src_offset', 'known', 'linked_profile_id', 'primary_type', 'primary_value']);
const personal = (row: Record<string, unknown>) => Object.fromEntries(Object.entries(row).filter(([k]) => !PLUMBING.has(k)));

export async function exportSubject(ch: ClickHouseClient, db: string, id: Identifier, consentTable: string | null): Promise<SubjectExport> {
  const first = exportQueries(db, id, null);
  const profileId = (await select<{ profile_id: string }>(ch, first.profileOf))[0]?.profile_id ?? null;
  const q = exportQueries(db, id, profileId);
  const rows = async <T>(query: string | null): Promise<T[]> => (query === null ? [] : select<T>(ch, query));
  const [profile] = await rows<Record<string, unknown>>(q.profile);
  const [activity] = await rows<Record<string, unknown>>(q.activity);
  const consent = consentTable === null || profileId === null ? null
    : await select<Record<string, unknown>>(ch, `SELECT * FROM ${ident(db)}.${ident(consentTable)} WHERE profile_id = ${str(profileId)}`);
  return {
    subject: id,
    profileId,
    profile: profile ?? null,
    identifiers: await rows(q.identifiers),
    traits: await rows(q.traits),
    activity: activity ?? null,
    events: (await rows<Record<string, unknown>>(q.events)).map(personal),
    consent,
  };
}
