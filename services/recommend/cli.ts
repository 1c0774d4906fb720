// `tessera recommend …`: compute recommendations now or on a schedule, show a profile's list, an item's neighbours.
import { parseArgs } from 'node:util';
import { createClickHouse, select } from '../kit/clickhouse.ts';
import { configOrExit } from '../kit/config.ts';
import { createKafka } from '../kit/kafka.ts';
import { createLogger } from '../kit/log.ts';
import { AvroCodec } from '../kit/registry.ts';
import { str } from '../kit/sql.ts';
import { table } from '../demo/table.ts';
import { durationSeconds } from '../segments/definition.ts';
import { parseRecommendConfig } from './config.ts';
import { recommendationsPublisher, recommendationsTopic } from './publish.ts';
import { refreshRecommendations } from './refresh.ts';
import { RecommendationStore } from './store.ts';

const USAGE = `usage: tessera recommend COMMAND
  refresh [--as-of TIME]          compute every active profile's top N, publish the changed lists
  schedule [--every 1h]           refresh now and then every interval until stopped
  show TYPE:VALUE | PROFILE_ID    a profile's recommendations (latest run)
  similar ITEM                    an item's nearest items (latest run)
Configuration: TESSERA_RECOMMEND_* (docs/recommendations.md).`;

// A bad command line is one line and the usage (exit 2), not a stack trace.
function parseOrExit() {
  try {
    return parseArgs({ allowPositionals: true, options: { 'as-of': { type: 'string' }, every: { type: 'string' }, help: { type: 'boolean', default: false } } });
  } catch (err) {
    console.error(`tessera: ${(err as Error).message}\n${USAGE}`);
    process.exit(2);
  }
}
const { values: a, positionals } = parseOrExit();
const command = positionals[0];
if (a.help || !command) { console.log(USAGE); process.exit(command || a.help ? 0 : 2); }
const cfg = configOrExit('recommend', () => parseRecommendConfig());
const log = createLogger('recommend', cfg.TESSERA_LOG_LEVEL);
const ch = createClickHouse({ url: cfg.TESSERA_CLICKHOUSE_URL, user: cfg.TESSERA_CLICKHOUSE_USER, password: cfg.TESSERA_CLICKHOUSE_PASSWORD }, log);
const db = cfg.TESSERA_CLICKHOUSE_DATABASE;
const store = new RecommendationStore(ch, db);

async function refreshLoop(everyMs: number | null): Promise<void> {
  let asOf: number | undefined;
  if (a['as-of']) {
    asOf = Math.floor(Date.parse(a['as-of']) / 1000);
    if (!Number.isFinite(asOf)) { console.error(`--as-of: expected an ISO date-time, got ${a['as-of']}`); process.exit(2); }
  }
  const publisher = recommendationsPublisher(createKafka(cfg.TESSERA_KAFKA_BROKERS, cfg.TESSERA_KAFKA_CLIENT_ID ?? 'tessera-recommend', log),
    new AvroCodec(cfg.TESSERA_REGISTRY_URL), cfg.TESSERA_TOPIC_PREFIX, { partitions: cfg.TESSERA_PARTITIONS, replicationFactor: cfg.TESSERA_REPLICATION_FACTOR });
  await publisher.connect();
  let stopping = false;
  let wake: () => void = () => undefined;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => { stopping = true; wake(); });
  try {
    do {
      const r = await refreshRecommendations({ store, publisher, database: db, log, now: Date.now }, cfg.options, asOf !== undefined ? { asOf } : {});
      console.log(`run ${r.run}: ${r.profiles} profiles (${r.coldProfiles} cold: popular items only), ${r.items} items, ${(r.tookMs / 1000).toFixed(1)} s; ${r.published} changed lists and ${r.tombstones} tombstones → ${recommendationsTopic(cfg.TESSERA_TOPIC_PREFIX)}`);
      if (everyMs !== null && !stopping) await new Promise<void>((resolve) => { wake = resolve; setTimeout(resolve, everyMs).unref(); });
    } while (everyMs !== null && !stopping);
  } finally {
    await publisher.disconnect();
  }
}

try {
  switch (command) {
    case 'refresh': await refreshLoop(null); break;
    case 'schedule': {
      const every = a.every ? durationSeconds(a.every) : cfg.TESSERA_RECOMMEND_EVERY / 1000;
      if (every === null) { console.error(`--every: expected a duration such as 1h, got ${a.every}`); process.exit(2); }
      await refreshLoop(every * 1000);
      break;
    }
    case 'show': {
      const who = positionals[1];
      if (!who) { console.error('usage: tessera recommend show TYPE:VALUE | PROFILE_ID'); process.exit(2); }
      const i = who.indexOf(':');
      const profile = i > 0
        ? (await select<{ profile_id: string }>(ch, `SELECT profile_id FROM ${db}.identities FINAL WHERE id_type = ${str(who.slice(0, i))} AND id_value = ${str(who.slice(i + 1))}`))[0]?.profile_id ?? who
        : who;
      console.log(`profile ${profile}`);
      console.log(table(await select(ch, `SELECT rank, item, round(score, 3) AS score, source FROM ${db}.recommendations_latest WHERE profile_id = ${str(profile)} ORDER BY rank`)));
      break;
    }
    case 'similar': {
      const item = positionals[1];
      if (!item) { console.error('usage: tessera recommend similar ITEM'); process.exit(2); }
      console.log(table(await select(ch, `SELECT neighbour, round(similarity, 3) AS similarity, together FROM ${db}.item_similarity_latest WHERE item = ${str(item)} ORDER BY similarity DESC LIMIT 20`)));
      break;
    }
    default:
      console.error(`unknown command ${command}\n${USAGE}`);
      process.exit(2);
  }
} finally {
  await ch.close();
}
