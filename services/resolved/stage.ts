// The resolved-event stage, declared for the stage runner: touchpoints joined with the link stage's claim and
// identifier tables → events.resolved, at least once, any number of instances (each holds the whole table).
import type { Kafka } from 'kafkajs';
import type { Touchpoint } from '../contract/touchpoint.ts';
import { createMissingTopics } from '../kit/kafka.ts';
import type { Logger } from '../kit/log.ts';
import { SCHEMAS } from '../kit/records.ts';
import type { AvroCodec } from '../kit/registry.ts';
import { StageEncoder, type KafkaOut } from '../kit/stage/encoder.ts';
import type { StageDefinition } from '../kit/stage/runner.ts';
import type { Processor } from '../kit/stage/types.ts';
import { topicNames } from '../kit/topics.ts';
import type { ResolvedConfig } from './config.ts';
import { TableFeed } from './feed.ts';
import { holdingParked } from './holding.ts';
import { ParkedEvents } from './parked.ts';
import { RESOLVED_TALLY, resolvedProcessor, type Joinable, type ResolvedState } from './processor.ts';

export type ResolvedStage = StageDefinition<ResolvedState, Touchpoint, KafkaOut> & { stopFeed(): Promise<void> };

/** `processor` is for tests that put a fault seam around the real processor. */
export function resolvedStage(config: ResolvedConfig, kafka: Kafka, codec: AvroCodec, log: Logger,
  processor: Processor<ResolvedState, Touchpoint, KafkaOut> = resolvedProcessor({ identity: config.identity, resolvedTopic: topicNames(config.TESSERA_TOPIC_PREFIX).resolved, maxParkMs: config.TESSERA_RESOLVED_PARK_MAX_MS })): ResolvedStage {
  const topics = topicNames(config.TESSERA_TOPIC_PREFIX);
  const encoder = new StageEncoder(codec, { [topics.resolved]: SCHEMAS.resolved }, topics.dlq);
  let feed: TableFeed | null = null;
  let current: ResolvedState | null = null;
  return {
    name: 'resolved',
    input: { topics: [topics.touchpoints], schema: SCHEMAS.touchpoint },
    processor,
    punctuateMs: config.TESSERA_RESOLVED_PUNCTUATE_MS,
    state: {
      // The table follows the link stage whatever partitions this member holds; parked touchpoints of partitions
      // it lost are forgotten on the new assignment (the delivery's assigned()): their new owner reads them again.
      keepAcrossAssignments: true,
      async restore() {
        await feed?.stop();
        feed = new TableFeed({ kafka, codec, log, claimsTopic: topics.identityClaims, identifiersTopic: topics.identifiers, groupPrefix: `${config.group}.table.${process.pid}` });
        await feed.start();
        // Parked touchpoints are input held back, not derived from the tables: a rebuilt table keeps them waiting.
        current = { table: feed.table, parked: current?.parked ?? new ParkedEvents<Joinable>(config.TESSERA_RESOLVED_PARK_MAX), now: Date.now, checked: -1 };
        return current;
      },
    },
    delivery: holdingParked({ kafka, encoder, commitIntervalMs: config.TESSERA_RESOLVED_COMMIT_INTERVAL_MS }, () => current?.parked ?? null),
    assignment: 'shared',
    metrics: {
      tally: RESOLVED_TALLY,
      gauges: { parkedTouchpoints: 'Touchpoints parked, waiting for the link stage to link their claim', tableClaims: 'Claims in the join table', tableIdentifiers: 'Identifiers in the join table' },
    },
    gauges: (s) => ({ parkedTouchpoints: s.parked.size, tableClaims: s.table.size.claims, tableIdentifiers: s.table.size.identifiers }),
    async setup() {
      await createMissingTopics(kafka, topics, { partitions: config.TESSERA_PARTITIONS, replicationFactor: config.TESSERA_REPLICATION_FACTOR });
      await encoder.register();
    },
    async stopFeed() { await feed?.stop(); },
  };
}
