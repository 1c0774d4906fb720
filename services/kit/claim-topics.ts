// The topics of the claims-first stages (extract → link), created when missing beside the contract's topics.
import type { ITopicConfig, Kafka } from 'kafkajs';
import { ensureTopics, topicSpecs, type TopicLayout } from './kafka.ts';
import type { Topics } from './topics.ts';

/** How long a record stays before compaction may drop it for a later one with the same key. */
const CLAIMS_COMPACTION_LAG_MS = 24 * 60 * 60 * 1000;

export function claimTopicSpecs(topics: Topics, layout: TopicLayout): ITopicConfig[] {
  const spec = (topic: string, lagMs: number): ITopicConfig => ({
    topic, numPartitions: layout.partitions, replicationFactor: layout.replicationFactor,
    configEntries: [
      { name: 'cleanup.policy', value: 'compact' },
      { name: 'min.compaction.lag.ms', value: String(lagMs) },
      { name: 'max.message.bytes', value: String(8 << 20) },
    ],
  });
  return [
    // An extract instance whose cache forgot a claim publishes it again with a later event; compaction would then
    // drop the earlier record. The link stage must have read it by then: it may lag up to this long.
    spec(topics.claims, CLAIMS_COMPACTION_LAG_MS),
    spec(topics.identifiers, 60_000),
    spec(topics.identityClaims, 60_000),
  ];
}

/** Creates the missing contract and claims topics with a short-lived admin client; returns those it created. */
export async function createStageTopics(kafka: Kafka, topics: Topics, layout: TopicLayout): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await ensureTopics(admin, [...topicSpecs(topics, layout), ...claimTopicSpecs(topics, layout)]);
  } finally {
    await admin.disconnect();
  }
}
