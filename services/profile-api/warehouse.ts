// ClickHouse reads of the API: each query bounded in time (max_execution_time, a request timeout) and rows.
import type { ClickHouseClient } from '../kit/clickhouse.ts';
import {
  activityByDay, activityTotals, eventsBy, eventsPage, identityChanges, linkingEvents, refusals, traits,
  type Bucket, type Dimension, type EventsQuery, type TimeRange,
} from './queries.ts';

/** One row of events_current as the API reads it (64-bit integers arrive as strings). */
export interface EventRow {
  message_id: string; type: string; event: string; name: string; source: string; event_ms: string | number; received_s: number;
  user_id: string; anonymous_id: string; ip: string; user_agent: string; locale: string; timezone: string;
  page_path: string; page_url: string; page_referrer: string; page_title: string;
  utm_source: string; utm_medium: string; utm_campaign: string;
  device_id: string; device_type: string; device_model: string; os_name: string; app_name: string; app_version: string;
  country: string; region: string; city: string; revenue: number; currency: string;
  trait_keys: string[]; trait_values: string[]; property_keys: string[]; property_values: string[]; identifiers: string[];
}

export interface TraitRow { trait: string; value: string; updated_ms: string | number }

export interface ActivityTotals {
  events: number; sessions: number; revenue: number; firstSeen: number | null; lastSeen: number | null;
  lastChannel: string; countries: string[]; deviceTypes: string[];
}

export interface SeriesPoint { t: number; key: string; n: number }

export interface LinkingEvent { messageId: string; type: string; event: string; source: string; eventTime: number; identifiers: string[] }

/** A warehouse query that failed or ran out of time: the API answers 503 with the reason. */
export class WarehouseUnavailable extends Error {}

export interface WarehouseOptions { database: string; timeoutMs: number; maxSeriesRows: number }

export class Warehouse {
  constructor(private readonly ch: ClickHouseClient, private readonly o: WarehouseOptions) {}

  async events(q: EventsQuery): Promise<EventRow[]> {
    return this.rows<EventRow>(eventsPage(this.o.database, q));
  }

  /** `identifierKeys`: the profile's identifiers as TYPE:VALUE, which find its claims. */
  async traits(identifierKeys: readonly string[], include: string[], after: string | null, limit: number): Promise<TraitRow[]> {
    return this.rows<TraitRow>(traits(this.o.database, identifierKeys, include, after, limit));
  }

  async totals(identifierKeys: readonly string[]): Promise<ActivityTotals | null> {
    const [r] = await this.rows<{ events: string; sessions: string; revenue: number; first_s: number; last_s: number; last_channel: string; countries: string[]; device_types: string[] }>(
      activityTotals(this.o.database, identifierKeys));
    if (r === undefined || Number(r.events) === 0) return null;
    return {
      events: Number(r.events), sessions: Number(r.sessions), revenue: r.revenue,
      firstSeen: r.first_s > 0 ? r.first_s * 1000 : null, lastSeen: r.last_s > 0 ? r.last_s * 1000 : null,
      lastChannel: r.last_channel, countries: [...r.countries].sort(), deviceTypes: [...r.device_types].sort(),
    };
  }

  async activityByDay(identifierKeys: readonly string[], range: TimeRange): Promise<{ day: string; events: number; revenue: number }[]> {
    const rows = await this.rows<{ day: string; events: string; revenue: number }>(activityByDay(this.o.database, identifierKeys, range, 1000));
    return rows.map((r) => ({ day: r.day, events: Number(r.events), revenue: r.revenue }));
  }

  async linkingEvents(messageIds: string[], range: TimeRange): Promise<LinkingEvent[]> {
    if (messageIds.length === 0) return [];
    const rows = await this.rows<{ message_id: string; type: string; event: string; source: string; event_ms: string; identifiers: string[] }>(
      linkingEvents(this.o.database, messageIds, range));
    return rows.map((r) => ({ messageId: r.message_id, type: r.type, event: r.event, source: r.source, eventTime: Number(r.event_ms), identifiers: r.identifiers }));
  }

  async eventsBy(dimension: Dimension, range: TimeRange, bucket: Bucket): Promise<SeriesPoint[]> {
    return this.series(eventsBy(this.o.database, dimension, range, bucket, this.o.maxSeriesRows));
  }

  async identityChanges(range: TimeRange, bucket: Bucket): Promise<SeriesPoint[]> {
    return this.series(identityChanges(this.o.database, range, bucket, this.o.maxSeriesRows));
  }

  async refusals(range: TimeRange, bucket: Bucket): Promise<SeriesPoint[]> {
    return this.series(refusals(this.o.database, range, bucket, this.o.maxSeriesRows));
  }

  async ping(): Promise<boolean> {
    try {
      return (await this.ch.ping()).success;
    } catch {
      return false;
    }
  }

  private async series(sql: string): Promise<SeriesPoint[]> {
    const rows = await this.rows<{ t: number; key: string; n: string }>(sql);
    return rows.map((r) => ({ t: r.t * 1000, key: r.key, n: Number(r.n) }));
  }

  private async rows<T>(query: string): Promise<T[]> {
    const abort = AbortSignal.timeout(this.o.timeoutMs);
    try {
      const rs = await this.ch.query({
        query, format: 'JSONEachRow', abort_signal: abort,
        // The server stops the query too, so an abandoned request does not keep a core busy.
        clickhouse_settings: { max_execution_time: Math.max(1, Math.ceil(this.o.timeoutMs / 1000)) },
      });
      return await rs.json<T>();
    } catch (err) {
      throw new WarehouseUnavailable(abort.aborted ? `ClickHouse did not answer within ${this.o.timeoutMs} ms` : `ClickHouse query failed: ${(err as Error).message.split('\n')[0]}`, { cause: err });
    }
  }
}
