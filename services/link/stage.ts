// The link stage, declared for the stage runner: claims → the identity graph → profiles, merges, changelog and
// the identifier and claim tables, in one Kafka transaction with the consumed offsets; one owner, standbys.
import type { Kafka } from 'kafkajs';
import { IdentityGraph } from '../identity/index.ts';
import { createMissingTopics } from '../kit/kafka.ts';
import type { Logger } from '../kit/log.ts';
import { PRIVACY_SCHEMAS, SCHEMAS, type SuppressionRecord } from '../kit/records.ts';
import type { AvroCodec } from '../kit/registry.ts';
import { StageEncoder, type KafkaOut } from '../kit/stage/encoder.ts';
import type { StageDefinition } from '../kit/stage/runner.ts';
import { transactional } from '../kit/stage/transactional.ts';
import type { Processor } from '../kit/stage/types.ts';
import { topicNames } from '../kit/topics.ts';
import type { LinkConfig } from './config.ts';
import { linkOutputSchemas } from './outputs.ts';
import { LINK_TALLY, linkProcessor, type LinkInput, type LinkState } from './processor.ts';
import { readChangelog, readCompacted } from '../kit/changelog-reader.ts';
import { SuppressionList } from '../privacy/suppression.ts';
import { VersionClock } from './version-clock.ts';

export type LinkStage = StageDefinition<LinkState, LinkInput, KafkaOut>;

/** `processor` is for tests that put a fault seam around the real processor. */
export function linkStage(config: LinkConfig, kafka: Kafka, codec: AvroCodec, log: Logger,
  processor: Processor<LinkState, LinkInput, KafkaOut> = linkProcessor(topicNames(config.TESSERA_TOPIC_PREFIX))): LinkStage {
  const topics = topicNames(config.TESSERA_TOPIC_PREFIX);
  const encoder = new StageEncoder(codec, {
    ...linkOutputSchemas(topics), [topics.claims]: SCHEMAS.claim, [topics.suppressions]: PRIVACY_SCHEMAS.suppression, [topics.privacyAudit]: PRIVACY_SCHEMAS.audit,
  }, topics.dlq);
  let restores = 0;
  return {
    name: 'link',
    // An erasure tombstones the claims that held the identifier on the claims topic itself (and publishes them again
    // without it): those tombstones come back here and are skipped.
    input: { topics: [topics.claims, topics.privacyRequests], schema: SCHEMAS.claim, schemas: { [topics.privacyRequests]: PRIVACY_SCHEMAS.request }, tombstones: [topics.claims] },
    processor,
    state: {
      keepAcrossAssignments: false,
      async restore() {
        restores += 1;
        const groupId = `${config.group}.restore.${config.TESSERA_LINK_INSTANCE}.${process.pid}.${restores}`;
        const records = await readChangelog({ kafka, codec, log, topic: topics.changelog, groupId });
        // Written in the same transactions as the changelog: the list and the graph describe the same moment.
        const suppression = new SuppressionList(config.privacyKey);
        const erased = await readCompacted<SuppressionRecord>({ kafka, codec, log, topic: topics.suppressions, groupId: `${groupId}.suppressions` }, PRIVACY_SCHEMAS.suppression);
        for (const s of erased.values()) suppression.add(s);
        log.info({ suppressed: suppression.size }, 'suppression list read');
        return { graph: IdentityGraph.restore(records, config.identity), versions: new VersionClock(), suppression };
      },
    },
    delivery: transactional({
      kafka, encoder, transactionalId: config.transactionalId,
      maxRecords: config.TESSERA_LINK_TXN_MAX, lingerMs: config.TESSERA_LINK_LINGER_MS,
      commitTimeoutMs: config.TESSERA_LINK_COMMIT_TIMEOUT_MS, transactionTimeoutMs: config.TESSERA_LINK_TXN_TIMEOUT_MS,
    }),
    assignment: 'single-owner',
    metrics: {
      tally: LINK_TALLY,
      gauges: { identifiers: 'Identifiers in the graph', profiles: 'Profiles in the graph', claims: 'Distinct claims in the graph', hubIdentifiers: 'Identifiers that stopped linking (hubs)' },
    },
    gauges: ({ graph }) => {
      const s = graph.stats();
      return { identifiers: s.identifiers, profiles: s.profiles, claims: s.claims, hubIdentifiers: s.hubs };
    },
    async setup() {
      await createMissingTopics(kafka, topics, { partitions: config.TESSERA_PARTITIONS, replicationFactor: config.TESSERA_REPLICATION_FACTOR });
      await encoder.register();
    },
  };
}
