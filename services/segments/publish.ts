// The membership topic: a compacted topic keyed by profile id whose latest record is the profile's complete
// membership (schemas/avro/segment-membership.avsc). One Kafka transaction per refresh: consumers reading committed
// records see a refresh whole or not at all, and a second refresher with the same transactional id fences the first.
import type { Kafka, Producer } from 'kafkajs';
import { ensureTopics, idempotentProducer, type TopicLayout } from '../kit/kafka.ts';
import type { AvroCodec } from '../kit/registry.ts';
import type { MembershipRecord } from './membership.ts';

export const MEMBERSHIP_SCHEMA = 'segment-membership';

/** `<prefix>segments.membership`. */
export const membershipTopic = (prefix: string): string => `${prefix}segments.membership`;

/** Creates a compacted, keyed topic if it is missing (records of one key replace each other). */
export async function ensureCompactedTopic(kafka: Kafka, topic: string, layout: TopicLayout): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(admin, [{
      topic, numPartitions: layout.partitions, replicationFactor: layout.replicationFactor,
      configEntries: [{ name: 'cleanup.policy', value: 'compact' }, { name: 'min.compaction.lag.ms', value: '60000' }, { name: 'max.message.bytes', value: String(8 << 20) }],
    }]);
  } finally {
    await admin.disconnect();
  }
}

/** Publishes keyed records of one schema in transactions; a fenced or failed transaction is aborted and rethrown. */
export class KeyedPublisher<T> {
  private producer: Producer | null = null;
  private schemaId = 0;

  constructor(
    private readonly kafka: Kafka, private readonly codec: AvroCodec,
    private readonly o: { topic: string; schema: string; transactionalId: string; layout: TopicLayout; key: (r: T) => string },
  ) {}

  async connect(): Promise<void> {
    await ensureCompactedTopic(this.kafka, this.o.topic, this.o.layout);
    this.schemaId = await this.codec.register(this.o.schema, `${this.o.topic}-value`);
    this.producer = idempotentProducer(this.kafka, { transactionalId: this.o.transactionalId });
    await this.producer.connect();
  }

  /** Sends every record (null value = tombstone for that key) in one transaction. */
  async publish(records: readonly T[], tombstones: readonly string[] = []): Promise<void> {
    if (!this.producer) throw new Error('KeyedPublisher.publish before connect');
    if (records.length === 0 && tombstones.length === 0) return;
    const txn = await this.producer.transaction();
    try {
      const chunk = 2_000;
      for (let i = 0; i < records.length; i += chunk) {
        await txn.send({ topic: this.o.topic, messages: records.slice(i, i + chunk).map((r) => ({ key: this.o.key(r), value: this.codec.encode(this.o.schema, this.schemaId, r) })) });
      }
      for (let i = 0; i < tombstones.length; i += chunk) {
        await txn.send({ topic: this.o.topic, messages: tombstones.slice(i, i + chunk).map((key) => ({ key, value: null })) });
      }
      await txn.commit();
    } catch (err) {
      await txn.abort().catch(() => undefined);
      throw err;
    }
  }

  async disconnect(): Promise<void> {
    await this.producer?.disconnect();
    this.producer = null;
  }
}

export function membershipPublisher(kafka: Kafka, codec: AvroCodec, prefix: string, layout: TopicLayout): KeyedPublisher<MembershipRecord> {
  const topic = membershipTopic(prefix);
  return new KeyedPublisher<MembershipRecord>(kafka, codec, { topic, schema: MEMBERSHIP_SCHEMA, transactionalId: `${prefix}segments-refresh`, layout, key: (r) => r.profileId });
}
