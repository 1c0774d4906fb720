// The warehouse queries of the API, as SQL text (pure): events through the analysts' documented view (events_current)
// and identity_changes, a profile's traits and activity from the per-claim tables (claims, profile_traits,
// profile_activity) filtered to the profile's claims first; always bounded by time or the profile and LIMIT, every
// value escaped by services/kit/sql.ts (18.16 has no query parameters).
import { ident, int, str, strList } from '../kit/sql.ts';

export interface TimeRange { start: number; end: number }

/** Where a page of events resumes: after the last event of the previous page, in the page's order. */
export interface EventCursor { ms: number; messageId: string }

export interface EventsQuery {
  profileId: string;
  range: TimeRange;
  sort: 'asc' | 'desc';
  limit: number;
  after: EventCursor | null;
  /** Event names or call types to keep / drop (Segment's include / exclude). */
  include: string[];
  exclude: string[];
}

/** The columns an event is rendered from (services/profile-api/segment.ts). */
export const EVENT_COLUMNS = [
  'message_id', 'type', 'event', 'name', 'source', 'event_ms', 'toUnixTimestamp(received_at) AS received_s', 'user_id', 'anonymous_id',
  'ip', 'user_agent', 'locale', 'timezone', 'page_path', 'page_url', 'page_referrer', 'page_title',
  'utm_source', 'utm_medium', 'utm_campaign', 'device_id', 'device_type', 'device_model', 'os_name', 'app_name', 'app_version',
  'country', 'region', 'city', 'revenue', 'currency', 'trait_keys', 'trait_values', 'property_keys', 'property_values', 'identifiers',
] as const;

/** Seconds and milliseconds bounds: event_time (the partition and sort key on the new layout) and event_ms (exact). */
function timeBounds(r: TimeRange): string {
  return `event_time >= toDateTime(${int(Math.floor(r.start / 1000))}) AND event_time <= toDateTime(${int(Math.floor(r.end / 1000))})`
    + ` AND event_ms >= ${int(r.start)} AND event_ms < ${int(r.end)}`;
}

/** One page of a profile's events (one row more than `limit`, to know whether there is a next page). */
export function eventsPage(db: string, q: EventsQuery): string {
  const where = [`current_profile_id = ${str(q.profileId)}`, timeBounds(q.range)];
  // A track call is named by its event; other calls by their type (page, screen, identify, alias, group).
  const name = "if(type = 'track', event, type)";
  if (q.include.length > 0) where.push(`${name} IN ${strList(q.include)}`);
  if (q.exclude.length > 0) where.push(`${name} NOT IN ${strList(q.exclude)}`);
  if (q.after) {
    const op = q.sort === 'desc' ? '<' : '>';
    where.push(`(event_ms ${op} ${int(q.after.ms)} OR (event_ms = ${int(q.after.ms)} AND message_id ${op} ${str(q.after.messageId)}))`);
  }
  const dir = q.sort === 'desc' ? 'DESC' : 'ASC';
  return `SELECT ${EVENT_COLUMNS.join(', ')} FROM ${ident(db)}.events_current WHERE ${where.join(' AND ')}`
    + ` ORDER BY event_ms ${dir}, message_id ${dir} LIMIT ${int(q.limit + 1)}`;
}

/** The events that linked identifiers (explain), by id within the time span of the chain. */
export function linkingEvents(db: string, messageIds: string[], range: TimeRange): string {
  return `SELECT message_id, type, event, source, event_ms, identifiers FROM ${ident(db)}.events_current`
    + ` WHERE message_id IN ${strList(messageIds)} AND ${timeBounds(range)} LIMIT ${int(messageIds.length * 2 + 1)}`;
}

/**
 * The profile's claims, found before any aggregate is read: the claims whose primary identifier is one of the profile's
 * identifiers (which the API holds), as claim_profiles attributes them. The analysts' *_current views join every claim
 * to identities first and filter by profile after; this reads the claims table once and the aggregates (ordered by
 * claim key) only for the profile's claims — on a million claims, ~1 s instead of ~50 s on this machine.
 */
function ofProfile(db: string, identifierKeys: readonly string[]): string {
  return `claim_key IN (SELECT claim_key FROM ${ident(db)}.claims FINAL WHERE concat(primary_type, ':', primary_value) IN ${strList(identifierKeys)})`;
}

/** A profile's latest traits (latest value across all its claims), after `after` in name order. */
export function traits(db: string, identifierKeys: readonly string[], include: string[], after: string | null, limit: number): string {
  const where = [ofProfile(db, identifierKeys)];
  if (include.length > 0) where.push(`trait IN ${strList(include)}`);
  if (after !== null) where.push(`trait > ${str(after)}`);
  return 'SELECT trait, argMax(latest_value, latest_ms) AS value, max(latest_ms) AS updated_ms FROM'
    + ` (SELECT trait, argMaxMerge(value) AS latest_value, maxMerge(updated_ms) AS latest_ms FROM ${ident(db)}.profile_traits`
    + ` WHERE ${where.join(' AND ')} GROUP BY claim_key, trait)`
    + ` GROUP BY trait ORDER BY trait LIMIT ${int(limit + 1)}`;
}

/** A profile's lifetime behaviour (one row; events = 0 when it has none). */
export function activityTotals(db: string, identifierKeys: readonly string[]): string {
  return 'SELECT countMerge(events) AS events, uniqMerge(sessions) AS sessions, sumMerge(revenue) AS revenue,'
    + ' toUnixTimestamp(minMerge(first_seen)) AS first_s, toUnixTimestamp(maxMerge(last_seen)) AS last_s, argMaxMerge(last_channel) AS last_channel,'
    + " arrayFilter(x -> x != '', groupUniqArrayMerge(countries)) AS countries, arrayFilter(x -> x != '', groupUniqArrayMerge(device_types)) AS device_types"
    + ` FROM ${ident(db)}.profile_activity WHERE ${ofProfile(db, identifierKeys)}`;
}

/** A profile's activity per day in a range (the 360's timeline). */
export function activityByDay(db: string, identifierKeys: readonly string[], range: TimeRange, maxRows: number): string {
  const day = (ms: number) => `toDate(toDateTime(${int(Math.floor(ms / 1000))}))`;
  return `SELECT toString(event_date) AS day, countMerge(events) AS events, sumMerge(revenue) AS revenue FROM ${ident(db)}.profile_activity`
    + ` WHERE ${ofProfile(db, identifierKeys)} AND event_date >= ${day(range.start)} AND event_date <= ${day(range.end)}`
    + ` GROUP BY day ORDER BY day LIMIT ${int(maxRows)}`;
}

export type Bucket = 'hour' | 'day';

export const BUCKET_MS: Record<Bucket, number> = { hour: 3_600_000, day: 86_400_000 };

const bucketOf = (b: Bucket, column: string) => `toUnixTimestamp(${b === 'hour' ? 'toStartOfHour' : 'toStartOfDay'}(${column}))`;

/** What an overview series counts events by. */
export const DIMENSIONS = {
  channel: 'source',
  deviceType: 'device_type',
  region: "if(region != '', concat(country, '-', region), country)",
} as const;

export type Dimension = keyof typeof DIMENSIONS;

/** Events per bucket and value of one dimension, over the range. */
export function eventsBy(db: string, dimension: Dimension, range: TimeRange, bucket: Bucket, maxRows: number): string {
  return `SELECT ${bucketOf(bucket, 'event_time')} AS t, ${DIMENSIONS[dimension]} AS key, count() AS n FROM ${ident(db)}.events_current`
    + ` WHERE ${timeBounds(range)} GROUP BY t, key ORDER BY t, key LIMIT ${int(maxRows)}`;
}

/** Merges and identifier moves per bucket (identity_changes: one row per identity.merges record). */
export function identityChanges(db: string, range: TimeRange, bucket: Bucket, maxRows: number): string {
  return `SELECT ${bucketOf(bucket, 'event_time')} AS t, kind AS key, count() AS n FROM ${ident(db)}.identity_changes FINAL`
    + ` WHERE ${timeBounds(range)} GROUP BY t, key ORDER BY t, key LIMIT ${int(maxRows)}`;
}

/** Refused links per bucket and code (LIMIT_EXCEEDED, HUB_IDENTIFIER), from the events that carry them. */
export function refusals(db: string, range: TimeRange, bucket: Bucket, maxRows: number): string {
  return `SELECT ${bucketOf(bucket, 'event_time')} AS t, code AS key, count() AS n FROM ${ident(db)}.events_current`
    + ` ARRAY JOIN refusal_codes AS code WHERE ${timeBounds(range)} GROUP BY t, key ORDER BY t, key LIMIT ${int(maxRows)}`;
}
