// Assembles the profile API: the identity tables and explain graph followed from their topics, the dead-letter
// tally, the warehouse, and the HTTP server. Usable in-process by the benchmark and tests.
import { createServer, type Server } from 'node:http';
import type { Kafka } from 'kafkajs';
import { backoff, sleep } from '../kit/backoff.ts';
import { describe } from '../kit/errors.ts';
import { createMissingTopics } from '../kit/kafka.ts';
import type { ClickHouseClient } from '../kit/clickhouse.ts';
import type { Logger } from '../kit/log.ts';
import type { Ops } from '../kit/ops.ts';
import { LINK_SCHEMAS, SCHEMAS, type ClaimRecord, type DeadLetterRecord, type IdentityIdentifierRecord, type ProfileRecord } from '../kit/records.ts';
import type { AvroCodec } from '../kit/registry.ts';
import { topicNames } from '../kit/topics.ts';
import type { ApiConfig } from './config.ts';
import { DeadLetterTally } from './dead-letters.ts';
import { ExplainGraph } from './explain-graph.ts';
import { TopicFollower, type FollowedTopic } from './follower.ts';
import { answerClientError, createHandler } from './http.ts';
import { apiMetrics, type ApiMetrics } from './metrics.ts';
import type { RouteContext } from './routes.ts';
import { privacyAdmin, type PrivacyAdmin } from './privacy-admin.ts';
import { loadPiiKey } from '../privacy/pii-config.ts';
import { loadStaticFiles } from './static-files.ts';
import { IdentityTables } from './tables.ts';
import { Warehouse } from './warehouse.ts';

/** The in-memory state and how each followed topic's records are applied to it (one code path for Kafka and bench). */
export class ApiState {
  readonly tables = new IdentityTables();
  readonly graph: ExplainGraph;
  readonly deadLetters: DeadLetterTally;
  restored = false;

  constructor(config: Pick<ApiConfig, 'identity' | 'TESSERA_API_DEAD_LETTERS_KEPT'>) {
    this.graph = new ExplainGraph(config.identity);
    this.deadLetters = new DeadLetterTally(config.TESSERA_API_DEAD_LETTERS_KEPT);
  }

  /** The identity tables, by topic: what the follower applies, record by record. */
  tableTopics(prefix: string): FollowedTopic[] {
    const t = topicNames(prefix);
    return [
      { topic: t.profiles, schema: SCHEMAS.profile, apply: (k, v) => this.tables.applyProfile(k, v as ProfileRecord | null) },
      { topic: t.identifiers, schema: LINK_SCHEMAS.identityIdentifier, apply: (k, v) => this.tables.applyIdentifier(k, v as IdentityIdentifierRecord | null) },
      { topic: t.changelog, schema: SCHEMAS.claim, apply: (k, v) => this.graph.apply(k, v as ClaimRecord | null) },
    ];
  }

  deadLetterTopic(prefix: string): FollowedTopic {
    return { topic: topicNames(prefix).dlq, schema: SCHEMAS.deadLetter, apply: (_k, v) => { if (v !== null) this.deadLetters.add(v as DeadLetterRecord); } };
  }

  /** Marks the tables restored: the explain graph is built from the claims read so far. */
  finishRestore(): void {
    this.graph.restored();
    this.restored = true;
  }
}

export interface ApiDeps { config: ApiConfig; kafka: Kafka; codec: AvroCodec; ch: ClickHouseClient; ops: Ops; log: Logger; clock?: () => number }

export interface RunningApi {
  port: number;
  state: ApiState;
  metrics: ApiMetrics;
  /** Resolves once the identity tables are read to the end they had at start. */
  restored: Promise<void>;
  close(): Promise<void>;
}

/** The route context over a state and a warehouse (also used by the benchmark, which loads the state itself). */
export function routeContext(state: ApiState, warehouse: Warehouse, config: ApiConfig, clock: () => number = Date.now, privacy?: PrivacyAdmin): RouteContext {
  return {
    ...(privacy ? { privacy } : {}),
    tables: state.tables, graph: state.graph, deadLetters: state.deadLetters, warehouse, identity: config.identity, clock,
    restored: () => state.restored,
    limits: {
      eventsDefaultDays: config.TESSERA_API_EVENTS_DEFAULT_DAYS, eventsMaxDays: config.TESSERA_API_EVENTS_MAX_DAYS,
      overviewDefaultDays: config.TESSERA_API_OVERVIEW_DEFAULT_DAYS, overviewMaxDays: config.TESSERA_API_OVERVIEW_MAX_DAYS,
    },
  };
}

/** An HTTP server answering from `state`; listens on `port` (0 picks one). */
export async function listen(state: ApiState, deps: Omit<ApiDeps, 'kafka' | 'codec'>, port: number, privacy?: PrivacyAdmin): Promise<{ server: Server; port: number; metrics: ApiMetrics }> {
  const { config, ops, log } = deps;
  const warehouse = new Warehouse(deps.ch, { database: config.TESSERA_CLICKHOUSE_DATABASE, timeoutMs: config.TESSERA_API_QUERY_TIMEOUT_MS, maxSeriesRows: 20_000 });
  const metrics = apiMetrics(ops.metrics, () => {
    const t = state.tables.stats();
    const g = state.graph.stats();
    return { ...t, graphIdentifiers: g.identifiers, graphClaims: g.claims, deadLetters: state.deadLetters.count };
  });
  const handler = createHandler({ routes: routeContext(state, warehouse, config, deps.clock, privacy), tokens: config.TESSERA_API_TOKENS, statics: loadStaticFiles(), ops, metrics, log });
  const server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 30_000 }, handler);
  server.on('clientError', answerClientError);
  const bound = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, config.TESSERA_API_HOST, () => {
      const a = server.address();
      resolve(typeof a === 'object' && a ? a.port : port);
    });
  });
  return { server, port: bound, metrics };
}

export async function startApi(deps: ApiDeps): Promise<RunningApi> {
  const { config, kafka, codec, ops, log } = deps;
  const state = new ApiState(config);
  const key = loadPiiKey(config);
  if (!key.ok) log.warn({ problem: key.problem }, 'no privacy key: the admin export route refuses requests (docs/privacy.md)');
  const privacy = privacyAdmin({
    kafka, codec, topics: topicNames(config.TESSERA_TOPIC_PREFIX), ch: deps.ch, database: config.TESSERA_CLICKHOUSE_DATABASE,
    log: log.child({ component: 'privacy' }), key, timeoutMs: config.TESSERA_API_PRIVACY_TIMEOUT_MS,
  });
  const { server, port, metrics } = await listen(state, deps, config.TESSERA_API_PORT, privacy);
  ops.setReady(false, 'reading the identity tables');

  const prefix = config.TESSERA_TOPIC_PREFIX;
  const events = {
    applied: (topic: string, n: number) => metrics.applied.inc({ topic }, n),
    undecodable: (topic: string) => metrics.undecodable.inc({ topic }),
  };
  let markRestored!: () => void;
  const restored = new Promise<void>((resolve) => { markRestored = resolve; });
  const started = Date.now();
  const followers: TopicFollower[] = [];
  const stop = new AbortController();

  // Kafka may be down or still starting: the API answers 503 with the reason meanwhile and keeps trying. Once the
  // followers run, kafkajs rides out broker restarts by itself.
  const connect = async () => {
    const wait = backoff(500, 10_000);
    while (!stop.signal.aborted) {
      try {
        // Every service may be the first to start: the tables it follows must exist with their compacted configuration.
        await createMissingTopics(kafka, topicNames(prefix), { partitions: config.TESSERA_PARTITIONS, replicationFactor: config.TESSERA_REPLICATION_FACTOR });
        const tables = new TopicFollower({
          kafka, codec, log: log.child({ component: 'tables' }), groupPrefix: `${prefix}profile-api.tables`, topics: state.tableTopics(prefix), events,
          onRestored: () => {
            state.finishRestore();
            const seconds = (Date.now() - started) / 1000;
            metrics.restoreSeconds.set(seconds);
            ops.setReady(true, 'identity tables restored; following them');
            log.info({ seconds, ...state.tables.stats(), claims: state.graph.stats().claims }, 'identity tables restored');
            markRestored();
          },
        });
        followers.push(tables);
        await tables.start();
        const deadLetters = new TopicFollower({
          kafka, codec, log: log.child({ component: 'dead-letters' }), groupPrefix: `${prefix}profile-api.dlq`, topics: [state.deadLetterTopic(prefix)], events,
        });
        followers.push(deadLetters);
        await deadLetters.start();
        return;
      } catch (err) {
        // Nothing was applied before start() returned; applying the tables again from the start is idempotent anyway.
        for (const f of followers.splice(0)) await f.stop().catch(() => undefined);
        if (!state.restored) ops.setReady(false, `waiting for Kafka: ${describe(err)}`);
        log.warn({ err }, `cannot follow the identity tables yet (${describe(err)}); retrying`);
        await sleep(wait.next(), stop.signal);
      }
    }
  };
  const connecting = connect();
  return {
    port, state, metrics, restored,
    async close() {
      ops.setReady(false, 'stopping');
      stop.abort();
      await connecting;
      await new Promise<void>((resolve) => { server.close(() => resolve()); server.closeAllConnections(); });
      for (const f of followers) await f.stop();
    },
  };
}
