// kafkajs clients wired to pino, and idempotent topic creation.
import { createRequire } from 'node:module';
import { Kafka, Partitioners, logLevel, type Admin, type ITopicConfig, type LogEntry, type Producer } from 'kafkajs';
import type { Logger } from './log.ts';
import type { Topics } from './topics.ts';

export type PinoLevel = 'error' | 'warn' | 'info' | 'debug';

const rank: Record<PinoLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };
const levels: Record<number, PinoLevel> = {
  [logLevel.ERROR]: 'error', [logLevel.WARN]: 'warn', [logLevel.INFO]: 'info', [logLevel.DEBUG]: 'debug',
};

/**
 * Broker answers that kafkajs retries by itself and that normal operation produces, with the level they deserve.
 * kafkajs logs every error response at ERROR, so without this an operator sees dozens of "errors" a minute that
 * need nothing from anyone.
 */
export const EXPECTED_KAFKA_CONDITIONS: Readonly<Record<string, PinoLevel>> = {
  // A transaction begun right after the previous commit, whose markers the broker is still writing: retried.
  CONCURRENT_TRANSACTIONS: 'debug',
  // The group coordinator is loading its state or moving (after a broker start): retried.
  GROUP_LOAD_IN_PROGRESS: 'info',
  GROUP_COORDINATOR_NOT_AVAILABLE: 'info',
  NOT_COORDINATOR_FOR_GROUP: 'info',
  // A member joined or left the group: every member rejoins.
  REBALANCE_IN_PROGRESS: 'info',
  // A partition's leader is being elected (right after a topic is created): retried.
  LEADER_NOT_AVAILABLE: 'info',
  NOT_LEADER_FOR_PARTITION: 'info',
  // This member's session ran out (it was silent too long) and it rejoins: worth a look, not an alarm.
  UNKNOWN_MEMBER_ID: 'warn',
};

// kafkajs logs a broker error by its message only; its own table (pinned kafkajs 2.2.4) gives the message's type.
const kafkaErrors = (createRequire(import.meta.url)('kafkajs/src/protocol/error.js') as { errorCodes: { type: string; message: string }[] }).errorCodes;
const expectedByMessage = new Map(kafkaErrors.filter((e) => e.type in EXPECTED_KAFKA_CONDITIONS).map((e) => [e.message, EXPECTED_KAFKA_CONDITIONS[e.type]!]));

/**
 * The pino level for a kafkajs log entry: an expected, retried condition (found in the entry's error or message) is
 * logged at its own level, never above kafkajs's; everything else keeps kafkajs's level.
 */
export function kafkaLogLevel(level: number, log: { message?: string; error?: unknown }): PinoLevel {
  const given = levels[level] ?? 'info';
  if (given !== 'error' && given !== 'warn') return given;
  const texts = [typeof log.error === 'string' ? log.error : '', log.message ?? ''];
  for (const [message, expected] of expectedByMessage) {
    if (texts.some((t) => t.includes(message))) return rank[expected] < rank[given] ? expected : given;
  }
  return given;
}

export function createKafka(brokers: string[], clientId: string, logger: Logger): Kafka {
  const kafkaLog = logger.child({ component: 'kafkajs' });
  return new Kafka({
    clientId,
    brokers,
    // kafkajs is chatty at INFO (joins, rebalances); keep WARN and above unless debugging.
    logLevel: logger.isLevelEnabled('debug') ? logLevel.INFO : logLevel.WARN,
    logCreator: () => ({ level, log, namespace }: LogEntry) => {
      const { message, ...extra } = log;
      kafkaLog[kafkaLogLevel(level, log)]({ namespace, ...extra }, message);
    },
    retry: { initialRetryTime: 200, retries: 8 },
  });
}

export interface TopicLayout { partitions: number; replicationFactor: number }

/** How long a claim stays on the claims topic before compaction may drop it for a later record with the same key. */
const CLAIMS_COMPACTION_LAG_MS = 24 * 60 * 60 * 1000;

/** The topics of docs/architecture.md with their configs: profiles, changelog and the claim tables are compacted. */
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
    // An extract instance that forgot a claim publishes it again with a later event, and compaction would then drop
    // the earlier record: the link stage must have read it first, so it may lag up to this long.
    spec(topics.claims, [{ name: 'cleanup.policy', value: 'compact' }, { name: 'min.compaction.lag.ms', value: String(CLAIMS_COMPACTION_LAG_MS) }]),
    spec(topics.identifiers, compacted),
    spec(topics.identityClaims, compacted),
    spec(topics.consent, compacted),
    // One partition each: privacy requests apply in the order they were made, and the link stage, the writer and the
    // privacy service each read the whole suppression list.
    { ...spec(topics.privacyRequests), numPartitions: 1 },
    { ...spec(topics.suppressions, [{ name: 'cleanup.policy', value: 'compact' }]), numPartitions: 1 },
    { ...spec(topics.privacyAudit), numPartitions: 1 },
  ];
}

/** Creates the missing topics; existing ones are left as they are. */
export async function ensureTopics(admin: Admin, specs: ITopicConfig[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = specs.filter((s) => !existing.has(s.topic));
  if (missing.length > 0) await admin.createTopics({ topics: missing, waitForLeaders: true });
  return missing.map((s) => s.topic);
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
