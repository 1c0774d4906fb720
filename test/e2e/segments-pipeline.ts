// The real pipeline for the segment and recommendation tests: touchpoints on Kafka → resolver → warehouse writer →
// ClickHouse, in this process, so the tests read the documented views as an analyst would after a real run.
import type { Touchpoint } from '../../services/contract/touchpoint.ts';
import { validateTouchpoint } from '../../services/contract/validate.ts';
import { select, type ClickHouseClient } from '../../services/kit/clickhouse.ts';
import { idempotentProducer } from '../../services/kit/kafka.ts';
import { createLogger } from '../../services/kit/log.ts';
import { Ops } from '../../services/kit/ops.ts';
import { str } from '../../services/kit/sql.ts';
import { parseResolverConfig } from '../../services/resolver/config.ts';
import { resolverMetrics } from '../../services/resolver/metrics.ts';
import { Resolver } from '../../services/resolver/resolver.ts';
import { eventually, startWriter, type RunningWriter } from '../support/published.ts';
import type { IsolatedStack } from '../support/stack.ts';

export interface Pipeline {
  /** Produces the touchpoints and waits until every one of them is a row of events_current. */
  feed(touchpoints: Touchpoint[]): Promise<void>;
  /** Produces a whole population and waits until events_current holds every valid touchpoint of it. */
  feedAll(touchpoints: Touchpoint[]): Promise<void>;
  /** The current profile of an identifier (identities), waiting until it is written. */
  profileOf(type: string, value: string): Promise<string>;
  stop(): Promise<void>;
}

/** `warehouse` points the writer (and the waits) at another ClickHouse, e.g. a current release through chDB. */
export async function startPipeline(s: IsolatedStack, warehouse: { ch: ClickHouseClient; database: string } = { ch: s.ch, database: s.database }): Promise<Pipeline> {
  const config = parseResolverConfig({ ...s.env, TESSERA_LOG_LEVEL: 'warn' });
  const ops = new Ops('segments-test');
  const resolver = new Resolver({ config, kafka: s.kafka, codec: s.codec, log: createLogger('resolver', 'warn'), ops, metrics: resolverMetrics(ops.metrics) });
  await resolver.start();
  const { ch, database: db } = warehouse;
  const writer: RunningWriter = await startWriter({ kafka: s.kafka, codec: s.codec, ch, database: db, topics: s.topics, groupId: `${s.prefix}writer` });
  const schemaId = await s.codec.register('touchpoint', `${s.topics.touchpoints}-value`);
  const producer = idempotentProducer(s.kafka);
  await producer.connect();
  return {
    async feed(touchpoints) {
      await producer.send({ topic: s.topics.touchpoints, messages: touchpoints.map((t) => ({ key: t.anonymousId ?? t.userId, value: s.codec.encode('touchpoint', schemaId, t) })) });
      const ids = touchpoints.map((t) => t.messageId);
      await eventually(async () => Number((await select<{ n: string }>(ch, `SELECT count() AS n FROM ${db}.events_current WHERE message_id IN (${ids.map(str).join(', ')}) AND current_profile_id != ''`))[0]!.n),
        (n) => n === ids.length, `${ids.length} events in events_current`);
    },
    async feedAll(touchpoints) {
      const before = Number((await select<{ n: string }>(ch, `SELECT count() AS n FROM ${db}.events_current`))[0]!.n);
      for (let i = 0; i < touchpoints.length; i += 5_000) {
        await producer.send({ topic: s.topics.touchpoints, messages: touchpoints.slice(i, i + 5_000).map((t) => ({ key: t.anonymousId ?? t.userId, value: s.codec.encode('touchpoint', schemaId, t) })) });
      }
      const valid = touchpoints.filter((t) => validateTouchpoint(t).ok).length;
      await eventually(async () => Number((await select<{ n: string }>(ch, `SELECT count() AS n FROM ${db}.events_current`))[0]!.n),
        (n) => n >= before + valid, `${valid} more events in events_current`, 180_000);
    },
    async profileOf(type, value) {
      return eventually(async () => (await select<{ p: string }>(ch, `SELECT profile_id AS p FROM ${db}.identities FINAL WHERE id_type = ${str(type)} AND id_value = ${str(value)}`))[0]?.p ?? '',
        (p) => p !== '', `the profile of ${type}:${value}`);
    },
    async stop() {
      await producer.disconnect();
      await writer.stop();
      await resolver.stop();
    },
  };
}
