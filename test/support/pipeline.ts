// The pipeline for end-to-end tests that need one: extract → link → warehouse writer (reading the touchpoints), in
// this process on an isolated slice of the stack, and the wait until ClickHouse says what the pure core says.
import type { Touchpoint } from '../../services/contract/touchpoint.ts';
import { pureCore } from '../../services/demo/check.ts';
import { parseExtractConfig } from '../../services/extract/config.ts';
import { extractStage } from '../../services/extract/stage.ts';
import { select, type ClickHouseClient } from '../../services/kit/clickhouse.ts';
import { createLogger } from '../../services/kit/log.ts';
import { Ops } from '../../services/kit/ops.ts';
import { StageRunner } from '../../services/kit/stage/runner.ts';
import { parseLinkConfig } from '../../services/link/config.ts';
import { linkStage } from '../../services/link/stage.ts';
import { eventually, startWriter, type RunningWriter } from './published.ts';
import type { IsolatedStack } from './stack.ts';

export interface Warehouse { ch: ClickHouseClient; database: string }

export interface RunningPipeline {
  extract: StageRunner<unknown, unknown, unknown>;
  link: StageRunner<unknown, unknown, unknown>;
  writer: RunningWriter;
  stop(): Promise<void>;
}

/**
 * Starts the three stages in this process. `warehouse` points the writer at another ClickHouse (e.g. a current
 * release through chDB). Small chunks and short lingers keep a test's few events moving.
 */
export async function startStages(s: IsolatedStack, warehouse: Warehouse = { ch: s.ch, database: s.database }): Promise<RunningPipeline> {
  const env = { ...s.env, TESSERA_LOG_LEVEL: 'warn' };
  const log = createLogger('pipeline', process.env.TESSERA_TEST_LOG ?? 'warn');
  const extractConfig = parseExtractConfig(env);
  const extract = new StageRunner(extractStage(extractConfig, s.kafka, s.codec), {
    kafka: s.kafka, codec: s.codec, log, ops: new Ops('extract'), groupId: extractConfig.group, chunkMax: extractConfig.TESSERA_EXTRACT_CHUNK, sessionTimeoutMs: 6_000,
  });
  const linkConfig = parseLinkConfig(env);
  const link = new StageRunner(linkStage(linkConfig, s.kafka, s.codec, log), {
    kafka: s.kafka, codec: s.codec, log, ops: new Ops('link'), groupId: linkConfig.group, chunkMax: linkConfig.TESSERA_LINK_TXN_MAX, sessionTimeoutMs: 6_000,
  });
  await extract.start();
  await link.start();
  const writer = await startWriter({ kafka: s.kafka, codec: s.codec, ch: warehouse.ch, database: warehouse.database, topics: s.topics, groupId: `${s.prefix}warehouse-writer` });
  return {
    extract: extract as StageRunner<unknown, unknown, unknown>, link: link as StageRunner<unknown, unknown, unknown>, writer,
    async stop() {
      await writer.stop();
      await extract.stop();
      await link.stop();
    },
  };
}

/** What ClickHouse holds of identity: identifier → current profile, the active profiles, and the claims written. */
export async function identityIn(w: Warehouse): Promise<{ identities: Map<string, string>; active: string[]; claimKeys: Set<string>; events: number }> {
  const [identities, active, claims, events] = await Promise.all([
    select<{ k: string; p: string }>(w.ch, `SELECT concat(id_type, ':', id_value) AS k, profile_id AS p FROM ${w.database}.identities FINAL WHERE profile_id != ''`),
    select<{ p: string }>(w.ch, `SELECT profile_id AS p FROM ${w.database}.profiles FINAL WHERE state = 'active' ORDER BY profile_id`),
    select<{ k: string }>(w.ch, `SELECT DISTINCT claim_key AS k FROM ${w.database}.claims`),
    select<{ n: string }>(w.ch, `SELECT uniqExact(message_id) AS n FROM ${w.database}.events`),
  ]);
  return {
    identities: new Map(identities.map((r) => [r.k, r.p])), active: active.map((r) => r.p),
    claimKeys: new Set(claims.map((r) => r.k)), events: Number(events[0]?.n ?? 0),
  };
}

/** The same, as the pure core computes it for `touchpoints`: resolve() over their claims. */
export function identityExpected(touchpoints: readonly Touchpoint[]): { identities: Map<string, string>; active: string[]; claimKeys: Set<string>; events: number } {
  const e = pureCore(touchpoints);
  return { identities: e.identities, active: [...e.profiles].sort(), claimKeys: e.claimKeys, events: e.events.size };
}

/**
 * Waits until ClickHouse holds, for the touchpoints the pipeline took in, what resolve() says: every valid event, every
 * claim, the same identifier → profile table and the same active profiles. The writer fills the tables from several
 * topics, each on its own flush, so only all four together mean the pipeline has settled.
 */
export async function settled(w: Warehouse, touchpoints: readonly Touchpoint[], timeoutMs = 180_000): Promise<void> {
  const want = identityExpected(touchpoints);
  const same = (a: Map<string, string>, b: Map<string, string>) => a.size === b.size && [...b].every(([k, v]) => a.get(k) === v);
  await eventually(() => identityIn(w), (got) => got.events >= want.events && [...want.claimKeys].every((k) => got.claimKeys.has(k))
    && same(got.identities, want.identities) && got.active.join() === want.active.join(),
  `ClickHouse to hold what resolve() says for ${touchpoints.length} touchpoints`, timeoutMs);
}
