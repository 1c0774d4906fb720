// A schema registry outage pauses the link stage (transactional delivery) instead of failing claims: nothing goes to
// the DLQ, readiness says why, and the claim is linked once the registry answers again (in a newer schema version)
// — the resolver's registry-fault guarantee, on the graph owner of the claims-first pipeline.
import avro from 'avsc';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { claimKey } from '../../services/identity/index.ts';
import { readSchema } from '../../services/kit/avro.ts';
import { idempotentProducer } from '../../services/kit/kafka.ts';
import { createLogger } from '../../services/kit/log.ts';
import { Ops } from '../../services/kit/ops.ts';
import type { ClaimRecord, IdentityIdentifierRecord } from '../../services/kit/records.ts';
import { AvroCodec } from '../../services/kit/registry.ts';
import { StageRunner } from '../../services/kit/stage/runner.ts';
import { parseLinkConfig } from '../../services/link/config.ts';
import { linkStage } from '../../services/link/stage.ts';
import { tcpProxy } from '../support/proxy.ts';
import { endOffsets, eventually } from '../support/published.ts';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';
import { latestByKey, readTopic } from '../support/topics.ts';

let s: IsolatedStack;
let proxy: Awaited<ReturnType<typeof tcpProxy>>;
let runner: StageRunner<unknown, unknown, unknown>;
let ops: Ops;
const moves: string[] = [];
beforeAll(async () => {
  s = await isolatedStack('cllinkreg');
  const registry = new URL(s.env.TESSERA_REGISTRY_URL!);
  proxy = await tcpProxy(registry);
  const viaProxy = `${proxy.url}${registry.pathname}`;
  const config = parseLinkConfig({ ...s.env, TESSERA_REGISTRY_URL: viaProxy, TESSERA_LOG_LEVEL: 'silent', TESSERA_LINK_LINGER_MS: '20' });
  const codec = new AvroCodec(viaProxy);
  const log = createLogger('link', process.env.TESSERA_TEST_LOG ?? 'silent');
  ops = new Ops('link');
  runner = new StageRunner(linkStage(config, s.kafka, codec, log), {
    kafka: s.kafka, codec, log, ops, groupId: config.group, chunkMax: 100, sessionTimeoutMs: 6_000,
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

const identifiers = (until: (m: Map<string, IdentityIdentifierRecord | null>) => boolean) =>
  readTopic<IdentityIdentifierRecord>(s.kafka, s.codec, s.topics.identifiers, 'identity-identifier', (rs) => until(latestByKey(rs))).then(latestByKey);
const claimOf = (messageId: string, ...ids: [string, string][]): [string, ClaimRecord] => {
  const identifiers = ids.map(([type, value]) => ({ type, value })).sort((a, b) => (a.type < b.type ? -1 : 1));
  return [claimKey(identifiers, []), { messageId, eventTime: Date.UTC(2026, 0, 1), identifiers, blocked: [] }];
};

describe('link stage and a schema registry outage', () => {
  it('pauses without touching the DLQ and links the claim when the registry answers again', async () => {
    const subject = `${s.topics.claims}-value`;
    const v1 = await s.codec.register('claim', subject);
    const schemaV2 = JSON.parse(readSchema('claim')) as { fields: object[] };
    schemaV2.fields.push({ name: 'source', type: ['null', 'string'], default: null });
    const { SchemaRegistry, SchemaType } = await import('@kafkajs/confluent-schema-registry');
    const { id: v2 } = await new SchemaRegistry({ host: s.env.TESSERA_REGISTRY_URL! }).register({ type: SchemaType.AVRO, schema: JSON.stringify(schemaV2) }, { subject });
    expect(v2).not.toBe(v1);

    const producer = idempotentProducer(s.kafka);
    await producer.connect();
    const [k1, c1] = claimOf('c-before', ['user_id', 'rita'], ['anonymous_id', 'cookie-R']);
    await producer.send({ topic: s.topics.claims, messages: [{ key: k1, value: s.codec.encode('claim', v1, c1) }] });
    await identifiers((m) => m.has('user_id:rita'));
    await eventually(async () => ops.ready, (r) => r.ready, 'the link stage to be ready');

    const seen = moves.length;
    await proxy.cut();
    // Written with v2, whose schema the stage has never fetched: it cannot decode it until the registry is back.
    const [k2, c2] = claimOf('c-v2', ['user_id', 'rita'], ['email', 'rita@mail.org']);
    const body = avro.Type.forSchema(schemaV2 as avro.Schema).toBuffer({ ...c2, source: 'crm' });
    const wire = Buffer.concat([Buffer.from([0, 0, 0, 0, 0]), body]);
    wire.writeInt32BE(v2, 1);
    await producer.send({ topic: s.topics.claims, messages: [{ key: k2, value: wire }] });
    await producer.disconnect();

    await eventually(async () => ops.ready, (r) => !r.ready && r.reason.includes('registry'), 'readiness to report the registry outage');
    await proxy.restore();

    const table = await identifiers((m) => m.has('email:rita@mail.org'));
    expect(table.get('email:rita@mail.org')?.profileId).toBe(table.get('user_id:rita')?.profileId);
    expect(table.get('anonymous_id:cookie-R')?.profileId).toBe(table.get('user_id:rita')?.profileId);
    await eventually(async () => ops.ready, (r) => r.ready, 'the link stage to be ready again');
    const during = moves.slice(seen);
    expect(during.find((m) => m.startsWith('running→failed'))).toMatch(/registry/);
    expect(during).toContain('failed→starting');
    expect(during.at(-1)).toMatch(/→running$/);
    // Nothing was dead-lettered: a transient fault is not the record's fault.
    expect([...(await endOffsets(s.kafka, s.topics.dlq)).values()].every((end) => end === 0n)).toBe(true);
  });
});
