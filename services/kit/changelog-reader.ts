// Reads a compacted topic to its end (committed records only): the changelog's live claims, the suppression list.
import type { Kafka } from 'kafkajs';
import type { Logger } from './log.ts';
import type { ClaimRecord } from './records.ts';
import type { AvroCodec } from './registry.ts';
import { TesseraError } from './errors.ts';
import type { ChangelogRecord } from '../identity/index.ts';

export interface RestoreOptions {
  kafka: Kafka;
  codec: AvroCodec;
  topic: string;
  groupId: string;
  log: Logger;
  /** Called now and then while reading, so the caller can heartbeat its own consumer group. */
  onProgress?: (records: number) => Promise<void>;
}

/**
 * The changelog is only written inside the graph owner's transactions (resolver or link stage), and the owner's
 * producer has fenced any zombie with its transactional id before this runs, so the end of each partition (its
 * high watermark) is final once the transactions before it are settled (a read_committed consumer waits for them).
 */
export async function readChangelog(o: RestoreOptions): Promise<ChangelogRecord[]> {
  const live = await readCompacted<ClaimRecord>(o, 'claim', 'TSR_ERR_CHANGELOG_CORRUPT');
  o.log.info({ topic: o.topic, claims: live.size }, 'changelog read');
  return [...live].map(([key, value]) => ({ key, value }));
}

/**
 * Any compacted topic read to its end, committed records only: the latest value per key (a tombstone removes the
 * key). A record that does not decode fails the read with `corrupt`: a state built from it could not be trusted.
 */
export async function readCompacted<T>(o: RestoreOptions, schema: string, corrupt: 'TSR_ERR_CHANGELOG_CORRUPT' = 'TSR_ERR_CHANGELOG_CORRUPT'): Promise<Map<string, T>> {
  const admin = o.kafka.admin();
  await admin.connect();
  let ends: Map<number, bigint>;
  try {
    const offsets = await admin.fetchTopicOffsets(o.topic);
    ends = new Map(offsets.filter((p) => BigInt(p.high) > BigInt(p.low)).map((p) => [p.partition, BigInt(p.high)]));
  } finally {
    await admin.disconnect();
  }
  const live = new Map<string, T>();
  if (ends.size === 0) return live;

  const consumer = o.kafka.consumer({ groupId: o.groupId, readUncommitted: false, maxBytesPerPartition: 4 << 20 });
  const pending = new Set(ends.keys());
  let read = 0;
  let failure: Error | null = null;
  await consumer.connect();
  try {
    const finished = new Promise<void>((resolve) => {
      const reached = (partition: number, lastOffset: string) => {
        const end = ends.get(partition);
        if (end !== undefined && BigInt(lastOffset) >= end - 1n) pending.delete(partition);
        if (pending.size === 0) resolve();
      };
      // Fires for every batch, also the ones holding only transaction markers (no messages for eachBatch).
      consumer.on(consumer.events.END_BATCH_PROCESS, (e) => reached(e.payload.partition, e.payload.lastOffset));
      void consumer.subscribe({ topics: [o.topic], fromBeginning: true }).then(() => consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) {
            const key = m.key?.toString('utf8') ?? '';
            if (m.value === null) { live.delete(key); continue; }
            const d = await o.codec.decode<T>(schema, m.value);
            if (!d.ok) {
              failure = new TesseraError(corrupt,
                `${o.topic}[${batch.partition}]@${m.offset} does not decode (${d.reason}); refusing to start from a state it cannot trust`);
              pending.clear();
              resolve();
              return;
            }
            live.set(key, d.value);
          }
          read += batch.messages.length;
          if (o.onProgress) await o.onProgress(read);
        },
      })).catch((err: Error) => { failure = err; resolve(); });
    });
    await finished;
  } finally {
    await consumer.disconnect();
  }
  if (failure) throw failure;
  return live;
}
