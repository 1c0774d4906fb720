// Transient faults pause the resolver instead of failing records: a schema registry outage sends nothing to the
// DLQ, readiness says why, and the event is resolved once the registry is back (here in a newer schema version).
import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotentProducer } from '../../services/kit/kafka.ts';
import { createLogger } from '../../services/kit/log.ts';
import { Ops } from '../../services/kit/ops.ts';
import type { ResolvedEvent } from '../../services/kit/records.ts';
import { readSchema } from '../../services/kit/avro.ts';
import { AvroCodec } from '../../services/kit/registry.ts';
import { parseResolverConfig } from '../../services/resolver/config.ts';
import { resolverMetrics } from '../../services/resolver/metrics.ts';
import { Resolver } from '../../services/resolver/resolver.ts';
import { touchpoint } from '../support/builders.ts';
import { tcpProxy } from '../support/proxy.ts';
import { endOffsets, eventually } from '../support/published.ts';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';
import { readTopic } from '../support/topics.ts';

let s: IsolatedStack;
let proxy: Awaited<ReturnType<typeof tcpProxy>>;
let resolver: Resolver;
let ops: Ops;
beforeAll(async () => {
  s = await isolatedStack('rfault');
  const registry = new URL(s.env.TESSERA_REGISTRY_URL!);
  proxy = await tcpProxy(registry);
  const viaProxy = `${proxy.url}${registry.pathname}`;
  const config = parseResolverConfig({ ...s.env, TESSERA_REGISTRY_URL: viaProxy, TESSERA_LOG_LEVEL: 'silent' });
  ops = new Ops('resolver-faults');
  resolver = new Resolver({ config, kafka: s.kafka, codec: new AvroCodec(viaProxy), log: createLogger('resolver', 'silent'), ops, metrics: resolverMetrics(ops.metrics) });
  await resolver.start();
});
afterAll(async () => {
  await proxy?.restore().catch(() => undefined);
  await resolver?.stop();
  await proxy?.close();
  await s?.close();
});

describe('resolver and a schema registry outage', () => {
  it('pauses without touching the DLQ and resolves the event when the registry answers again', async () => {
    const subject = `${s.topics.touchpoints}-value`;
    const v1 = await s.codec.register('touchpoint', subject);
    // A producer upgrades to a newer, compatible version of the touchpoint schema.
    const schemaV2 = JSON.parse(readSchema('touchpoint')) as { fields: object[] };
    schemaV2.fields.push({ name: 'consentGiven', type: ['null', 'boolean'], default: null });
    const { SchemaRegistry, SchemaType } = await import('@kafkajs/confluent-schema-registry');
    const direct = new SchemaRegistry({ host: s.env.TESSERA_REGISTRY_URL! });
    const { id: v2 } = await direct.register({ type: SchemaType.AVRO, schema: JSON.stringify(schemaV2) }, { subject });
    expect(v2).not.toBe(v1);
    const typeV2 = avro.Type.forSchema(schemaV2 as avro.Schema);

    const producer = idempotentProducer(s.kafka);
    await producer.connect();
    const before = touchpoint({ messageId: 'f-before', anonymousId: 'cookie-F' });
    await producer.send({ topic: s.topics.touchpoints, messages: [{ key: 'cookie-F', value: s.codec.encode('touchpoint', v1, before) }] });
    await eventually(() => Promise.resolve(ops.ready), (r) => r.ready && r.reason === 'resolving', 'the resolver to resolve the first event');

    await proxy.cut();
    const upgraded = { ...touchpoint({ messageId: 'f-v2', anonymousId: 'cookie-F', userId: 'fiona' }), consentGiven: true };
    const body = typeV2.toBuffer(upgraded);
    const wire = Buffer.concat([Buffer.from([0]), Buffer.alloc(4), body]);
    wire.writeInt32BE(v2, 1);
    await producer.send({ topic: s.topics.touchpoints, messages: [{ key: 'cookie-F', value: wire }] });
    await producer.disconnect();

    // The writer schema of f-v2 cannot be fetched: the session fails and backs off, readiness says why.
    await eventually(() => Promise.resolve(ops.ready), (r) => !r.ready && r.reason.includes('registry'), 'readiness to report the registry outage');
    // Stuck on f-v2: the lag says one record waits (committed offsets against the log end), not 0.
    await eventually(async () => (await ops.metrics.getSingleMetric('tessera_resolver_lag')?.get())?.values.reduce((a, v) => a + v.value, 0) ?? 0,
      (n) => n === 1, 'the lag to show the record waiting');
    await proxy.restore();

    const resolved = await readTopic<ResolvedEvent>(s.kafka, s.codec, s.topics.resolved, 'resolved-event',
      (rs) => rs.some((r) => r.value!.touchpoint.messageId === 'f-v2'));
    const v2Event = resolved.find((r) => r.value!.touchpoint.messageId === 'f-v2')!.value!;
    expect(v2Event.touchpoint.userId).toBe('fiona');
    expect(v2Event.profileId).toBe(resolved.find((r) => r.value!.touchpoint.messageId === 'f-before')!.value!.profileId);
    expect(resolved.filter((r) => r.value!.touchpoint.messageId === 'f-v2')).toHaveLength(1);
    // Nothing was dead-lettered: a transient fault is not the record's fault.
    expect([...(await endOffsets(s.kafka, s.topics.dlq)).values()].every((end) => end === 0n)).toBe(true);
  });
});
