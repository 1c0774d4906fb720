// Per-test-file isolation on the shared stack: a unique topic prefix and ClickHouse database.
import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { createClickHouse, type ClickHouseClient } from '../../services/kit/clickhouse.ts';
import { createKafka, createMissingTopics, topicSpecs } from '../../services/kit/kafka.ts';
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
  /** The slice's privacy key (TESSERA_PRIVACY_HASH_KEY in `env`): set explicitly, never the machine's key file. */
  privacyKey: Buffer;
  close(): Promise<void>;
}

/** `privacyKey`: another slice's key, for a slice that restores that slice's suppression list (hashed with it). */
export async function isolatedStack(name: string, opts: { partitions?: number; privacyKey?: Buffer } = {}): Promise<IsolatedStack> {
  const endpoints = inject('stack');
  const id = `${name.replace(/[^a-z0-9]/gi, '').toLowerCase()}${randomBytes(3).toString('hex')}`;
  const prefix = `t.${id}.`;
  const database = `t_${id}`;
  const topics = topicNames(prefix);
  const kafka = createKafka(endpoints.kafkaBrokers, `test-${id}`, createLogger('test', 'warn'));
  await createTopicsWithLeaders(kafka, topics, opts.partitions ?? 3);
  const ch = createClickHouse({ url: endpoints.clickhouseUrl, user: 'default', password: '' });
  await migrate(ch, database);
  const codec = new AvroCodec(endpoints.registryUrl);
  const privacyKey = opts.privacyKey ?? randomBytes(32);
  return {
    id, prefix, database, topics, kafka, codec, ch, privacyKey,
    env: {
      TESSERA_KAFKA_BROKERS: endpoints.kafkaBrokers.join(','),
      TESSERA_REGISTRY_URL: endpoints.registryUrl,
      TESSERA_CLICKHOUSE_URL: endpoints.clickhouseUrl,
      TESSERA_CLICKHOUSE_DATABASE: database,
      TESSERA_TOPIC_PREFIX: prefix,
      TESSERA_PARTITIONS: String(opts.partitions ?? 3),
      TESSERA_PRIVACY_HASH_KEY: privacyKey.toString('hex'),
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

/**
 * Creates the slice's topics and waits until every partition has a leader. Right after a topic is created, metadata
 * can still answer UNKNOWN_TOPIC_OR_PARTITION while leadership settles (seen on a loaded machine: kafkajs's
 * waitForLeaders retries only LEADER_NOT_AVAILABLE and threw "This server does not host this topic-partition"), so
 * both errors are waited out here instead of failing the test file's setup.
 */
async function createTopicsWithLeaders(kafka: Kafka, topics: Topics, partitions: number): Promise<void> {
  const transient = (err: unknown) => ['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE'].includes((err as { type?: string }).type ?? '');
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      await createMissingTopics(kafka, topics, { partitions, replicationFactor: 1 });
      const admin = kafka.admin();
      await admin.connect();
      try {
        const { topics: meta } = await admin.fetchTopicMetadata({ topics: Object.values(topics) });
        // Each topic's own partition count (the privacy topics have one).
        const wanted = new Map(topicSpecs(topics, { partitions, replicationFactor: 1 }).map((t) => [t.topic, t.numPartitions]));
        if (meta.length === Object.values(topics).length && meta.every((t) => t.partitions.length === wanted.get(t.name) && t.partitions.every((p) => p.leader >= 0))) return;
      } finally {
        await admin.disconnect();
      }
    } catch (err) {
      if (!transient(err) || Date.now() > deadline) throw err;
    }
    if (Date.now() > deadline) throw new Error(`topics of ${topics.touchpoints.replace(/touchpoints$/, '*')} have no leaders after 60 s`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** A TCP port nobody listens on right now, for a service process started by a test. */
export { freePort } from '../../services/demo/processes.ts';
