// Privacy service entry point: config → adapters → migrate → complete erasures in ClickHouse → stop on signals.
import { z } from 'zod';
import { createClickHouse } from '../kit/clickhouse.ts';
import { commonEnv, configOrExit, intFromEnv, parseEnv, topicLayoutEnv } from '../kit/config.ts';
import { identityRules, identityRulesEnv } from '../kit/identity-rules.ts';
import { createKafka, createMissingTopics } from '../kit/kafka.ts';
import { createLogger } from '../kit/log.ts';
import { migrate } from '../kit/migrate.ts';
import { onShutdown, Ops } from '../kit/ops.ts';
import { AvroCodec } from '../kit/registry.ts';
import { topicNames } from '../kit/topics.ts';
import { privacyKey, privacyKeyEnv } from './config.ts';
import { Eraser } from './eraser.ts';

const SERVICE = 'privacy';
const shape = {
  ...commonEnv,
  ...identityRulesEnv,
  ...privacyKeyEnv,
  TESSERA_PRIVACY_GROUP: z.string().min(1).optional(),
  // Test seam of the crash test (docs/privacy.md): pause an erasure once its mutations are submitted.
  TESSERA_PRIVACY_PAUSE_AFTER_MUTATIONS: z.enum(['0', '1']).default('0'),
  ...topicLayoutEnv,
  TESSERA_HTTP_PORT: intFromEnv(9468, 0),
  TESSERA_HTTP_HOST: z.string().min(1).default('127.0.0.1'),
};
const cfg = configOrExit(SERVICE, () => { const c = parseEnv(shape); return { ...c, privacyKey: privacyKey(c) }; });
const log = createLogger(SERVICE, cfg.TESSERA_LOG_LEVEL);
const topics = topicNames(cfg.TESSERA_TOPIC_PREFIX);
const ops = new Ops(SERVICE);
const ch = createClickHouse({ url: cfg.TESSERA_CLICKHOUSE_URL, user: cfg.TESSERA_CLICKHOUSE_USER, password: cfg.TESSERA_CLICKHOUSE_PASSWORD }, log);
const kafka = createKafka(cfg.TESSERA_KAFKA_BROKERS, cfg.TESSERA_KAFKA_CLIENT_ID ?? SERVICE, log);
const eraser = new Eraser({
  kafka, codec: new AvroCodec(cfg.TESSERA_REGISTRY_URL), ch, database: cfg.TESSERA_CLICKHOUSE_DATABASE, topics,
  identity: identityRules(cfg.TESSERA_IDENTITY_RULES), key: cfg.privacyKey, log,
  groupId: cfg.TESSERA_PRIVACY_GROUP ?? `${cfg.TESSERA_TOPIC_PREFIX}privacy`,
  pauseAfterMutations: cfg.TESSERA_PRIVACY_PAUSE_AFTER_MUTATIONS === '1',
});

onShutdown(log, async () => {
  await eraser.stop();
  await ops.close();
  await ch.close();
});

try {
  const port = await ops.listen(cfg.TESSERA_HTTP_PORT, cfg.TESSERA_HTTP_HOST, log);
  log.info({ port, database: cfg.TESSERA_CLICKHOUSE_DATABASE }, 'ops endpoints listening');
  await migrate(ch, cfg.TESSERA_CLICKHOUSE_DATABASE);
  await createMissingTopics(kafka, topics, { partitions: cfg.TESSERA_PARTITIONS, replicationFactor: cfg.TESSERA_REPLICATION_FACTOR });
  await eraser.start();
  ops.setReady(true, 'completing erasures');
} catch (err) {
  log.fatal({ err }, 'privacy service failed to start');
  process.exit(1);
}
