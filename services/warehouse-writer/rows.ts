// Pure mapping from the link stage's records (profiles, merges, identifiers, claims) to ClickHouse rows; no I/O.
import type {
  IdentityChangeRecord, IdentityClaimRecord, IdentityIdentifierRecord, LinkedIdentifierRecord, ProfileRecord,
} from '../kit/records.ts';
import type { Table } from './tables.ts';

export { TABLES, type Table } from './tables.ts';

export interface SourcePosition { topic: string; partition: number; offset: string }

/** A row by column name (tables.ts gives the order): every row carries src_topic / src_partition / src_offset. */
export type Row = Record<string, unknown> & { src_topic: string; src_partition: number; src_offset: string };
export type TableRows = Partial<Record<Table, Row[]>>;

/** A record that cannot be mapped is a normal outcome (dead-lettered by the writer), not an exception. */
export type Mapped = { ok: true; rows: TableRows } | { ok: false; code: 'TSR_DLQ_INVALID_RECORD'; reason: string };

export const seconds = (ms: number): number => Math.floor(ms / 1000);
export const text = (v: string | null | undefined): string => v ?? '';

export const src = (at: SourcePosition) => ({ src_topic: at.topic, src_partition: at.partition, src_offset: at.offset });

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
 * A profiles-topic record → profiles and, for an active profile, profile_anchors. Identities come from the link
 * stage's identity.identifiers alone (identifierRows), which says which profile each identifier is in now.
 * `value` null is a tombstone: the profile no longer exists; its id is the key and its version the `version` header.
 */
export function profileRows(key: string | null, value: ProfileRecord | null, versionHeader: string | null, at: SourcePosition): Mapped {
  if (value === null) {
    const t = tombstoneVersion('profile', key, versionHeader);
    if (!t.ok) return t;
    return {
      ok: true,
      rows: {
        profiles: [{
          profile_id: t.key, state: 'deleted', merged_into: '', id_types: [], id_values: [], identifier_count: 0,
          first_seen: 0, last_seen: 0, version: t.version, ...src(at),
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
    const anchor = anchorOf(ids);
    if (anchor) rows.profile_anchors = [{ profile_id: value.profileId, id_type: anchor.type, id_value: anchor.value, ...src(at) }];
  }
  return { ok: true, rows };
}

/** An identity.merges record → identity_changes (an erased identifier's identities row comes from identity.identifiers). */
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
  return { ok: true, rows };
}

type Tombstone = { ok: true; key: string; version: string } | { ok: false; code: 'TSR_DLQ_INVALID_RECORD'; reason: string };

/** A tombstone (null value) on a compacted topic can be written only with its key and a `version` header. */
function tombstoneVersion(what: string, key: string | null, versionHeader: string | null): Tombstone {
  if (!key) return { ok: false, code: 'TSR_DLQ_INVALID_RECORD', reason: `${what} tombstone without a key (the ${what} id)` };
  const version = versionHeader === null ? null : versionText(versionHeader);
  if (version === null) {
    return { ok: false, code: 'TSR_DLQ_INVALID_RECORD', reason: `${what} tombstone for ${key} without a decimal version header (got ${JSON.stringify(versionHeader)})` };
  }
  return { ok: true, key, version };
}

/**
 * An identity.identifiers record → identities: the identifier's current profile ('' = no longer linked: a contested
 * shared device, an erasure, a re-resolve). A tombstone (key type:value, `version` header) unlinks it too.
 */
export function identifierRows(key: string | null, value: IdentityIdentifierRecord | null, versionHeader: string | null, at: SourcePosition): Mapped {
  if (value === null) {
    const t = tombstoneVersion('identifier', key, versionHeader);
    if (!t.ok) return t;
    const colon = t.key.indexOf(':');
    if (colon <= 0) return { ok: false, code: 'TSR_DLQ_INVALID_RECORD', reason: `identifier tombstone key ${JSON.stringify(t.key)} is not type:value` };
    return { ok: true, rows: { identities: [{
      id_type: t.key.slice(0, colon), id_value: t.key.slice(colon + 1), profile_id: '', message_id: '', linked_at: 0, version: t.version, ...src(at),
    }] } };
  }
  const version = versionText(value.version);
  if (version === null) return { ok: false, code: 'TSR_DLQ_INVALID_RECORD', reason: `identifier ${value.type}:${value.value} has an invalid version ${String(value.version)}` };
  return { ok: true, rows: { identities: [{
    id_type: value.type, id_value: value.value, profile_id: text(value.profileId), message_id: value.messageId,
    linked_at: seconds(value.eventTime), version, ...src(at),
  }] } };
}

/**
 * An identity.claims record → claims: claim key → its primary identifier (empty when none was linked) and the
 * profile at link time. A tombstone (key = claim key, `version` header) is an erased claim: no primary any more.
 */
export function claimRows(key: string | null, value: IdentityClaimRecord | null, versionHeader: string | null, at: SourcePosition): Mapped {
  if (value === null) {
    const t = tombstoneVersion('claim', key, versionHeader);
    if (!t.ok) return t;
    return { ok: true, rows: { claims: [{
      claim_key: t.key, primary_type: '', primary_value: '', profile_id: '', message_id: '', event_time: 0, version: t.version, ...src(at),
    }] } };
  }
  const version = versionText(value.version);
  if (version === null) return { ok: false, code: 'TSR_DLQ_INVALID_RECORD', reason: `claim ${value.claimKey} has an invalid version ${String(value.version)}` };
  if (value.claimKey === '') return { ok: false, code: 'TSR_DLQ_INVALID_RECORD', reason: `claim record for ${value.messageId} has an empty claim key` };
  // Half a primary identifier names none: both parts or neither.
  const primary = value.primaryType && value.primaryValue ? [value.primaryType, value.primaryValue] : ['', ''];
  return { ok: true, rows: { claims: [{
    claim_key: value.claimKey, primary_type: primary[0], primary_value: primary[1], profile_id: text(value.profileId),
    message_id: value.messageId, event_time: seconds(value.eventTime), version, ...src(at),
  }] } };
}
