// A schema registry outage pauses the extract stage instead of failing records: nothing goes to the DLQ, readiness
// says why, and the touchpoint's claim is published once the registry answers again (in a newer schema version).
import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExtractConfig } from '../../services/extract/config.ts';
import { extractStage } from '../../services/extract/stage.ts';
import { readSchema } from '../../services/kit/avro.ts';
import { idempotentProducer } from '../../services/kit/kafka.ts';
import { createLogger } from '../../services/kit/log.ts';
import { Ops } from '../../services/kit/ops.ts';
import type { ClaimRecord } from '../../services/kit/records.ts';
import { AvroCodec } from '../../services/kit/registry.ts';
import { StageRunner } from '../../services/kit/stage/runner.ts';
import { touchpoint } from '../support/builders.ts';
import { tcpProxy } from '../support/proxy.ts';
import { endOffsets, eventually } from '../support/published.ts';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';
import { readTopic } from '../support/topics.ts';

let s: IsolatedStack;
let proxy: Awaited<ReturnType<typeof tcpProxy>>;
let runner: StageRunner<unknown, unknown, unknown>;
let ops: Ops;
const moves: string[] = [];
beforeAll(async () => {
  s = await isolatedStack('clregistry');
  const registry = new URL(s.env.TESSERA_REGISTRY_URL!);
  proxy = await tcpProxy(registry);
  const viaProxy = `${proxy.url}${registry.pathname}`;
  const config = parseExtractConfig({ ...s.env, TESSERA_REGISTRY_URL: viaProxy, TESSERA_LOG_LEVEL: 'silent' });
  const codec = new AvroCodec(viaProxy);
  ops = new Ops('extract');
  runner = new StageRunner(extractStage(config, s.kafka, codec), {
    kafka: s.kafka, codec, log: createLogger('extract', process.env.TESSERA_TEST_LOG ?? 'silent'), ops, groupId: config.group, chunkMax: 100, sessionTimeoutMs: 6_000,
  }) as StageRunner<unknown, unknown, unknown>;
  runner.machine.onMove((t) => moves.push(`${t.from}→${t.to}${t.to === 'failed' ? ` (${t.reason})` : ''}`));
  await runner.start();
});
afterAll(async () => {
  await proxy?.restore().catch(() => undefined);
  await runner?.stop();
  await proxy?.close();
  await s?.close();
});

const claims = (until: (messageIds: string[]) => boolean) =>
  readTopic<ClaimRecord>(s.kafka, s.codec, s.topics.claims, 'claim', (rs) => until(rs.map((r) => r.value!.messageId)));

describe('extract stage and a schema registry outage', () => {
  it('pauses without touching the DLQ and publishes the claim when the registry answers again', async () => {
    const subject = `${s.topics.touchpoints}-value`;
    const v1 = await s.codec.register('touchpoint', subject);
    const schemaV2 = JSON.parse(readSchema('touchpoint')) as { fields: object[] };
    schemaV2.fields.push({ name: 'consentGiven', type: ['null', 'boolean'], default: null });
    const { SchemaRegistry, SchemaType } = await import('@kafkajs/confluent-schema-registry');
    const { id: v2 } = await new SchemaRegistry({ host: s.env.TESSERA_REGISTRY_URL! }).register({ type: SchemaType.AVRO, schema: JSON.stringify(schemaV2) }, { subject });
    expect(v2).not.toBe(v1);

    const producer = idempotentProducer(s.kafka);
    await producer.connect();
    await producer.send({ topic: s.topics.touchpoints, messages: [{ key: 'cookie-R', value: s.codec.encode('touchpoint', v1, touchpoint({ messageId: 'r-before', anonymousId: 'cookie-R' })) }] });
    await claims((ids) => ids.includes('r-before'));
    await eventually(async () => ops.ready, (r) => r.ready, 'the extract stage to be ready');

    const seen = moves.length;
    await proxy.cut();
    // Written with v2, whose schema the stage has never fetched: it cannot decode it until the registry is back.
    const body = avro.Type.forSchema(schemaV2 as avro.Schema).toBuffer({ ...touchpoint({ messageId: 'r-v2', anonymousId: 'cookie-R', userId: 'rita' }), consentGiven: true });
    const wire = Buffer.concat([Buffer.from([0, 0, 0, 0, 0]), body]);
    wire.writeInt32BE(v2, 1);
    await producer.send({ topic: s.topics.touchpoints, messages: [{ key: 'cookie-R', value: wire }] });
    await producer.disconnect();

    await eventually(async () => ops.ready, (r) => !r.ready && r.reason.includes('registry'), 'readiness to report the registry outage');
    await proxy.restore();

    const published = await claims((ids) => ids.includes('r-v2'));
    const v2Claim = published.find((r) => r.value!.messageId === 'r-v2')!.value!;
    expect(v2Claim.identifiers.map((i) => `${i.type}:${i.value}`)).toEqual(['anonymous_id:cookie-R', 'user_id:rita']);
    await eventually(async () => ops.ready, (r) => r.ready, 'the extract stage to be ready again');
    // The session failed on the registry and started again without restoring: the cache held only published claims.
    const during = moves.slice(seen);
    expect(during.find((m) => m.startsWith('running→failed'))).toMatch(/registry/);
    expect(during).toContain('failed→starting');
    expect(during).not.toContain('starting→restoring');
    expect(during.at(-1)).toMatch(/→running$/);
    // Nothing was dead-lettered: a transient fault is not the record's fault.
    expect([...(await endOffsets(s.kafka, s.topics.dlq)).values()].every((end) => end === 0n)).toBe(true);
  });
});
