// The membership topic: a compacted topic keyed by profile id whose latest record is the profile's complete
// membership (schemas/avro/segment-membership.avsc), published in one transaction per refresh.
import type { Kafka } from 'kafkajs';
import type { TopicLayout } from '../kit/kafka.ts';
import { KeyedPublisher } from '../kit/keyed-publisher.ts';
import type { AvroCodec } from '../kit/registry.ts';
import type { MembershipRecord } from './membership.ts';

export type { KeyedPublisher };

export const MEMBERSHIP_SCHEMA = 'segment-membership';

/** `<prefix>segments.membership`. */
export const membershipTopic = (prefix: string): string => `${prefix}segments.membership`;

export function membershipPublisher(kafka: Kafka, codec: AvroCodec, prefix: string, layout: TopicLayout): KeyedPublisher<MembershipRecord> {
  const topic = membershipTopic(prefix);
  return new KeyedPublisher<MembershipRecord>(kafka, codec, { topic, schema: MEMBERSHIP_SCHEMA, transactionalId: `${prefix}segments-refresh`, layout, key: (r) => r.profileId });
}
