// The warehouse writer, declared for the stage runner: the input topics → rows → ClickHouse, exactly once by the
// offsets ClickHouse holds (kit/stage/sink-held.ts); any number of instances in one consumer group.
import type { Kafka } from 'kafkajs';
import type { IdentityConfig } from '../identity/index.ts';
import type { Logger } from '../kit/log.ts';
import type { AvroCodec } from '../kit/registry.ts';
import { StageEncoder } from '../kit/stage/encoder.ts';
import type { StageDefinition } from '../kit/stage/runner.ts';
import { sinkHeldOffsets } from '../kit/stage/sink-held.ts';
import type { Topics } from '../kit/topics.ts';
import { followSuppressions, type Follower } from '../privacy/follow.ts';
import type { SuppressionList } from '../privacy/suppression.ts';
import { inputTopics, writerDecoder, type WriterInput } from './decode.ts';
import type { WriterMetrics } from './metrics.ts';
import { writerProcessor, type WriterOutput, type WriterState } from './processor.ts';
import type { Sink } from './sink.ts';
import { TableWriter } from './writer.ts';

export type WriterStage = StageDefinition<WriterState, WriterInput, WriterOutput>;

export interface WriterStageOptions {
  kafka: Kafka;
  codec: AvroCodec;
  sink: Sink;
  topics: Topics;
  /** Identity rules for extracting identifiers and claim keys from touchpoints: the extract stage's. */
  identity: IdentityConfig;
  /** A write is due once this many rows wait, or once the oldest record read is flushMs old. */
  batchRows: number;
  flushMs: number;
  metrics: WriterMetrics;
  log: Logger;
  /** Creates what the writer needs (topics, the ClickHouse model; idempotent); retried by the runner until it succeeds. */
  prepare(): Promise<unknown>;
  /**
   * Erased identifiers (docs/privacy.md), followed on the suppressions topic for the life of the process, in a group of
   * their own (`groupId`, nothing committed); none when absent (tests of other concerns).
   */
  suppression?: { list: SuppressionList; groupId: string };
}

/** The stage and a stop for what it follows beside its input (the suppression list). */
export type WriterStageWithFollower = WriterStage & { stopFollowing(): Promise<void> };

export function writerStage(o: WriterStageOptions): WriterStageWithFollower {
  const kinds = inputTopics(o.topics);
  const topics = Object.keys(kinds);
  const encoder = new StageEncoder(o.codec, {}, o.topics.dlq);
  const inDoubt = new Set<string>();
  let follower: Follower | null = null;
  return {
    // The dead letters' service; the metrics keep the tessera_writer_ names dashboards and alerts use.
    name: 'warehouse-writer',
    metricPrefix: 'writer',
    input: { topics, decode: writerDecoder(o.codec, kinds) },
    processor: writerProcessor({ identity: o.identity, ...(o.suppression ? { suppression: o.suppression.list } : {}) }),
    state: { restore: async () => ({}), keepAcrossAssignments: true },
    delivery: sinkHeldOffsets({
      kafka: o.kafka, encoder, maxHeld: o.batchRows, lingerMs: o.flushMs,
      sink: () => new TableWriter({ sink: o.sink, topics, metrics: o.metrics, log: o.log, inDoubt }),
    }),
    assignment: 'shared',
    metrics: { tally: {}, gauges: {} },
    async setup() {
      await o.prepare();
      await encoder.register();
      // The whole suppression list before the first row: a replay must not write an erased person even once.
      if (o.suppression !== undefined && follower === null) {
        const f = await followSuppressions({ kafka: o.kafka, codec: o.codec, topic: o.topics.suppressions, list: o.suppression.list, log: o.log, groupId: o.suppression.groupId });
        try {
          await f.caughtUp;
        } catch (err) {
          await f.stop();
          throw err;
        }
        follower = f;
        o.log.info({ suppressed: o.suppression.list.size }, 'suppression list read');
      }
    },
    async stopFollowing() {
      await follower?.stop();
      follower = null;
    },
  };
}
