// Pure mapping from published records to ClickHouse rows (schemas/clickhouse); no I/O.
import type { ResolvedEvent } from '../kit/records.ts';
import type { Scalars } from '../kit/touchpoint.ts';

export interface SourcePosition { topic: string; partition: number; offset: string }

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
    src_topic: at.topic,
    src_partition: at.partition,
    src_offset: at.offset,
  };
}

export type EventRow = ReturnType<typeof eventRow>;
