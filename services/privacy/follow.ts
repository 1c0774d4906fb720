// Follows a privacy topic live: reads it from its start (committed records only), says when it has caught up with the
// end it found, then keeps applying new records as they are committed. The suppression list of the writer, the
// answers the privacy service and the command line wait for.
import type { Kafka } from 'kafkajs';
import { TesseraError } from '../kit/errors.ts';
import type { Logger } from '../kit/log.ts';
import { PRIVACY_SCHEMAS, type SuppressionRecord } from '../kit/records.ts';
import type { AvroCodec } from '../kit/registry.ts';
import type { SuppressionList } from './suppression.ts';

export interface Follower {
  /** Resolves once every record that existed at start (or after `fromOffset`) was applied. */
  caughtUp: Promise<void>;
  stop(): Promise<void>;
}

export interface FollowOptions<T> {
  kafka: Kafka;
  codec: AvroCodec;
  topic: string;
  schema: string;
  log: Logger;
  /** A group of its own (nothing is committed): every follower reads from the start, or from `fromOffset`. */
  groupId: string;
  /** Start here on partition 0 (the privacy topics have one partition) instead of the beginning. */
  fromOffset?: string;
  apply(value: T, offset: string): void | Promise<void>;
}

/** A record that does not decode stops the follower: a list or an answer built around it could not be trusted. */
export async function followTopic<T>(o: FollowOptions<T>): Promise<Follower> {
  const admin = o.kafka.admin();
  await admin.connect();
  let end: bigint;
  try {
    const offsets = await admin.fetchTopicOffsets(o.topic);
    end = offsets.reduce((n, p) => n + BigInt(p.high), 0n);
  } finally {
    await admin.disconnect();
  }
  const consumer = o.kafka.consumer({ groupId: o.groupId, readUncommitted: false, maxWaitTimeInMs: 250 });
  let signal: { resolve: () => void; reject: (e: Error) => void } | null = null;
  const caughtUp = new Promise<void>((resolve, reject) => { signal = { resolve, reject }; });
  const done = () => { signal?.resolve(); signal = null; };
  const start = o.fromOffset === undefined ? 0n : BigInt(o.fromOffset);
  if (end <= start) done();
  consumer.on(consumer.events.END_BATCH_PROCESS, (e) => { if (BigInt(e.payload.lastOffset) >= end - 1n) done(); });
  await consumer.connect();
  await consumer.subscribe({ topics: [o.topic], fromBeginning: true });
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      for (const m of batch.messages) {
        if (m.value === null) continue;
        const d = await o.codec.decode<T>(o.schema, m.value);
        if (!d.ok) {
          const err = new TesseraError('TSR_ERR_CHANGELOG_CORRUPT', `${o.topic}@${m.offset} does not decode (${d.reason}); what it holds cannot be trusted`);
          o.log.error({ err }, 'privacy topic unreadable');
          signal?.reject(err);
          signal = null;
          throw err;
        }
        await o.apply(d.value, m.offset);
      }
    },
  });
  if (o.fromOffset !== undefined) consumer.seek({ topic: o.topic, partition: 0, offset: o.fromOffset });
  return { caughtUp, stop: () => consumer.disconnect() };
}

/** Keeps `list` current with the suppressions topic. */
export function followSuppressions(o: Omit<FollowOptions<SuppressionRecord>, 'schema' | 'apply'> & { list: SuppressionList }): Promise<Follower> {
  return followTopic<SuppressionRecord>({
    ...o,
    schema: PRIVACY_SCHEMAS.suppression,
    apply: (s) => {
      if (o.list.entry(s.hash) === undefined) o.log.info({ requestId: s.requestId, identifierType: s.identifierType }, 'identifier suppressed');
      o.list.add(s);
    },
  });
}
