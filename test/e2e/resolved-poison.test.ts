// A touchpoint the resolved-event stage cannot process goes to the DLQ with its reason, and the stream goes on: the
// stage (at least once) restores its tables in place and keeps what it parked; the touchpoints around it are
// published. Through a test-only fault seam around the real processor that throws as a bug would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Touchpoint } from '../../services/contract/touchpoint.ts';
import { parseExtractConfig } from '../../services/extract/config.ts';
import { extractStage } from '../../services/extract/stage.ts';
import { createLogger } from '../../services/kit/log.ts';
import { Ops } from '../../services/kit/ops.ts';
import type { DeadLetterRecord, ResolvedEvent } from '../../services/kit/records.ts';
import { StageRunner } from '../../services/kit/stage/runner.ts';
import { parseLinkConfig } from '../../services/link/config.ts';
import { linkStage } from '../../services/link/stage.ts';
import { produceTouchpoints } from '../../services/loadgen/produce.ts';
import { parseResolvedConfig } from '../../services/resolved/config.ts';
import { resolvedProcessor } from '../../services/resolved/processor.ts';
import { resolvedStage, type ResolvedStage } from '../../services/resolved/stage.ts';
import { touchpoint } from '../support/builders.ts';
import { throwingOn } from '../support/claims.ts';
import { eventually } from '../support/published.ts';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';
import { readTopic } from '../support/topics.ts';

let s: IsolatedStack;
const runners: StageRunner<unknown, unknown, unknown>[] = [];
let stage: ResolvedStage;
let ops: Ops;
beforeAll(async () => {
  s = await isolatedStack('respoison', { partitions: 1 });
  const env = { ...s.env, TESSERA_LOG_LEVEL: 'silent', TESSERA_RESOLVED_COMMIT_INTERVAL_MS: '100' };
  const log = createLogger('test', process.env.TESSERA_TEST_LOG ?? 'silent');
  const extractConfig = parseExtractConfig(env);
  const linkConfig = parseLinkConfig(env);
  const config = parseResolvedConfig(env);
  const real = resolvedProcessor({ identity: config.identity, resolvedTopic: s.topics.resolved, maxParkMs: config.TESSERA_RESOLVED_PARK_MAX_MS });
  // The seam throws in process(); punctuation stays the real one.
  stage = resolvedStage(config, s.kafka, s.codec, log, { ...throwingOn(real, (t: Touchpoint) => t.messageId === 'r-poison'), punctuate: (st) => real.punctuate(st) });
  ops = new Ops('resolved');
  const common = { kafka: s.kafka, codec: s.codec, log, chunkMax: 100, sessionTimeoutMs: 6_000 };
  runners.push(
    new StageRunner(extractStage(extractConfig, s.kafka, s.codec), { ...common, ops: new Ops('extract'), groupId: extractConfig.group }) as StageRunner<unknown, unknown, unknown>,
    new StageRunner(linkStage(linkConfig, s.kafka, s.codec, log), { ...common, ops: new Ops('link'), groupId: linkConfig.group }) as StageRunner<unknown, unknown, unknown>,
    new StageRunner(stage, { ...common, ops, groupId: config.group }) as StageRunner<unknown, unknown, unknown>,
  );
  for (const r of runners) await r.start();
});
afterAll(async () => {
  for (const r of runners) await r.stop();
  await stage?.stopFeed();
  await s?.close();
});

const metricOf = async (name: string) => (await ops.metrics.getSingleMetric(name)?.get())?.values.reduce((sum, v) => sum + v.value, 0) ?? 0;

describe('resolved-event stage and a touchpoint it cannot process', () => {
  it('dead-letters it with the error, restores its tables in place, and publishes the touchpoints around it', async () => {
    const around = [
      touchpoint({ messageId: 'r-before', anonymousId: 'cookie-A', userId: 'ann' }),
      touchpoint({ messageId: 'r-poison', anonymousId: 'cookie-P' }),
      touchpoint({ messageId: 'r-after', anonymousId: 'cookie-B', userId: 'bob' }),
    ];
    await produceTouchpoints({ kafka: s.kafka, codec: s.codec, topic: s.topics.touchpoints, touchpoints: around, total: around.length });

    const dead = (await readTopic<DeadLetterRecord>(s.kafka, s.codec, s.topics.dlq, 'dead-letter', (rs) => rs.some((d) => d.value!.service === 'resolved')))
      .map((d) => d.value!).filter((d) => d.service === 'resolved');
    expect(dead).toHaveLength(1);
    expect(dead[0]).toMatchObject({ code: 'TSR_DLQ_PROCESSING_FAILED', sourceTopic: s.topics.touchpoints, sourceOffset: 1 });
    expect(dead[0]!.reason).toMatch(/^resolved threw Error: test fault/);

    const ids = (rs: { value: ResolvedEvent | null }[]) => rs.map((r) => r.value!.touchpoint.messageId);
    const published = await readTopic<ResolvedEvent>(s.kafka, s.codec, s.topics.resolved, 'resolved-event',
      (rs) => ids(rs).includes('r-before') && ids(rs).includes('r-after'));
    expect(ids(published)).not.toContain('r-poison');
    const byId = new Map(published.map((r) => [r.value!.touchpoint.messageId, r.value!]));
    expect(byId.get('r-before')!.primaryIdentifier).toEqual({ type: 'user_id', value: 'ann' });
    expect(byId.get('r-after')!.primaryIdentifier).toEqual({ type: 'user_id', value: 'bob' });
    // Suspected (restore), convicted alone (restore): the tables were read again, in place, without a new session.
    expect(await metricOf('tessera_resolved_restores_total')).toBeGreaterThanOrEqual(3);
    expect(await metricOf('tessera_resolved_session_failures_total')).toBe(0);
    await eventually(async () => ops.ready, (r) => r.ready, 'the resolved stage to be ready');
  });
});
