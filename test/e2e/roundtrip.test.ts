// Foundation round trip: Avro touchpoints through the real Kafka, registry and ClickHouse, queried back.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { AvroCodec } from '../../services/kit/registry.ts';
import type { EachBatchPayload } from 'kafkajs';
import { select } from '../../services/kit/clickhouse.ts';
import { idempotentProducer } from '../../services/kit/kafka.ts';
import { str } from '../../services/kit/sql.ts';
import type { Touchpoint } from '../../services/contract/touchpoint.ts';
import { defaultIdentityConfig, extractIdentifiers } from '../../services/identity/index.ts';
import { eventRow } from '../../services/warehouse-writer/event-rows.ts';
import { context, device, touchpoint } from '../support/builders.ts';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';

let s: IsolatedStack;
beforeAll(async () => { s = await isolatedStack('roundtrip'); });
afterAll(async () => { await s?.close(); });

describe('round trip through Kafka, the schema registry and ClickHouse', () => {
  it('produces Avro touchpoints, consumes and decodes them, and queries the same values back', async () => {
    const schemaId = await s.codec.register('touchpoint', `${s.topics.touchpoints}-value`);
    expect(await s.codec.register('touchpoint', `${s.topics.touchpoints}-value`)).toBe(schemaId);

    const sent: Touchpoint[] = Array.from({ length: 50 }, (_, i) => touchpoint({
      messageId: `rt-${i}`,
      anonymousId: `anon-${i % 7}`,
      userId: i % 5 === 0 ? `user-${i}` : null,
      event: i % 2 ? 'Order Completed' : 'Product Viewed',
      source: i % 3 ? 'web' : 'ios',
      context: context({ device: device({ id: `dev-${i}`, type: i % 3 ? 'desktop' : 'mobile' }), location: { country: 'DE', region: 'BE', city: "Kreuzberg's \\ corner" }, traits: { plan: 'pro' } }),
      properties: { revenue: i * 1.5, currency: 'EUR', nested: '{"a":1}', flag: true },
    }));
    const producer = idempotentProducer(s.kafka);
    await producer.connect();
    await producer.send({
      topic: s.topics.touchpoints,
      messages: sent.map((t) => ({ key: t.anonymousId, value: s.codec.encode('touchpoint', schemaId, t) })),
    });
    await producer.disconnect();

    const received: { value: Touchpoint; partition: number; offset: string }[] = [];
    const consumer = s.kafka.consumer({ groupId: `${s.prefix}roundtrip` });
    await consumer.connect();
    await consumer.subscribe({ topics: [s.topics.touchpoints], fromBeginning: true });
    const done = new Promise<void>((resolve, reject) => {
      void consumer.run({
        eachBatch: async ({ batch }: EachBatchPayload) => {
          for (const m of batch.messages) {
            const d = await s.codec.decode<Touchpoint>('touchpoint', m.value);
            if (!d.ok) return reject(new Error(d.reason));
            received.push({ value: d.value, partition: batch.partition, offset: m.offset });
          }
          if (received.length >= sent.length) resolve();
        },
      });
    });
    await done;
    await consumer.disconnect();

    expect(received.map((r) => r.value).sort((a, b) => a.messageId.localeCompare(b.messageId)))
      // A touchpoint that says nothing about consent reads back with the schema's default, null.
      .toEqual([...sent].sort((a, b) => a.messageId.localeCompare(b.messageId)).map((t) => ({ ...t, consent: null })));

    await s.ch.insert({
      table: `${s.database}.events`,
      values: received.map((r) => eventRow(r.value, extractIdentifiers(r.value, defaultIdentityConfig), { topic: s.topics.touchpoints, partition: r.partition, offset: r.offset })),
      format: 'JSONEachRow',
    });

    const rows = await select<{ message_id: string; revenue: number; city: string; device_type: string; event_ms: string; property_keys: string[] }>(
      s.ch, `SELECT message_id, revenue, city, device_type, event_ms, property_keys FROM ${s.database}.events FINAL WHERE message_id = ${str('rt-7')}`);
    expect(rows).toEqual([{
      message_id: 'rt-7', revenue: 10.5, city: "Kreuzberg's \\ corner", device_type: 'desktop',
      event_ms: String(sent[7]!.timestamp), property_keys: ['currency', 'flag', 'nested', 'revenue'],
    }]);
    const [totals] = await select<{ n: string; revenue: number; ios: string }>(s.ch,
      `SELECT count() AS n, sum(revenue) AS revenue, countIf(source = 'ios') AS ios FROM ${s.database}.events FINAL`);
    expect(totals).toEqual({ n: '50', revenue: sent.reduce((a, t) => a + (t.properties.revenue as number), 0), ios: '17' });
  });
});

describe('schema registration', () => {
  it('several services registering the same new subject at once all get the same schema id', async () => {
    const subject = `${s.prefix}race-value`;
    const codecs = Array.from({ length: 5 }, () => new AvroCodec(inject('stack').registryUrl));
    const ids = await Promise.all(codecs.map((c) => c.register('touchpoint', subject)));
    expect(new Set(ids).size).toBe(1);
  });
});
