// Pure mapping from a touchpoint to its events row: its identifiers and claim key (the same pure extraction and key
// as the extract stage), drops, context and properties; no I/O.
import { PURPOSES } from '../contract/consent.ts';
import type { Scalars, Touchpoint } from '../contract/touchpoint.ts';
import { validateTouchpoint } from '../contract/validate.ts';
import { claimKey, extractIdentifiers, type Identifier, type IdentityConfig } from '../identity/index.ts';
import { scrubEventRow, withoutErased } from '../privacy/scrub.ts';
import type { SuppressionList } from '../privacy/suppression.ts';
import { seconds, text, type Mapped, type Row, type SourcePosition } from './rows.ts';

/**
 * A touchpoint the writer does not write and does not dead-letter either: the extract stage reads the same record and
 * dead-letters it (one DLQ record per bad touchpoint, whichever stage sees it first would be a race).
 */
export interface Skipped { ok: false; skipped: true; code: string; reason: string }

const SESSION_WINDOW_MS = 30 * 60 * 1000;

function scalarText(v: Scalars[string]): string {
  if (v === null) return '';
  return typeof v === 'string' ? v : String(v);
}

function pairs(m: Scalars): [string[], string[]] {
  const keys = Object.keys(m).sort();
  return [keys, keys.map((k) => scalarText(m[k] ?? null))];
}

/** properties.session_id when the SDK sends one; else the device, cookie or user and a 30-minute window. */
export function sessionKey(e: Touchpoint): string {
  const explicit = e.properties.session_id ?? e.properties.sessionId;
  if (explicit !== undefined && explicit !== null && explicit !== '') return `s:${scalarText(explicit)}`;
  const who = e.context?.device?.id ?? e.anonymousId ?? e.userId ?? e.messageId;
  return `w:${who}:${Math.floor(e.timestamp / SESSION_WINDOW_MS)}`;
}

/**
 * What an event carried: its normalised identifiers and the blocked values among them (together its claim, as the
 * extract stage keys it), and the identifiers dropped before linking.
 */
export interface Carried {
  identifiers: readonly Identifier[];
  blocked?: readonly Identifier[] | undefined;
  dropped: readonly { type: string; code: string }[];
}

/**
 * The claim an event carries, keyed exactly as the extract stage keys it (claimKey of the identifiers and the blocked
 * values); '' when it carried neither (nothing to link, nobody to attribute it to).
 */
export function eventClaimKey(x: Carried): string {
  const blocked = x.blocked ?? [];
  return x.identifiers.length === 0 && blocked.length === 0 ? '' : claimKey(x.identifiers, blocked);
}

/**
 * The events row of a touchpoint. The columns of a resolve-time decision (profile_id, id_type, id_value, refused,
 * refusal_codes) stay empty: an event is attributed through its claim key (events_current), and refusals are the link
 * stage's to record. Rows copied from the layout before (migration 007) still carry them.
 */
export function eventRow(t: Touchpoint, x: Carried, at: SourcePosition): Row {
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
    claim_key: eventClaimKey(x),
    identifiers: x.identifiers.map((i) => `${i.type}:${i.value}`),
    dropped_types: x.dropped.map((d) => d.type),
    dropped_codes: x.dropped.map((d) => d.code),
    profile_id: '',
    id_type: '',
    id_value: '',
    refused: [],
    refusal_codes: [],
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
    // The consent the event carried (migration 035): the warehouse's purpose gates and each profile's current consent.
    consent_said: t.consent ? 1 : 0,
    consent_purposes: t.consent ? PURPOSES.filter((p) => t.consent![p]) : [],
    src_topic: at.topic,
    src_partition: at.partition,
    src_offset: at.offset,
  };
}

/**
 * A touchpoint → one events row with no resolve-time profile: the event is attributed through its
 * claim key once the link stage has published the claim. An invalid touchpoint is skipped (the extract stage
 * dead-letters it), as it never reaches the graph either.
 */
export function touchpointRows(t: Touchpoint, config: IdentityConfig, at: SourcePosition, suppression?: SuppressionList): Mapped | Skipped {
  const valid = validateTouchpoint(t);
  if (!valid.ok) return { ok: false, skipped: true, code: valid.code, reason: valid.reason };
  const x = extractIdentifiers(t, config);
  if (suppression === undefined || suppression.size === 0) return { ok: true, rows: { events: [eventRow(t, x, at)] } };
  // Erased identifiers (docs/privacy.md): an event attributable only to them is not written at all.
  const e = withoutErased(x, suppression);
  if (e.only) return { ok: true, rows: {} };
  const row = eventRow(t, e.carried, at);
  if (e.erased.length > 0) scrubEventRow(row, e.erased, config);
  return { ok: true, rows: { events: [row] } };
}
