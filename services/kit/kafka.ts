// kafkajs clients wired to pino, and idempotent topic creation.
import { Kafka, Partitioners, logLevel, type Admin, type ITopicConfig, type LogEntry, type Producer } from 'kafkajs';
import type { Logger } from './log.ts';
import type { Topics } from './topics.ts';

const levels: Record<number, 'error' | 'warn' | 'info' | 'debug'> = {
  [logLevel.ERROR]: 'error', [logLevel.WARN]: 'warn', [logLevel.INFO]: 'info', [logLevel.DEBUG]: 'debug',
};

export function createKafka(brokers: string[], clientId: string, logger: Logger): Kafka {
  const kafkaLog = logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId,
    brokers,
    // kafkajs is chatty at INFO (joins, rebalances); keep WARN and above unless debugging.
    logLevel: logger.isLevelEnabled('debug') ? logLevel.INFO : logLevel.WARN,
    logCreator: () => ({ level, log, namespace }: LogEntry) => {
      const { message, ...extra } = log;
      kafkaLog[levels[level] ?? 'info']({ namespace, ...extra }, message);
    },
    retry: { initialRetryTime: 200, retries: 8 },
  });
}

export interface TopicLayout { partitions: number; replicationFactor: number }

/** The topics of docs/architecture.md with their configs: profiles, changelog, claims and the identity tables are compacted. */
export function topicSpecs(topics: Topics, layout: TopicLayout): ITopicConfig[] {
  const compacted = [
    { name: 'cleanup.policy', value: 'compact' },
    { name: 'min.compaction.lag.ms', value: '60000' },
  ];
  // One transaction writes a whole fetched batch per partition; allow record batches above the 1 MB default.
  const large = { name: 'max.message.bytes', value: String(8 << 20) };
  const spec = (topic: string, configEntries: { name: string; value: string }[] = []): ITopicConfig => ({
    topic, numPartitions: layout.partitions, replicationFactor: layout.replicationFactor, configEntries: [large, ...configEntries],
  });
  return [
    spec(topics.touchpoints),
    spec(topics.dlq),
    spec(topics.resolved),
    spec(topics.profiles, compacted),
    spec(topics.merges),
    spec(topics.changelog, compacted),
    // An extract instance whose cache forgot a claim publishes it again with a later event; compaction would then
    // drop the earlier record: the link stage may lag this long before that happens.
    spec(topics.claims, [{ name: 'cleanup.policy', value: 'compact' }, { name: 'min.compaction.lag.ms', value: String(24 * 60 * 60 * 1000) }]),
    spec(topics.identifiers, compacted),
    spec(topics.identityClaims, compacted),
  ];
}

/** Creates the missing topics and waits until each partition has a leader; existing ones are left as they are. */
export async function ensureTopics(admin: Admin, specs: ITopicConfig[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.topic));
  if (missing.length === 0) return [];
  await admin.createTopics({ topics: missing, waitForLeaders: false });
  await waitForLeaders(admin, missing.map((s) => s.topic));
  return missing.map((s) => s.topic);
}

/**
 * kafkajs's own wait (createTopics waitForLeaders) gives up when the broker answers "does not host this
 * topic-partition" for a topic it created a moment ago, which happens when several topics are created at once:
 * that answer only means "not yet" here.
 */
async function waitForLeaders(admin: Admin, topics: string[], timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: meta } = await admin.fetchTopicMetadata({ topics });
      if (meta.length === topics.length && meta.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0))) return;
    } catch (err) {
      const type = (err as { type?: string }).type;
      if (type !== 'UNKNOWN_TOPIC_OR_PARTITION' && type !== 'LEADER_NOT_AVAILABLE') throw err;
    }
    if (Date.now() > deadline) throw new Error(`topics ${topics.join(', ')} have no leader ${timeoutMs} ms after their creation`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * An idempotent producer (optionally transactional) with Java-compatible murmur2 partitioning, so keys land
 * where other clients put them. Idempotence needs unbounded retries; callers bound waiting with timeouts.
 */
export function idempotentProducer(kafka: Kafka, opts: { transactionalId?: string; transactionTimeout?: number } = {}): Producer {
  return kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: Partitioners.DefaultPartitioner,
    retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 200, maxRetryTime: 5_000 },
    ...(opts.transactionalId ? { transactionalId: opts.transactionalId, transactionTimeout: opts.transactionTimeout ?? 60_000 } : {}),
  });
}

/** Creates the contract's missing topics with its own short-lived admin client; returns the topics it created. */
export async function createMissingTopics(kafka: Kafka, topics: Topics, layout: TopicLayout): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await ensureTopics(admin, topicSpecs(topics, layout));
  } finally {
    await admin.disconnect();
  }
}
