// Answers in the shapes of Segment's Profile API (traits, external_ids, events, metadata, links), so a client
// written for it reads Tessera's by changing its base URL (pure).
import type { LinkedIdentifierRecord } from '../kit/records.ts';
import type { ProfileEntry } from './tables.ts';
import type { EventRow, TraitRow } from './warehouse.ts';

export interface Cursor { url: string; has_more: boolean; next: string; limit: number }

export const iso = (ms: number): string => new Date(ms).toISOString();

const zip = (keys: string[], values: string[]): Record<string, string> => Object.fromEntries(keys.map((k, i) => [k, values[i] ?? '']));

/** Keeps the non-empty fields of an object; null when none is left (Segment omits absent context blocks). */
function present<T extends Record<string, unknown>>(o: T): Partial<T> | null {
  const out = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== '' && v !== null && v !== undefined && !(typeof v === 'object' && Object.keys(v as object).length === 0)));
  return Object.keys(out).length === 0 ? null : (out as Partial<T>);
}

/** An identifier `type:value` as a Segment external id. */
export function externalId(typeValue: string): { collection: 'users'; type: string; id: string; encoding: 'none' } {
  const i = typeValue.indexOf(':');
  return { collection: 'users', type: typeValue.slice(0, i), id: typeValue.slice(i + 1), encoding: 'none' };
}

/** One event as Segment's /events returns it; traits and property values are the warehouse's text. */
export function segmentEvent(r: EventRow, profileId: string): Record<string, unknown> {
  const context = present({
    ip: r.ip, userAgent: r.user_agent, locale: r.locale, timezone: r.timezone,
    page: present({ path: r.page_path, referrer: r.page_referrer, title: r.page_title, url: r.page_url }),
    campaign: present({ source: r.utm_source, medium: r.utm_medium, name: r.utm_campaign }),
    device: present({ id: r.device_id, type: r.device_type, model: r.device_model }),
    os: present({ name: r.os_name }),
    app: present({ name: r.app_name, version: r.app_version }),
    location: present({ country: r.country, region: r.region, city: r.city }),
    traits: present(zip(r.trait_keys, r.trait_values)),
  });
  return {
    external_ids: r.identifiers.map(externalId),
    context: context ?? {},
    type: r.type,
    message_id: r.message_id,
    source_id: r.source,
    timestamp: iso(Number(r.event_ms)),
    received_at: r.received_s > 0 ? iso(r.received_s * 1000) : null,
    properties: zip(r.property_keys, r.property_values),
    ...(r.type === 'track' ? { event: r.event } : {}),
    ...(r.type === 'page' || r.type === 'screen' ? { name: r.name } : {}),
    ...(r.user_id ? { user_id: r.user_id } : {}),
    ...(r.anonymous_id ? { anonymous_id: r.anonymous_id } : {}),
    related: { users: profileId },
  };
}

export function segmentTraits(rows: TraitRow[], verbose: boolean): Record<string, unknown> {
  return Object.fromEntries(rows.map((t) => [t.trait, verbose ? { value: t.value, source_id: null, updated_at: iso(Number(t.updated_ms)) } : t.value]));
}

/** The identifiers of a profile, in the order they were linked (then by type and value). */
export function linkedOrder(ids: readonly LinkedIdentifierRecord[]): LinkedIdentifierRecord[] {
  return [...ids].sort((a, b) => a.eventTime - b.eventTime || (a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : 0)
    || (a.type < b.type ? -1 : a.type > b.type ? 1 : 0) || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0));
}

export function segmentExternalIds(ids: LinkedIdentifierRecord[], verbose: boolean): Record<string, unknown>[] {
  return ids.map((l) => ({
    id: l.value, type: l.type, collection: 'users', source_id: null, created_at: iso(l.eventTime), encoding: 'none',
    first_message_id: l.messageId,
    ...(verbose ? { linked_by: l.messageId } : {}),
  }));
}

export function segmentMetadata(p: ProfileEntry): Record<string, unknown> {
  const ids = linkedOrder(p.identifiers);
  const first = ids[0];
  const last = ids[ids.length - 1];
  return {
    created_at: iso(p.firstSeen),
    updated_at: iso(Math.max(p.lastSeen, last?.eventTime ?? 0)),
    expires_at: null,
    first_message_id: first?.messageId ?? null,
    first_source_id: null,
    last_message_id: last?.messageId ?? null,
    last_source_id: null,
  };
}

/** Segment's error body, with the Tessera catalog code beside Segment's own class of error. */
export function errorBody(status: number, tesseraCode: string, message: string): { error: { code: string; tessera_code: string; message: string } } {
  const code = status === 401 || status === 403 ? 'authentication_error'
    : status === 404 ? 'not_found'
      : tesseraCode === 'TSR_API_BAD_QUERY' || status === 405 ? 'invalid_request_error'
        : status === 429 ? 'rate_limit_error'
          : status < 500 ? 'validation_error' : 'server_error';
  return { error: { code, tessera_code: tesseraCode, message } };
}
