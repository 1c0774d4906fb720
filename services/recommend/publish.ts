// The recommendations topic: compacted, keyed by profile id, the latest record per profile is its list
// (schemas/avro/recommendations.avsc); a tombstone when the profile is gone. One transaction per run.
import type { Kafka } from 'kafkajs';
import type { TopicLayout } from '../kit/kafka.ts';
import { KeyedPublisher } from '../kit/keyed-publisher.ts';
import type { AvroCodec } from '../kit/registry.ts';
import type { RecommendationRecord } from './lists.ts';

export const RECOMMENDATIONS_SCHEMA = 'recommendations';

/** `<prefix>recommendations`. */
export const recommendationsTopic = (prefix: string): string => `${prefix}recommendations`;

export function recommendationsPublisher(kafka: Kafka, codec: AvroCodec, prefix: string, layout: TopicLayout): KeyedPublisher<RecommendationRecord> {
  return new KeyedPublisher<RecommendationRecord>(kafka, codec, {
    topic: recommendationsTopic(prefix), schema: RECOMMENDATIONS_SCHEMA, transactionalId: `${prefix}recommend-refresh`, layout, key: (r) => r.profileId,
  });
}
