// Compacted topics keyed by profile (segment membership, recommendations): the latest record per key is the state.
// One Kafka transaction per publication: consumers reading committed records see a refresh whole or not at all, and
// a second publisher with the same transactional id fences the first (a zombie refresher cannot commit).
import type { Kafka, Producer } from 'kafkajs';
import { ensureTopics, idempotentProducer, type TopicLayout } from './kafka.ts';
import type { AvroCodec } from './registry.ts';

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
