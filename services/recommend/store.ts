// Recommender runs in ClickHouse (schemas/clickhouse/021_recommendations.sql): compute a run into its partitions,
// read lists back, mark the run finished, drop partitions no reader needs.
import { select, type ClickHouseClient } from '../kit/clickhouse.ts';
import { ident, int, strList } from '../kit/sql.ts';
import type { RecItem, RecSource } from './lists.ts';
import { runSql, type RecommendOptions } from './sql.ts';

const RUN_TABLES = ['rec_interactions', 'item_similarity', 'recommendations'] as const;

export interface RunStats { profiles: number; coldProfiles: number; items: number }

export class RecommendationStore {
  private readonly db: string;

  constructor(private readonly ch: ClickHouseClient, database: string) {
    this.db = ident(database);
  }

  /** Fills the run's partitions: interactions from `source`, item similarity, top N for everyone in `universe`. */
  async compute(run: number, source: string, universe: string, o: RecommendOptions): Promise<RunStats> {
    const sql = runSql(this.db, run, source, universe, o);
    // A retried run starts from empty partitions (an earlier attempt may have stopped half-way).
    await this.dropRuns([run]);
    for (const statement of [sql.interactions, sql.similarity, sql.recommendations]) await this.ch.command({ query: statement });
    const [row] = await select<{ profiles: string; cold: string; items: string }>(this.ch, `SELECT uniqExact(profile_id) AS profiles,
        uniqExactIf(profile_id, profile_id NOT IN (SELECT profile_id FROM ${this.db}.rec_interactions WHERE run = ${int(run)})) AS cold,
        (SELECT uniqExact(item) FROM ${this.db}.rec_interactions WHERE run = ${int(run)}) AS items
      FROM ${this.db}.recommendations WHERE run = ${int(run)}`);
    return { profiles: Number(row?.profiles ?? 0), coldProfiles: Number(row?.cold ?? 0), items: Number(row?.items ?? 0) };
  }

  /** Profile → its list, best first, for one run. */
  async lists(run: number, profiles?: readonly string[]): Promise<Map<string, RecItem[]>> {
    const only = profiles ? ` AND profile_id IN ${strList(profiles)}` : '';
    const rows = await select<{ p: string; i: string; s: number; src: RecSource }>(this.ch,
      `SELECT profile_id AS p, item AS i, score AS s, source AS src FROM ${this.db}.recommendations WHERE run = ${int(run)}${only} ORDER BY profile_id, rank`);
    const out = new Map<string, RecItem[]>();
    for (const r of rows) {
      let l = out.get(r.p);
      if (!l) out.set(r.p, (l = []));
      l.push({ item: r.i, score: r.s, source: r.src });
    }
    return out;
  }

  /** Finished runs, newest first. */
  async finishedRuns(): Promise<number[]> {
    return (await select<{ run: string }>(this.ch, `SELECT run FROM ${this.db}.recommendation_runs ORDER BY run DESC`)).map((r) => Number(r.run));
  }

  async finish(run: number, asOf: number, stats: RunStats, tookMs: number): Promise<void> {
    await this.ch.insert({
      table: `${this.db}.recommendation_runs`, format: 'JSONEachRow',
      values: [{ run, as_of: asOf, profiles: stats.profiles, cold_profiles: stats.coldProfiles, items: stats.items, took_ms: tookMs }],
    });
  }

  /** Drops every run partition except `keep` (the latest finished runs and the one in progress). */
  async dropAllBut(keep: readonly number[]): Promise<number[]> {
    const rows = await select<{ partition: string }>(this.ch, `SELECT DISTINCT partition FROM system.parts
      WHERE database = '${this.db}' AND table IN ('${RUN_TABLES.join("', '")}') AND active`);
    const old = rows.map((r) => Number(r.partition)).filter((run) => Number.isSafeInteger(run) && !keep.includes(run));
    await this.dropRuns(old);
    return old;
  }

  private async dropRuns(runs: readonly number[]): Promise<void> {
    for (const run of runs) for (const t of RUN_TABLES) await this.ch.command({ query: `ALTER TABLE ${this.db}.${t} DROP PARTITION ${int(run)}` });
  }
}
