// Per-test-file isolation on the shared stack: a unique topic prefix and ClickHouse database.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createClickHouse, type ClickHouseClient } from '../../services/kit/clickhouse.ts';
import { createKafka, createMissingTopics } from '../../services/kit/kafka.ts';
import { createLogger } from '../../services/kit/log.ts';
import { migrate } from '../../services/kit/migrate.ts';
import { AvroCodec } from '../../services/kit/registry.ts';
import { topicNames, type Topics } from '../../services/kit/topics.ts';
import type { Kafka } from 'kafkajs';

export interface IsolatedStack {
  id: string;
  prefix: string;
  database: string;
  topics: Topics;
  kafka: Kafka;
  codec: AvroCodec;
  ch: ClickHouseClient;
  /** Environment for a service process pointed at this isolated slice of the stack. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function isolatedStack(name: string, opts: { partitions?: number } = {}): Promise<IsolatedStack> {
  const endpoints = inject('stack');
  const id = `${name.replace(/[^a-z0-9]/gi, '').toLowerCase()}${randomBytes(3).toString('hex')}`;
  const prefix = `t.${id}.`;
  const database = `t_${id}`;
  const topics = topicNames(prefix);
  const kafka = createKafka(endpoints.kafkaBrokers, `test-${id}`, createLogger('test', 'warn'));
  await createMissingTopics(kafka, topics, { partitions: opts.partitions ?? 3, replicationFactor: 1 });
  const ch = createClickHouse({ url: endpoints.clickhouseUrl, user: 'default', password: '' });
  await migrate(ch, database);
  const codec = new AvroCodec(endpoints.registryUrl);
  return {
    id, prefix, database, topics, kafka, codec, ch,
    env: {
      TESSERA_KAFKA_BROKERS: endpoints.kafkaBrokers.join(','),
      TESSERA_REGISTRY_URL: endpoints.registryUrl,
      TESSERA_CLICKHOUSE_URL: endpoints.clickhouseUrl,
      TESSERA_CLICKHOUSE_DATABASE: database,
      TESSERA_TOPIC_PREFIX: prefix,
      TESSERA_PARTITIONS: String(opts.partitions ?? 3),
    },
    async close() {
      await ch.command({ query: `DROP DATABASE IF EXISTS ${database}` }).catch(() => undefined);
      await ch.close();
      const a = kafka.admin();
      await a.connect();
      await a.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
      await a.disconnect();
    },
  };
}


/** A TCP port nobody listens on right now, for a service process started by a test. */
export { freePort } from '../../services/demo/processes.ts';
