// Segments in ClickHouse: the catalog of names, member sets of compiled SQL, stored membership, and the writes of a
// refresh (schemas/clickhouse/020_segments.sql). Reads only the documented views (docs/analyst-guide.md).
import { select, type ClickHouseClient } from '../kit/clickhouse.ts';
import { ident, strList } from '../kit/sql.ts';
import type { Problem, Segment } from './definition.ts';
import type { Change } from './membership.ts';
import type { Catalog } from './validate.ts';

export class SegmentStore {
  private readonly db: string;

  constructor(private readonly ch: ClickHouseClient, database: string) {
    this.db = ident(database);
  }

  /** Trait, track event and property names the warehouse has seen. */
  async catalog(): Promise<Catalog> {
    const names = async (sql: string) => new Set((await select<{ n: string }>(this.ch, sql)).map((r) => r.n));
    return {
      traits: await names(`SELECT DISTINCT trait AS n FROM ${this.db}.profile_traits_current`),
      events: await names(`SELECT DISTINCT event AS n FROM ${this.db}.events_current WHERE type = 'track' AND event != ''`),
      properties: await names(`SELECT DISTINCT arrayJoin(property_keys) AS n FROM ${this.db}.events_current`),
    };
  }

  /**
   * Problems of SQL-defined segments: the SELECT must run and return a profile_id column. It always runs as a subquery
   * (here and in the compiled segment), so it can only read; the definitions file is trusted like any configuration.
   */
  async checkSql(segments: readonly Segment[], pathOf: (id: string) => string): Promise<Problem[]> {
    const problems: Problem[] = [];
    for (const s of segments) {
      if (s.kind !== 'sql') continue;
      try {
        await this.ch.query({ query: `SELECT profile_id FROM (${s.sql.replaceAll('{db}', this.db)}) LIMIT 0`, format: 'JSONEachRow' });
      } catch (err) {
        problems.push({ path: `${pathOf(s.id)}.sql`, message: `ClickHouse refuses it: ${(err as Error).message.split('\n')[0]}` });
      }
    }
    return problems;
  }

  /** The profile ids a compiled segment SELECT returns. */
  async members(sql: string): Promise<Set<string>> {
    const rs = await this.ch.query({ query: sql, format: 'JSONEachRow' });
    const rows = await rs.json<{ profile_id: string }>();
    return new Set(rows.map((r) => r.profile_id));
  }

  /** Segment id → member → entered_ms, for every segment with members. */
  async membership(): Promise<Map<string, Map<string, number>>> {
    const rows = await select<{ s: string; p: string; e: string }>(this.ch, `SELECT segment_id AS s, profile_id AS p, entered_ms AS e FROM ${this.db}.segment_members`);
    const out = new Map<string, Map<string, number>>();
    for (const { s: segment, p: profile, e: entered } of rows) {
      let m = out.get(segment);
      if (!m) out.set(segment, (m = new Map()));
      m.set(profile, Number(entered));
    }
    return out;
  }

  /** Segments defined at some point and not retired yet. */
  async definedSegments(): Promise<Map<string, string>> {
    const rows = await select<{ segment_id: string; definition: string }>(this.ch,
      `SELECT segment_id, definition FROM ${this.db}.segment_definitions FINAL WHERE retired = 0`);
    return new Map(rows.map((r) => [r.segment_id, r.definition]));
  }

  /** Merged-away profile → the profile that holds it now, for the given ids (profile_aliases). */
  async survivors(profileIds: readonly string[]): Promise<Map<string, string>> {
    const out = new Map<string, string>();
    for (let i = 0; i < profileIds.length; i += 10_000) {
      const rows = await select<{ alias_id: string; profile_id: string }>(this.ch,
        `SELECT alias_id, profile_id FROM ${this.db}.profile_aliases WHERE alias_id IN ${strList(profileIds.slice(i, i + 10_000))}`);
      for (const r of rows) out.set(r.alias_id, r.profile_id);
    }
    return out;
  }

  /** The instant of the latest refresh (ms), 0 before the first. */
  async lastRefresh(): Promise<number> {
    const [row] = await select<{ ms: string }>(this.ch, `SELECT max(refreshed_ms) AS ms FROM ${this.db}.segment_refreshes`);
    return Number(row?.ms ?? 0);
  }

  async writeDefinitions(rows: { segment: Segment | null; id: string; definition: string; compiledSql: string; retired: boolean }[], at: number): Promise<void> {
    if (rows.length === 0) return;
    await this.ch.insert({
      table: `${this.db}.segment_definitions`,
      format: 'JSONEachRow',
      values: rows.map((r) => ({
        segment_id: r.id, name: r.segment?.name ?? r.id, description: r.segment?.description ?? '',
        kind: r.segment === null ? 'retired' : r.id.startsWith('rfm-') ? 'rfm' : r.segment.kind,
        definition: r.definition, compiled_sql: r.compiledSql, retired: r.retired ? 1 : 0, updated_ms: at, version: at,
      })),
    });
  }

  /** The changes of a refresh: membership rows and the change log (each one insert, so one part each). */
  async writeChanges(changes: readonly Change[]): Promise<void> {
    if (changes.length === 0) return;
    await this.ch.insert({
      table: `${this.db}.segment_changes`,
      format: 'JSONEachRow',
      values: changes.map((c) => ({ segment_id: c.segmentId, profile_id: c.profileId, change: c.change, reason: c.reason, at: Math.floor(c.at / 1000), at_ms: c.at })),
    });
    await this.ch.insert({
      table: `${this.db}.segment_membership`,
      format: 'JSONEachRow',
      values: changes.map((c) => ({
        segment_id: c.segmentId, profile_id: c.profileId, member: c.change === 'entered' ? 1 : 0,
        entered_ms: c.enteredAt, exited_ms: c.change === 'exited' ? c.at : 0, reason: c.reason, version: c.at,
      })),
    });
  }

  async writeRefresh(r: { at: number; asOf: number; segments: number; entered: number; exited: number; tookMs: number }): Promise<void> {
    await this.ch.insert({
      table: `${this.db}.segment_refreshes`,
      format: 'JSONEachRow',
      values: [{ refreshed_ms: r.at, refreshed_at: Math.floor(r.at / 1000), as_of: r.asOf, segments: r.segments, entered: r.entered, exited: r.exited, took_ms: r.tookMs }],
    });
  }
}
