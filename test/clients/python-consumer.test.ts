// A Python consumer (confluent-kafka + its schema-registry Avro deserializer) reads what the real pipeline published.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitReady } from '../../services/demo/processes.ts';
import { idempotentProducer } from '../../services/kit/kafka.ts';
import type { IdentityChangeRecord, ProfileRecord } from '../../services/kit/records.ts';
import { touchpoint } from '../support/builders.ts';
import { serviceHarness, type ServiceHarness } from '../support/services.ts';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';
import { readTopic, type Read } from '../support/topics.ts';
import { INSTALL_TIMEOUT_MS, installTools, repoRoot } from './tools.ts';

const run = promisify(execFile);

interface Printed { topic: string; partition: number; offset: number; key: string | null; headers: Record<string, string>; value: unknown }

let s: IsolatedStack;
let services: ServiceHarness;
let python: string;

beforeAll(async () => {
  python = installTools('python').python!;
  s = await isolatedStack('pyconsumer');
  services = serviceHarness(s);
  await waitReady(await services.start('extract'));
  await waitReady(await services.start('link'));
}, INSTALL_TIMEOUT_MS);
afterAll(async () => { await services?.stopAll(); await s?.close(); });

const t0 = Date.UTC(2026, 5, 1, 12);

/** Runs test/clients/python/read_topics.py and parses the JSON line it prints per record. */
async function readWithPython(topics: string[]): Promise<Printed[]> {
  const endpoints = s.env;
  const { stdout } = await run(python, [
    'test/clients/python/read_topics.py', '--brokers', endpoints.TESSERA_KAFKA_BROKERS!, '--registry', endpoints.TESSERA_REGISTRY_URL!,
    ...topics.flatMap((t) => ['--topic', t]), '--timeout', '60',
  ], { cwd: repoRoot, timeout: 90_000 });
  return stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as Printed);
}

/** The same records as kafkajs and the project's own Avro codec decode them, in the shape Python prints. */
const asPrinted = (topic: string) => (r: Read<unknown>): Omit<Printed, 'headers'> =>
  ({ topic, partition: r.partition, offset: Number(r.offset), key: r.key, value: r.value });
const order = (a: { partition: number; offset: number }, b: { partition: number; offset: number }) => a.partition - b.partition || a.offset - b.offset;

describe('Python consumer (confluent-kafka, AvroDeserializer through the registry, read_committed)', () => {
  it('decodes the profiles and merges the pipeline published, identically to the Node codec, and skips aborted records', async () => {
    // A cookie browses, the user id appears on its own (a second profile), then a login links both: a merge. The
    // claims topic is keyed by claim, so the login is sent once the two profiles exist: the order that produces a merge.
    const events = [
      touchpoint({ messageId: 'py-1', anonymousId: 'cookie-py', event: 'Product Viewed', timestamp: t0 }),
      touchpoint({ messageId: 'py-2', userId: 'ana-py', event: 'Order Completed', timestamp: t0 + 60_000 }),
      touchpoint({ messageId: 'py-3', type: 'identify', event: null, anonymousId: 'cookie-py', userId: 'ana-py', timestamp: t0 + 120_000 }),
    ];
    const producer = idempotentProducer(s.kafka);
    await producer.connect();
    const touchpointSchema = await s.codec.register('touchpoint', `${s.topics.touchpoints}-value`);
    const send = (batch: typeof events) => producer.send({ topic: s.topics.touchpoints, messages: batch.map((e) => ({ key: 'ana-py', value: s.codec.encode('touchpoint', touchpointSchema, e) })) });
    await send(events.slice(0, 2));
    await readTopic<ProfileRecord>(s.kafka, s.codec, s.topics.profiles, 'profile', (r) => new Set(r.filter((p) => p.value?.state === 'active').map((p) => p.key)).size >= 2);
    await send(events.slice(2));
    await producer.disconnect();

    // The merge is committed in the same transaction as the profiles it changed.
    await readTopic<IdentityChangeRecord>(s.kafka, s.codec, s.topics.merges, 'identity-change', (r) => r.some((m) => m.value?.kind === 'merge'));

    // A profile record in a transaction that is aborted: a read_committed consumer never sees it.
    const txnProducer = idempotentProducer(s.kafka, { transactionalId: `${s.prefix}py-aborted` });
    await txnProducer.connect();
    const txn = await txnProducer.transaction();
    const profileSchema = await s.codec.register('profile', `${s.topics.profiles}-value`);
    const bogus: ProfileRecord = { profileId: 'aborted-profile', state: 'active', mergedInto: null, identifiers: [], firstSeen: t0, lastSeen: t0, version: 1 };
    await txn.send({ topic: s.topics.profiles, messages: [{ key: 'aborted-profile', value: s.codec.encode('profile', profileSchema, bogus) }] });
    await txn.abort();
    await txnProducer.disconnect();

    const printed = await readWithPython([s.topics.profiles, s.topics.merges]);
    const pyProfiles = printed.filter((r) => r.topic === s.topics.profiles).sort(order);
    const pyMerges = printed.filter((r) => r.topic === s.topics.merges).sort(order);

    expect(pyProfiles.map((r) => r.key)).not.toContain('aborted-profile');
    const merge = pyMerges.find((r) => (r.value as IdentityChangeRecord).kind === 'merge')!.value as IdentityChangeRecord;
    expect(merge).toMatchObject({ kind: 'merge', messageId: 'py-3', eventTime: t0 + 120_000, identifier: null });
    // The latest record per profile, as a compacted topic keeps it.
    const latest = new Map(pyProfiles.map((r) => [r.key, r]));
    const survivor = latest.get(merge.intoProfileId!)!;
    expect(survivor.value).toMatchObject({ state: 'active', mergedInto: null, firstSeen: t0 });
    expect((survivor.value as ProfileRecord).identifiers.map((i) => `${i.type}:${i.value}`).sort()).toEqual(['anonymous_id:cookie-py', 'user_id:ana-py']);
    expect(Number(survivor.headers.version)).toBe((survivor.value as ProfileRecord).version);
    expect(latest.get(merge.fromProfileId!)!.value).toMatchObject({ state: 'merged', mergedInto: merge.intoProfileId });

    // Both clients decode the same committed records to the same values.
    const nodeProfiles = await readTopic<ProfileRecord>(s.kafka, s.codec, s.topics.profiles, 'profile', (r) => r.length >= pyProfiles.length);
    expect(pyProfiles.map(({ headers: _h, ...r }) => r)).toEqual(nodeProfiles.map(asPrinted(s.topics.profiles)).sort(order));
    const nodeMerges = await readTopic<IdentityChangeRecord>(s.kafka, s.codec, s.topics.merges, 'identity-change', (r) => r.length >= pyMerges.length);
    expect(pyMerges.map(({ headers: _h, ...r }) => r)).toEqual(nodeMerges.map(asPrinted(s.topics.merges)).sort(order));
  });
});
