// The real pipeline for the segment, recommendation and theme tests: touchpoints on Kafka → extract → link → warehouse
// writer → ClickHouse, in this process, so the tests read the documented views as an analyst would after a real run.
import type { Touchpoint } from '../../services/contract/touchpoint.ts';
import { select } from '../../services/kit/clickhouse.ts';
import { idempotentProducer } from '../../services/kit/kafka.ts';
import { str } from '../../services/kit/sql.ts';
import { settled, startStages, type Warehouse } from '../support/pipeline.ts';
import { eventually } from '../support/published.ts';
import type { IsolatedStack } from '../support/stack.ts';

export interface Pipeline {
  /** Produces the touchpoints and waits until the pipeline has settled and every one of them has a current profile. */
  feed(touchpoints: Touchpoint[]): Promise<void>;
  /** Produces a whole population and waits until the pipeline has settled (ClickHouse says what resolve() says). */
  feedAll(touchpoints: Touchpoint[]): Promise<void>;
  /** The current profile of an identifier (identities), waiting until it is written. */
  profileOf(type: string, value: string): Promise<string>;
  stop(): Promise<void>;
}

/** `warehouse` points the writer (and the waits) at another ClickHouse, e.g. a current release through chDB. */
export async function startPipeline(s: IsolatedStack, warehouse: Warehouse = { ch: s.ch, database: s.database }): Promise<Pipeline> {
  const stages = await startStages(s, warehouse);
  const { ch, database: db } = warehouse;
  const schemaId = await s.codec.register('touchpoint', `${s.topics.touchpoints}-value`);
  const producer = idempotentProducer(s.kafka);
  await producer.connect();
  // Everything fed so far: the pipeline has settled when ClickHouse holds what resolve() says for all of it.
  const fed: Touchpoint[] = [];
  const send = async (touchpoints: Touchpoint[]) => {
    for (let i = 0; i < touchpoints.length; i += 5_000) {
      await producer.send({ topic: s.topics.touchpoints, messages: touchpoints.slice(i, i + 5_000).map((t) => ({ key: t.anonymousId ?? t.userId, value: s.codec.encode('touchpoint', schemaId, t) })) });
    }
    fed.push(...touchpoints);
  };
  return {
    async feed(touchpoints) {
      await send(touchpoints);
      await settled(warehouse, fed);
      const ids = touchpoints.map((t) => t.messageId);
      await eventually(async () => Number((await select<{ n: string }>(ch, `SELECT count() AS n FROM ${db}.events_current WHERE message_id IN (${ids.map(str).join(', ')}) AND current_profile_id != ''`))[0]!.n),
        (n) => n === ids.length, `${ids.length} events in events_current`);
    },
    async feedAll(touchpoints) {
      await send(touchpoints);
      await settled(warehouse, fed);
    },
    async profileOf(type, value) {
      return eventually(async () => (await select<{ p: string }>(ch, `SELECT profile_id AS p FROM ${db}.identities FINAL WHERE id_type = ${str(type)} AND id_value = ${str(value)}`))[0]?.p ?? '',
        (p) => p !== '', `the profile of ${type}:${value}`);
    },
    async stop() {
      await producer.disconnect();
      await stages.stop();
    },
  };
}
