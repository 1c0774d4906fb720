// Follows compacted topics from their beginning: restores a table by reading each partition to the end offset it had
// at start (committed records only), then keeps applying what arrives. No offsets are committed: every start reads
// the tables anew, as the link stage restores its graph.
import { randomBytes } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import type { Logger } from '../kit/log.ts';
import type { AvroCodec } from '../kit/registry.ts';

export interface FollowedTopic {
  topic: string;
  /** Avro schema name (schemas/avro/<schema>.avsc) the values decode into. */
  schema: string;
  /** Applies one record: the key as a string, the decoded value or null (tombstone). */
  apply(key: string, value: unknown): void;
}

export interface FollowerEvents {
  applied?(topic: string, n: number): void;
  undecodable?(topic: string): void;
}

export class TopicFollower {
  private consumer: Consumer | null = null;
  private readonly pending = new Map<string, bigint>();
  private markRestored!: () => void;
  /** Resolves once every followed partition has been read to the end offset it had at start. */
  readonly restored: Promise<void> = new Promise((resolve) => { this.markRestored = resolve; });

  constructor(private readonly o: {
    kafka: Kafka; codec: AvroCodec; log: Logger; groupPrefix: string; topics: FollowedTopic[]; events?: FollowerEvents;
    /** Called once, synchronously, when the tables are restored (before any later record is applied). */
    onRestored?: () => void;
  }) {}

  async start(): Promise<void> {
    const byTopic = new Map(this.o.topics.map((t) => [t.topic, t]));
    const admin = this.o.kafka.admin();
    await admin.connect();
    try {
      for (const t of this.o.topics) {
        for (const p of await admin.fetchTopicOffsets(t.topic)) {
          if (BigInt(p.high) > BigInt(p.low)) this.pending.set(`${t.topic}\u0000${p.partition}`, BigInt(p.high));
        }
      }
    } finally {
      await admin.disconnect();
    }
    if (this.pending.size === 0) this.finish();

    // A group of its own per process: each instance reads every partition, and nothing is ever committed.
    const groupId = `${this.o.groupPrefix}.${process.pid}.${randomBytes(4).toString('hex')}`;
    const consumer = this.o.kafka.consumer({ groupId, readUncommitted: false, maxBytesPerPartition: 4 << 20 });
    this.consumer = consumer;
    // Fires for every fetched batch, also one holding only transaction markers (no eachBatch call for it): the end
    // offset of a transactional topic is past its last commit marker.
    consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
      if (this.pending.size === 0) return;
      const k = `${e.payload.topic}\u0000${e.payload.partition}`;
      const end = this.pending.get(k);
      if (end !== undefined && BigInt(e.payload.lastOffset) >= end - 1n) this.pending.delete(k);
      if (this.pending.size === 0) this.finish();
    });
    await consumer.connect();
    await consumer.subscribe({ topics: this.o.topics.map((t) => t.topic), fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, resolveOffset, heartbeat }) => {
        const t = byTopic.get(batch.topic)!;
        let applied = 0;
        for (const m of batch.messages) {
          const key = m.key?.toString('utf8') ?? '';
          if (m.value === null) {
            t.apply(key, null);
          } else {
            // A registry outage throws (retriable): kafkajs fetches the batch again from the last resolved offset.
            const d = await this.o.codec.decode(t.schema, m.value);
            if (d.ok) {
              t.apply(key, d.value);
            } else {
              // Nothing is dead-lettered here: the API only reads. The record stays out of the table, loudly.
              this.o.log.error({ topic: batch.topic, partition: batch.partition, offset: m.offset, code: d.code }, `record skipped: ${d.reason}`);
              this.o.events?.undecodable?.(batch.topic);
            }
          }
          applied += 1;
          resolveOffset(m.offset);
        }
        this.o.events?.applied?.(batch.topic, applied);
        await heartbeat();
      },
    });
  }

  private finished = false;

  private finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.o.onRestored?.();
    this.markRestored();
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }
}
