// One record the resolver cannot resolve must not stop resolution for everyone: it goes to the DLQ with its reason,
// the graph is rebuilt without it, and the events after it are resolved; readiness and lag say so.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotentProducer } from '../../services/kit/kafka.ts';
import { createLogger } from '../../services/kit/log.ts';
import { Ops } from '../../services/kit/ops.ts';
import type { DeadLetterRecord, ProfileRecord, ResolvedEvent } from '../../services/kit/records.ts';
import type { Touchpoint } from '../../services/contract/touchpoint.ts';
import { parseResolverConfig } from '../../services/resolver/config.ts';
import { resolverMetrics } from '../../services/resolver/metrics.ts';
import { Resolver } from '../../services/resolver/resolver.ts';
import { touchpoint } from '../support/builders.ts';
import { committed, endOffsets, eventually } from '../support/published.ts';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';
import { latestByKey, readTopic } from '../support/topics.ts';

const INJECTED = 'injected failure after apply (test seam)';

let s: IsolatedStack;
let resolver: Resolver;
let ops: Ops;
beforeAll(async () => {
  s = await isolatedStack('rpoison', { partitions: 6 });
  const config = parseResolverConfig({ ...s.env, TESSERA_LOG_LEVEL: 'silent', TESSERA_RESOLVER_STALL_MS: '4000' });
  ops = new Ops('resolver-poison');
  resolver = new Resolver({
    config, kafka: s.kafka, codec: s.codec, log: createLogger('resolver', process.env.TESSERA_TEST_LOG ?? 'silent'), ops, metrics: resolverMetrics(ops.metrics),
    // The graph has applied the event when this throws: exactly the half-changed state a bug in apply leaves.
    afterApply: (t) => { if (t.messageId === 'poison-apply') throw new Error(INJECTED); },
  });
  await resolver.start();
});
afterAll(async () => { await resolver?.stop(); await s?.close(); });

async function produce(touchpoints: Touchpoint[]): Promise<void> {
  const id = await s.codec.register('touchpoint', `${s.topics.touchpoints}-value`);
  const p = idempotentProducer(s.kafka);
  await p.connect();
  await p.send({ topic: s.topics.touchpoints, messages: touchpoints.map((t) => ({ key: t.anonymousId ?? t.userId, value: s.codec.encode('touchpoint', id, t) })) });
  await p.disconnect();
}

const metricSum = async (name: string, label?: Record<string, string>) => (await ops.metrics.getSingleMetric(name)?.get())?.values
  .filter((v) => !label || Object.entries(label).every(([k, x]) => v.labels[k] === x)).reduce((a, v) => a + v.value, 0) ?? 0;

describe('resolver and a record it cannot resolve', () => {
  it('dead-letters the record with its reason, rebuilds the graph without it, and resolves the 100 events after it', async () => {
    // Ann's cookie is the key of the poison record, so they share a partition, in this order. The poison record would
    // merge Ann's and Bob's profiles; the events before it are in its transaction and must be published once despite
    // the abort and the replay.
    const key = 'cookie-poison';
    const before = [
      touchpoint({ messageId: 'ann-1', anonymousId: key, userId: 'ann' }),
      touchpoint({ messageId: 'bob-1', anonymousId: 'cookie-bob', userId: 'bob' }),
    ];
    const poison = touchpoint({ messageId: 'poison-apply', anonymousId: key, userId: null, traits: { email: 'bob@example.org' } });
    const bobMail = touchpoint({ messageId: 'bob-2', anonymousId: 'cookie-bob', traits: { email: 'bob@example.org' } });
    // A real input that made extraction throw before the core handled it (externalIds type "constructor"): whether the
    // core resolves it or throws, nothing may stop; if it throws it is dead-lettered like the other.
    const constructorType = touchpoint({ messageId: 'ext-constructor', anonymousId: key, externalIds: [{ id: 'x1', type: 'constructor', collection: 'users' }] });
    const normal = Array.from({ length: 100 }, (_, i) => touchpoint({ messageId: `n-${i}`, anonymousId: `cookie-n-${i}` }));
    await produce([...before, bobMail, poison, constructorType, ...normal]);

    const dlq = await readTopic<DeadLetterRecord>(s.kafka, s.codec, s.topics.dlq, 'dead-letter', (r) => r.some((d) => d.value!.reason.includes(INJECTED)));
    const poisoned = dlq.filter((d) => d.value!.reason.includes(INJECTED)).map((d) => d.value!);
    expect(poisoned).toHaveLength(1);
    expect(poisoned[0]).toMatchObject({ code: 'TSR_DLQ_PROCESSING_FAILED', service: 'resolver', sourceTopic: s.topics.touchpoints });
    expect(poisoned[0]!.reason).toBe(`resolving threw Error: ${INJECTED}`);
    const original = await s.codec.decode<Touchpoint>('touchpoint', poisoned[0]!.value);
    expect(original.ok && original.value.messageId).toBe('poison-apply');

    const ids = (rs: { value: ResolvedEvent | null }[]) => rs.map((r) => r.value!.touchpoint.messageId);
    const resolved = await readTopic<ResolvedEvent>(s.kafka, s.codec, s.topics.resolved, 'resolved-event',
      (rs) => normal.every((n) => ids(rs).includes(n.messageId)));
    const published = ids(resolved);
    expect(new Set(published).size).toBe(published.length); // the aborted transaction's events are not published twice
    for (const t of [...before, bobMail, ...normal]) expect(published).toContain(t.messageId);
    expect(published).not.toContain('poison-apply');
    // The constructor record: resolved, or dead-lettered with its reason — exactly one of the two.
    const deadIds = await Promise.all(dlq.map(async (d) => {
      const t = await s.codec.decode<Touchpoint>('touchpoint', d.value!.value);
      return t.ok ? { messageId: t.value.messageId, code: d.value!.code, reason: d.value!.reason } : null;
    }));
    const constructorDead = deadIds.filter((d) => d?.messageId === 'ext-constructor');
    expect(Number(published.includes('ext-constructor')) + constructorDead.length).toBe(1);
    for (const d of constructorDead) expect(d).toMatchObject({ code: 'TSR_DLQ_PROCESSING_FAILED', reason: expect.stringContaining('extracting identifiers threw') });

    // The graph was rebuilt from the changelog: the poison event's half-applied link of Ann's cookie to Bob's email
    // is gone, so Ann and Bob stay two profiles.
    const byId = new Map(resolved.map((r) => [r.value!.touchpoint.messageId, r.value!]));
    expect(byId.get('ann-1')!.profileId).not.toBe(byId.get('bob-2')!.profileId);
    const graph = resolver.identityGraph!;
    expect(graph.profileOf({ type: 'anonymous_id', value: key })).not.toBe(graph.profileOf({ type: 'email', value: 'bob@example.org' }));
    const profiles = latestByKey(await readTopic<ProfileRecord>(s.kafka, s.codec, s.topics.profiles, 'profile', (r) => r.length > 0));
    expect([...profiles.values()].filter((p) => p?.state === 'merged')).toEqual([]);

    // Drained and committed; ready; the lag is measured from committed offsets and is 0 everywhere.
    const ends = await endOffsets(s.kafka, s.topics.touchpoints);
    await eventually(() => committed(s.kafka, `${s.prefix}resolver`, s.topics.touchpoints), (c) => [...ends].every(([p, end]) => c.get(p) === end), 'the input to be committed');
    await eventually(async () => (await ops.metrics.getSingleMetric('tessera_resolver_lag')?.get())?.values ?? [],
      (v) => v.length === 6 && v.every((x) => x.value === 0), 'the lag of all six partitions to be measured at 0');
    expect(ops.ready).toEqual({ ready: true, reason: 'resolving' });
    expect(await metricSum('tessera_resolver_poison_restarts_total')).toBe(1);
    expect(await metricSum('tessera_resolver_dlq_total', { code: 'TSR_DLQ_PROCESSING_FAILED' })).toBe(1 + constructorDead.length);
  });
});
