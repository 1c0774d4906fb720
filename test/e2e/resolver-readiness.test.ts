// /readyz and the lag gauge tell the truth when the stream is stuck: cut off from Kafka for 25 s, the resolver says
// it is not ready and why, does not report a lag of 0 it cannot know, and catches up once Kafka answers again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import { idempotentProducer } from '../../services/kit/kafka.ts';
import { createLogger } from '../../services/kit/log.ts';
import { Ops } from '../../services/kit/ops.ts';
import type { ResolvedEvent } from '../../services/kit/records.ts';
import type { Touchpoint } from '../../services/contract/touchpoint.ts';
import { parseResolverConfig } from '../../services/resolver/config.ts';
import { resolverMetrics } from '../../services/resolver/metrics.ts';
import { Resolver } from '../../services/resolver/resolver.ts';
import { touchpoint } from '../support/builders.ts';
import { kafkaThrough, tcpProxy } from '../support/proxy.ts';
import { eventually } from '../support/published.ts';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';
import { readTopic } from '../support/topics.ts';

const OUTAGE_MS = 25_000;

let s: IsolatedStack;
let proxy: Awaited<ReturnType<typeof tcpProxy>>;
let resolverKafka: Kafka;
let resolver: Resolver;
let ops: Ops;
beforeAll(async () => {
  s = await isolatedStack('rready');
  proxy = await tcpProxy(new URL(`tcp://${s.env.TESSERA_KAFKA_BROKERS!.split(',')[0]}`));
  // Only the resolver's connections go through the proxy; the test produces and reads directly.
  resolverKafka = kafkaThrough(proxy.url, `resolver-${s.id}`);
  const config = parseResolverConfig({ ...s.env, TESSERA_LOG_LEVEL: 'silent', TESSERA_RESOLVER_STALL_MS: '5000' });
  ops = new Ops('resolver-readiness');
  resolver = new Resolver({ config, kafka: resolverKafka, codec: s.codec, log: createLogger('resolver', process.env.TESSERA_TEST_LOG ?? 'silent'), ops, metrics: resolverMetrics(ops.metrics) });
  await resolver.start();
}, 120_000);
afterAll(async () => {
  await proxy?.restore().catch(() => undefined);
  await resolver?.stop();
  await proxy?.close();
  await s?.close();
});

async function produce(touchpoints: Touchpoint[]): Promise<void> {
  const id = await s.codec.register('touchpoint', `${s.topics.touchpoints}-value`);
  const p = idempotentProducer(s.kafka);
  await p.connect();
  await p.send({ topic: s.topics.touchpoints, messages: touchpoints.map((t) => ({ key: t.anonymousId, value: s.codec.encode('touchpoint', id, t) })) });
  await p.disconnect();
}

const lagValues = async () => (await ops.metrics.getSingleMetric('tessera_resolver_lag')?.get())?.values.map((v) => v.value) ?? [];
const messageIds = (rs: { value: ResolvedEvent | null }[]) => rs.map((r) => r.value!.touchpoint.messageId);
const resolvedIds = async (until: (ids: string[]) => boolean) =>
  messageIds(await readTopic<ResolvedEvent>(s.kafka, s.codec, s.topics.resolved, 'resolved-event', (rs) => until(messageIds(rs))));

describe('resolver readiness and lag during a Kafka outage', () => {
  it.each([
    ['refuses connections (down)', 'cut'],
    ['stops answering (hung broker, dropped packets)', 'hang'],
  ] as const)(`while Kafka %s for ${OUTAGE_MS / 1000} s: not ready with the reason, no false lag of 0, caught up after`, async (_name, outage) => {
    const tag = `${outage}-`;
    await produce([touchpoint({ messageId: `${tag}before`, anonymousId: 'cookie-k' })]);
    await resolvedIds((ids) => ids.includes(`${tag}before`));
    await eventually(() => Promise.resolve(ops.ready), (r) => r.ready, 'the resolver to be ready');
    await eventually(lagValues, (v) => v.length === 3 && v.every((x) => x === 0), 'the lag to be measured at 0');

    await proxy[outage]();
    const during = Array.from({ length: 50 }, (_, i) => touchpoint({ messageId: `${tag}during-${i}`, anonymousId: `cookie-k${i}` }));
    await produce(during);
    // Sample what an operator would see, all through the outage.
    const samples: { ready: boolean; reason: string; lag: number[] }[] = [];
    const until = Date.now() + OUTAGE_MS;
    while (Date.now() < until) {
      samples.push({ ...ops.ready, lag: await lagValues() });
      await new Promise((r) => setTimeout(r, 250));
    }
    await proxy.restore();

    const firstNotReady = samples.findIndex((x) => !x.ready);
    expect(firstNotReady, `readiness never dropped during the outage: ${JSON.stringify(samples.at(-1))}`).toBeGreaterThanOrEqual(0);
    // Once it noticed, it stayed not ready for as long as Kafka was away, each time with a reason.
    const after = samples.slice(firstNotReady);
    expect(after.filter((x) => x.ready)).toEqual([]);
    expect(after.every((x) => x.reason.length > 0 && x.reason !== 'resolving')).toBe(true);
    // The 50 records waiting were never reported as a lag of 0: the lag was unknown (absent) or above 0.
    const falseZero = after.filter((x) => x.lag.length > 0 && x.lag.reduce((a, b) => a + b, 0) === 0);
    expect(falseZero).toEqual([]);

    const ids = await resolvedIds((xs) => during.every((t) => xs.includes(t.messageId)));
    expect(ids.filter((x) => x.startsWith(tag)).sort()).toEqual([`${tag}before`, ...during.map((t) => t.messageId)].sort());
    await eventually(() => Promise.resolve(ops.ready), (r) => r.ready, 'the resolver to be ready again');
    await eventually(lagValues, (v) => v.length === 3 && v.every((x) => x === 0), 'the lag to be measured at 0 again');
  }, 180_000);
});
