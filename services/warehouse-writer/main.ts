// Warehouse writer entry point: parse config → adapters → migrate and run the writer loop → stop on SIGTERM.
import { createClickHouse } from '../kit/clickhouse.ts';
import { configOrExit } from '../kit/config.ts';
import { createKafka, createMissingTopics } from '../kit/kafka.ts';
import { createLogger } from '../kit/log.ts';
import { migrate } from '../kit/migrate.ts';
import { onShutdown, Ops } from '../kit/ops.ts';
import { AvroCodec } from '../kit/registry.ts';
import { topicNames } from '../kit/topics.ts';
import { followSuppressions, type Follower } from '../privacy/follow.ts';
import { SuppressionList } from '../privacy/suppression.ts';
import { isDevelopmentKey } from '../privacy/config.ts';
import { parseWriterConfig } from './config.ts';
import { writerMetrics } from './metrics.ts';
import { ClickHouseSink } from './sink.ts';
import { WarehouseWriter } from './writer.ts';

const SERVICE = 'warehouse-writer';
const cfg = configOrExit(SERVICE, () => parseWriterConfig());
const log = createLogger(SERVICE, cfg.TESSERA_LOG_LEVEL);
const topics = topicNames(cfg.TESSERA_TOPIC_PREFIX);
const ops = new Ops(SERVICE);
const ch = createClickHouse({ url: cfg.TESSERA_CLICKHOUSE_URL, user: cfg.TESSERA_CLICKHOUSE_USER, password: cfg.TESSERA_CLICKHOUSE_PASSWORD }, log);
const kafka = createKafka(cfg.TESSERA_KAFKA_BROKERS, cfg.TESSERA_KAFKA_CLIENT_ID ?? SERVICE, log);

const codec = new AvroCodec(cfg.TESSERA_REGISTRY_URL);
const suppression = new SuppressionList(cfg.TESSERA_PRIVACY_HASH_KEY);
if (isDevelopmentKey(cfg.TESSERA_PRIVACY_HASH_KEY)) log.warn('TESSERA_PRIVACY_HASH_KEY is the public development key: set a secret one outside the local stack');
const writer = new WarehouseWriter({
  kafka,
  codec,
  suppression,
  sink: new ClickHouseSink(ch, cfg.TESSERA_CLICKHOUSE_DATABASE),
  topics,
  events: cfg.TESSERA_WRITER_EVENTS,
  identity: cfg.identity,
  groupId: cfg.TESSERA_WRITER_GROUP,
  batchRows: cfg.TESSERA_WRITER_BATCH_ROWS,
  flushMs: cfg.TESSERA_WRITER_FLUSH_MS,
  maxBufferedRows: cfg.TESSERA_WRITER_MAX_BUFFERED_ROWS,
  sessionTimeoutMs: cfg.TESSERA_WRITER_SESSION_TIMEOUT_MS,
  fetchWaitMs: cfg.TESSERA_WRITER_FETCH_WAIT_MS,
  log,
  metrics: writerMetrics(ops.metrics),
  setReady: (ready, reason) => ops.setReady(ready, reason),
  migrate: () => migrate(ch, cfg.TESSERA_CLICKHOUSE_DATABASE),
});

let follower: Follower | null = null;
onShutdown(log, async () => {
  await writer.stop();
  await follower?.stop();
  await ops.close();
  await ch.close();
});

try {
  const port = await ops.listen(cfg.TESSERA_HTTP_PORT, cfg.TESSERA_HTTP_HOST, log);
  log.info({ port, database: cfg.TESSERA_CLICKHOUSE_DATABASE, group: cfg.TESSERA_WRITER_GROUP, events: cfg.TESSERA_WRITER_EVENTS }, 'ops endpoints listening');
  await createMissingTopics(kafka, topics, { partitions: cfg.TESSERA_PARTITIONS, replicationFactor: cfg.TESSERA_REPLICATION_FACTOR });
  // The whole suppression list before the first row: a replay must not write an erased person even once.
  follower = await followSuppressions({ kafka, codec, topic: topics.suppressions, list: suppression, log, groupId: `${cfg.TESSERA_WRITER_GROUP}.suppressions.${process.pid}.${Date.now()}` });
  await follower.caughtUp;
  log.info({ suppressed: suppression.size }, 'suppression list read');
  await writer.start();
} catch (err) {
  log.fatal({ err }, 'warehouse writer failed to start');
  process.exit(1);
}
