// Warehouse writer entry point: config → adapters → run the stage → stop on signals.
import { createClickHouse } from '../kit/clickhouse.ts';
import { configOrExit } from '../kit/config.ts';
import { createKafka, createMissingTopics } from '../kit/kafka.ts';
import { createLogger } from '../kit/log.ts';
import { migrate } from '../kit/migrate.ts';
import { onShutdown, Ops } from '../kit/ops.ts';
import { AvroCodec } from '../kit/registry.ts';
import { StageRunner } from '../kit/stage/runner.ts';
import { topicNames } from '../kit/topics.ts';
import { SuppressionList } from '../privacy/suppression.ts';
import { parseWriterConfig } from './config.ts';
import { writerMetrics } from './metrics.ts';
import { ClickHouseSink } from './sink.ts';
import { writerStage } from './stage.ts';

const SERVICE = 'warehouse-writer';
const cfg = configOrExit(SERVICE, () => parseWriterConfig());
const log = createLogger(SERVICE, cfg.TESSERA_LOG_LEVEL);
const topics = topicNames(cfg.TESSERA_TOPIC_PREFIX);
const ops = new Ops(SERVICE);
const ch = createClickHouse({ url: cfg.TESSERA_CLICKHOUSE_URL, user: cfg.TESSERA_CLICKHOUSE_USER, password: cfg.TESSERA_CLICKHOUSE_PASSWORD }, log);
const kafka = createKafka(cfg.TESSERA_KAFKA_BROKERS, cfg.TESSERA_KAFKA_CLIENT_ID ?? SERVICE, log);
const codec = new AvroCodec(cfg.TESSERA_REGISTRY_URL);
const stage = writerStage({
  kafka, codec, topics, log,
  suppression: { list: new SuppressionList(cfg.privacyKey), groupId: `${cfg.TESSERA_WRITER_GROUP}.suppressions.${process.pid}.${Date.now()}` },
  sink: new ClickHouseSink(ch, cfg.TESSERA_CLICKHOUSE_DATABASE),
  identity: cfg.identity,
  batchRows: cfg.TESSERA_WRITER_BATCH_ROWS,
  flushMs: cfg.TESSERA_WRITER_FLUSH_MS,
  metrics: writerMetrics(ops.metrics),
  async prepare() {
    await createMissingTopics(kafka, topics, { partitions: cfg.TESSERA_PARTITIONS, replicationFactor: cfg.TESSERA_REPLICATION_FACTOR });
    await migrate(ch, cfg.TESSERA_CLICKHOUSE_DATABASE);
  },
});
const runner = new StageRunner(stage, {
  kafka, codec, log, ops, groupId: cfg.TESSERA_WRITER_GROUP,
  chunkMax: Math.min(2_000, cfg.TESSERA_WRITER_BATCH_ROWS),
  sessionTimeoutMs: cfg.TESSERA_WRITER_SESSION_TIMEOUT_MS,
  fetchWaitMs: cfg.TESSERA_WRITER_FETCH_WAIT_MS,
});

try {
  const port = await ops.listen(cfg.TESSERA_HTTP_PORT, cfg.TESSERA_HTTP_HOST, log);
  log.info({ port, database: cfg.TESSERA_CLICKHOUSE_DATABASE, group: cfg.TESSERA_WRITER_GROUP }, 'warehouse writer starting');
  onShutdown(log, async () => { await runner.stop(); await stage.stopFollowing(); await ops.close(); await ch.close(); });
  await runner.start();
} catch (err) {
  log.fatal({ err }, `warehouse writer failed to start: ${(err as Error).message}`);
  process.exit(1);
}
