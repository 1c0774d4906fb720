// The extract stage, declared for the stage runner: touchpoints → claims, at least once, any number of instances.
import type { Kafka } from 'kafkajs';
import type { Touchpoint } from '../contract/touchpoint.ts';
import { createMissingTopics } from '../kit/kafka.ts';
import { CONSENT_SCHEMA, SCHEMAS } from '../kit/records.ts';
import type { AvroCodec } from '../kit/registry.ts';
import { atLeastOnce } from '../kit/stage/at-least-once.ts';
import { StageEncoder, type KafkaOut } from '../kit/stage/encoder.ts';
import type { StageDefinition } from '../kit/stage/runner.ts';
import type { Processor } from '../kit/stage/types.ts';
import { topicNames } from '../kit/topics.ts';
import { followSuppressions, type Follower } from '../privacy/follow.ts';
import { SuppressionList } from '../privacy/suppression.ts';
import type { Logger } from '../kit/log.ts';
import { ClaimCache } from './cache.ts';
import type { ExtractConfig } from './config.ts';
import { EXTRACT_TALLY, extractProcessor } from './processor.ts';

export type ExtractStage = StageDefinition<ClaimCache, Touchpoint, KafkaOut>;

/**
 * At least once is enough: a claim published twice is the same claim (same identifier set → same key), and the
 * link stage keeps its earliest event, so a replay after a crash changes nothing downstream.
 * `processor` is for tests that put a fault seam around the real processor.
 */
export function extractStage(config: ExtractConfig, kafka: Kafka, codec: AvroCodec,
  processor?: Processor<ClaimCache, Touchpoint, KafkaOut>, log?: Logger): ExtractStage {
  const topics = topicNames(config.TESSERA_TOPIC_PREFIX);
  // Followed for the life of the process once set up (docs/privacy.md); no log, no list (tests of other concerns).
  const suppression = new SuppressionList(config.privacyKey);
  let follower: Follower | null = null;
  const proc = processor ?? extractProcessor({ identity: config.identity, claimsTopic: topics.claims, consentTopic: topics.consent, suppression });
  const encoder = new StageEncoder(codec, { [topics.claims]: SCHEMAS.claim, [topics.consent]: CONSENT_SCHEMA }, topics.dlq);
  return {
    name: 'extract',
    input: { topics: [topics.touchpoints], schema: SCHEMAS.touchpoint },
    processor: proc,
    state: { restore: async () => new ClaimCache(config.TESSERA_EXTRACT_CACHE_SIZE), keepAcrossAssignments: true },
    delivery: atLeastOnce({ kafka, encoder, commitIntervalMs: config.TESSERA_EXTRACT_COMMIT_INTERVAL_MS }),
    assignment: 'shared',
    metrics: { tally: EXTRACT_TALLY, gauges: { cachedClaims: 'Claims in this instance\'s cache' } },
    gauges: (cache) => ({ cachedClaims: cache.size }),
    async setup() {
      await createMissingTopics(kafka, topics, { partitions: config.TESSERA_PARTITIONS, replicationFactor: config.TESSERA_REPLICATION_FACTOR });
      await encoder.register();
      if (log !== undefined && follower === null) {
        follower = await followSuppressions({ kafka, codec, topic: topics.suppressions, list: suppression, log, groupId: `${config.group}.suppressions.${process.pid}.${Date.now()}` });
        await follower.caughtUp;
      }
    },
  };
}
