// /readyz and the lag gauge of a claims-first stage tell the truth when the stream is stuck: cut off from Kafka for
// 25 s, the extract stage says it is not ready and why, does not report a lag of 0 it cannot know, and catches up
// once Kafka answers again (the runner's health is the one every stage shares).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Kafka } from 'kafkajs';
import type { Touchpoint } from '../../services/contract/touchpoint.ts';
import { parseExtractConfig } from '../../services/extract/config.ts';
import { extractStage } from '../../services/extract/stage.ts';
import { idempotentProducer } from '../../services/kit/kafka.ts';
import { createLogger } from '../../services/kit/log.ts';
import { Ops } from '../../services/kit/ops.ts';
import type { ClaimRecord } from '../../services/kit/records.ts';
import { StageRunner } from '../../services/kit/stage/runner.ts';
import { touchpoint } from '../support/builders.ts';
import { kafkaThrough, tcpProxy } from '../support/proxy.ts';
import { eventually } from '../support/published.ts';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';
import { readTopic } from '../support/topics.ts';

const OUTAGE_MS = 25_000;

let s: IsolatedStack;
let proxy: Awaited<ReturnType<typeof tcpProxy>>;
let stageKafka: Kafka;
let runner: StageRunner<unknown, unknown, unknown>;
let ops: Ops;
beforeAll(async () => {
  s = await isolatedStack('clready');
  proxy = await tcpProxy(new URL(`tcp://${s.env.TESSERA_KAFKA_BROKERS!.split(',')[0]}`));
  // Only the stage's connections go through the proxy; the test produces and reads directly.
  stageKafka = kafkaThrough(proxy.url, `extract-${s.id}`);
  // Cache size 0: every touchpoint publishes its claim, so each one is visible on the claims topic.
  const config = parseExtractConfig({ ...s.env, TESSERA_LOG_LEVEL: 'silent', TESSERA_EXTRACT_CACHE_SIZE: '0', TESSERA_EXTRACT_COMMIT_INTERVAL_MS: '100' });
  ops = new Ops('extract-readiness');
  runner = new StageRunner(extractStage(config, stageKafka, s.codec), {
    kafka: stageKafka, codec: s.codec, log: createLogger('extract', process.env.TESSERA_TEST_LOG ?? 'silent'), ops, groupId: config.group,
    chunkMax: 100, sessionTimeoutMs: 6_000, stallMs: 5_000,
  }) as StageRunner<unknown, unknown, unknown>;
  await runner.start();
}, 120_000);
afterAll(async () => {
  await proxy?.restore().catch(() => undefined);
  await runner?.stop();
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

const lagValues = async () => (await ops.metrics.getSingleMetric('tessera_extract_lag')?.get())?.values.map((v) => v.value) ?? [];
const claimIds = async (until: (ids: string[]) => boolean) => {
  const ids = (rs: { value: ClaimRecord | null }[]) => rs.map((r) => r.value!.messageId);
  return ids(await readTopic<ClaimRecord>(s.kafka, s.codec, s.topics.claims, 'claim', (rs) => until(ids(rs))));
};

describe('extract stage readiness and lag during a Kafka outage', () => {
  it.each([
    ['refuses connections (down)', 'cut'],
    ['stops answering (hung broker, dropped packets)', 'hang'],
  ] as const)(`while Kafka %s for ${OUTAGE_MS / 1000} s: not ready with the reason, no false lag of 0, caught up after`, async (_name, outage) => {
    const tag = `${outage}-`;
    await produce([touchpoint({ messageId: `${tag}before`, anonymousId: `${tag}cookie` })]);
    await claimIds((ids) => ids.includes(`${tag}before`));
    await eventually(() => Promise.resolve(ops.ready), (r) => r.ready, 'the extract stage to be ready');
    await eventually(lagValues, (v) => v.length === 3 && v.every((x) => x === 0), 'the lag to be measured at 0');

    await proxy[outage]();
    const during = Array.from({ length: 50 }, (_, i) => touchpoint({ messageId: `${tag}during-${i}`, anonymousId: `${tag}cookie-${i}` }));
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
    expect(after.every((x) => x.reason.length > 0 && x.reason !== 'running')).toBe(true);
    // The 50 records waiting were never reported as a lag of 0: the lag was unknown (absent) or above 0.
    const falseZero = after.filter((x) => x.lag.length > 0 && x.lag.reduce((a, b) => a + b, 0) === 0);
    expect(falseZero).toEqual([]);

    const ids = await claimIds((xs) => during.every((t) => xs.includes(t.messageId)));
    expect(new Set(ids.filter((x) => x.startsWith(tag)))).toEqual(new Set([`${tag}before`, ...during.map((t) => t.messageId)]));
    await eventually(() => Promise.resolve(ops.ready), (r) => r.ready, 'the extract stage to be ready again');
    await eventually(lagValues, (v) => v.length === 3 && v.every((x) => x === 0), 'the lag to be measured at 0 again');
  }, 180_000);
});
