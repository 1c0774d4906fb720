// Pure mapping from published records to ClickHouse rows (schemas/clickhouse); no I/O.
import type { IdentityChangeRecord, LinkedIdentifierRecord, ProfileRecord, ResolvedEvent } from '../kit/records.ts';
import type { Scalars } from '../contract/touchpoint.ts';

export interface SourcePosition { topic: string; partition: number; offset: string }

/** The tables the warehouse writer fills, in the order a flush writes them. */
export const TABLES = ['events', 'profiles', 'identities', 'profile_anchors', 'identity_changes'] as const;
export type Table = (typeof TABLES)[number];

/** A row for JSONEachRow: every row carries src_topic / src_partition / src_offset (the writer's watermark). */
export type Row = Record<string, unknown> & { src_topic: string; src_partition: number; src_offset: string };
export type TableRows = Partial<Record<Table, Row[]>>;

/** A record that cannot be mapped is a normal outcome (skipped and counted, or dead-lettered), not an exception. */
export type Mapped = { ok: true; rows: TableRows } | { ok: false; code: 'TSR_DLQ_INVALID_RECORD'; reason: string };

const SESSION_WINDOW_MS = 30 * 60 * 1000;

const seconds = (ms: number): number => Math.floor(ms / 1000);
const text = (v: string | null | undefined): string => v ?? '';

function scalarText(v: Scalars[string]): string {
  if (v === null) return '';
  return typeof v === 'string' ? v : String(v);
}

function pairs(m: Scalars): [string[], string[]] {
  const keys = Object.keys(m).sort();
  return [keys, keys.map((k) => scalarText(m[k] ?? null))];
}

/** properties.session_id when the SDK sends one; else the device, cookie or user and a 30-minute window. */
export function sessionKey(e: ResolvedEvent['touchpoint']): string {
  const explicit = e.properties.session_id ?? e.properties.sessionId;
  if (explicit !== undefined && explicit !== null && explicit !== '') return `s:${scalarText(explicit)}`;
  const who = e.context?.device?.id ?? e.anonymousId ?? e.userId ?? e.messageId;
  return `w:${who}:${Math.floor(e.timestamp / SESSION_WINDOW_MS)}`;
}

export function eventRow(r: ResolvedEvent, at: SourcePosition) {
  const t = r.touchpoint;
  const c = t.context;
  const [traitKeys, traitValues] = pairs({ ...(c?.traits ?? {}), ...t.traits });
  const [propertyKeys, propertyValues] = pairs(t.properties);
  const revenue = t.properties.revenue;
  return {
    message_id: t.messageId,
    type: t.type,
    event: text(t.event),
    name: text(t.name),
    user_id: text(t.userId),
    anonymous_id: text(t.anonymousId),
    profile_id: text(r.profileId),
    id_type: text(r.primaryIdentifier?.type),
    id_value: text(r.primaryIdentifier?.value),
    event_time: seconds(t.timestamp),
    event_ms: t.timestamp,
    received_at: seconds(t.receivedAt ?? t.timestamp),
    source: t.source,
    ip: text(c?.ip),
    user_agent: text(c?.userAgent),
    locale: text(c?.locale),
    timezone: text(c?.timezone),
    page_path: text(c?.page?.path),
    page_url: text(c?.page?.url),
    page_referrer: text(c?.page?.referrer),
    page_title: text(c?.page?.title),
    utm_source: text(c?.campaign?.source),
    utm_medium: text(c?.campaign?.medium),
    utm_campaign: text(c?.campaign?.name),
    device_id: text(c?.device?.id),
    device_type: text(c?.device?.type),
    device_model: text(c?.device?.model),
    os_name: text(c?.os?.name),
    app_name: text(c?.app?.name),
    app_version: text(c?.app?.version),
    country: text(c?.location?.country),
    region: text(c?.location?.region),
    city: text(c?.location?.city),
    revenue: typeof revenue === 'number' && Number.isFinite(revenue) ? revenue : 0,
    currency: typeof t.properties.currency === 'string' ? t.properties.currency : '',
    session_key: sessionKey(t),
    trait_keys: traitKeys,
    trait_values: traitValues,
    property_keys: propertyKeys,
    property_values: propertyValues,
    identifiers: r.identifiers.map((i) => `${i.type}:${i.value}`),
    refused: r.refusals.map((x) => `${x.identifier.type}:${x.identifier.value}`),
    refusal_codes: r.refusals.map((x) => x.code),
    dropped_types: r.dropped.map((x) => x.type),
    dropped_codes: r.dropped.map((x) => x.code),
    src_topic: at.topic,
    src_partition: at.partition,
    src_offset: at.offset,
  };
}

export type EventRow = ReturnType<typeof eventRow>;

const src = (at: SourcePosition) => ({ src_topic: at.topic, src_partition: at.partition, src_offset: at.offset });

/** A version as a decimal string (UInt64 in ClickHouse; JSON numbers would lose precision above 2^53). */
function versionText(v: number | string | bigint): string | null {
  const t = typeof v === 'string' ? v.trim() : typeof v === 'bigint' ? v.toString() : Number.isSafeInteger(v) ? String(v) : '';
  return /^\d{1,20}$/.test(t) ? t : null;
}

/** The identifier a profile was created from: the smallest (eventTime, messageId, type, value). */
export function anchorOf(ids: readonly LinkedIdentifierRecord[]): LinkedIdentifierRecord | null {
  let best: LinkedIdentifierRecord | null = null;
  const key = (i: LinkedIdentifierRecord) => [i.messageId, i.type, i.value] as const;
  for (const i of ids) {
    if (best === null || i.eventTime < best.eventTime) { best = i; continue; }
    if (i.eventTime > best.eventTime) continue;
    const [a, b] = [key(i), key(best)];
    for (let k = 0; k < a.length; k += 1) {
      if (a[k]! < b[k]!) { best = i; break; }
      if (a[k]! > b[k]!) break;
    }
  }
  return best;
}

/**
 * A profiles-topic record → profiles (always), identities and profile_anchors (active profiles only).
 * `value` null is a tombstone: the profile no longer exists; its id is the key and its version the `version` header.
 */
export function profileRows(key: string | null, value: ProfileRecord | null, versionHeader: string | null, at: SourcePosition): Mapped {
  if (value === null) {
    const version = versionHeader === null ? null : versionText(versionHeader);
    if (!key) return { ok: false, code: 'TSR_DLQ_INVALID_RECORD', reason: 'profile tombstone without a key (the profile id)' };
    if (version === null) {
      return { ok: false, code: 'TSR_DLQ_INVALID_RECORD', reason: `profile tombstone for ${key} without a decimal version header (got ${JSON.stringify(versionHeader)})` };
    }
    return {
      ok: true,
      rows: {
        profiles: [{
          profile_id: key, state: 'deleted', merged_into: '', id_types: [], id_values: [], identifier_count: 0,
          first_seen: 0, last_seen: 0, version, ...src(at),
        }],
      },
    };
  }
  const version = versionText(value.version);
  if (version === null) return { ok: false, code: 'TSR_DLQ_INVALID_RECORD', reason: `profile ${value.profileId} has an invalid version ${String(value.version)}` };
  const ids = [...value.identifiers].sort((a, b) => (a.type === b.type ? (a.value < b.value ? -1 : a.value > b.value ? 1 : 0) : a.type < b.type ? -1 : 1));
  const rows: TableRows = {
    profiles: [{
      profile_id: value.profileId,
      state: value.state,
      merged_into: text(value.mergedInto),
      id_types: ids.map((i) => i.type),
      id_values: ids.map((i) => i.value),
      identifier_count: ids.length,
      first_seen: seconds(value.firstSeen),
      last_seen: seconds(value.lastSeen),
      version,
      ...src(at),
    }],
  };
  if (value.state === 'active') {
    rows.identities = ids.map((i) => ({
      id_type: i.type, id_value: i.value, profile_id: value.profileId, message_id: i.messageId,
      linked_at: seconds(i.eventTime), version, ...src(at),
    }));
    const anchor = anchorOf(ids);
    if (anchor) rows.profile_anchors = [{ profile_id: value.profileId, id_type: anchor.type, id_value: anchor.value, ...src(at) }];
  }
  return { ok: true, rows };
}

/** An identity.merges record → identity_changes; an erased identifier (move to nobody) also → identities. */
export function identityChangeRows(c: IdentityChangeRecord, at: SourcePosition): Mapped {
  const version = versionText(c.version);
  if (version === null) return { ok: false, code: 'TSR_DLQ_INVALID_RECORD', reason: `identity change for ${c.messageId} has an invalid version ${String(c.version)}` };
  if (c.kind === 'move' && c.identifier === null) {
    return { ok: false, code: 'TSR_DLQ_INVALID_RECORD', reason: `move record for ${c.messageId} names no identifier` };
  }
  const rows: TableRows = {
    identity_changes: [{
      kind: c.kind,
      from_profile: text(c.fromProfileId),
      into_profile: text(c.intoProfileId),
      id_type: text(c.identifier?.type),
      id_value: text(c.identifier?.value),
      message_id: c.messageId,
      event_time: seconds(c.eventTime),
      event_ms: c.eventTime,
      version,
      ...src(at),
    }],
  };
  if (c.kind === 'move' && c.identifier && c.intoProfileId === null) {
    rows.identities = [{
      id_type: c.identifier.type, id_value: c.identifier.value, profile_id: '', message_id: c.messageId,
      linked_at: seconds(c.eventTime), version, ...src(at),
    }];
  }
  return { ok: true, rows };
}

/** A resolved event → one events row. */
export function resolvedRows(r: ResolvedEvent, at: SourcePosition): Mapped {
  return { ok: true, rows: { events: [eventRow(r, at)] } };
}
