// A record a stage cannot process goes to the DLQ with its reason, and the stream goes on: the extract stage (at least
// once: isolated in place) and the link stage (transactional: abort, restore, replay), each through a test-only fault
// seam around its real processor that throws as a bug would.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseExtractConfig } from '../../services/extract/config.ts';
import { extractProcessor } from '../../services/extract/processor.ts';
import { extractStage } from '../../services/extract/stage.ts';
import { createLogger } from '../../services/kit/log.ts';
import { Ops } from '../../services/kit/ops.ts';
import type { DeadLetterRecord, IdentityIdentifierRecord } from '../../services/kit/records.ts';
import { StageRunner } from '../../services/kit/stage/runner.ts';
import { parseLinkConfig } from '../../services/link/config.ts';
import { linkProcessor } from '../../services/link/processor.ts';
import { linkStage } from '../../services/link/stage.ts';
import { produceTouchpoints } from '../../services/loadgen/produce.ts';
import { touchpoint } from '../support/builders.ts';
import { throwingOn } from '../support/claims.ts';
import { eventually } from '../support/published.ts';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';
import { latestByKey, readTopic } from '../support/topics.ts';

let s: IsolatedStack;
const runners: StageRunner<unknown, unknown, unknown>[] = [];
let linkOps: Ops;
const linkMoves: string[] = [];
beforeAll(async () => {
  s = await isolatedStack('clpoison', { partitions: 1 });
  const env = { ...s.env, TESSERA_LOG_LEVEL: 'silent' };
  const log = createLogger('test', process.env.TESSERA_TEST_LOG ?? 'silent');
  const extractConfig = parseExtractConfig(env);
  const realExtract = extractProcessor({ identity: extractConfig.identity, claimsTopic: s.topics.claims });
  const extract = new StageRunner(extractStage(extractConfig, s.kafka, s.codec, throwingOn(realExtract, (t) => t.messageId === 'x-poison')), {
    kafka: s.kafka, codec: s.codec, log, ops: new Ops('extract'), groupId: extractConfig.group, chunkMax: 100, sessionTimeoutMs: 6_000,
  });
  const linkConfig = parseLinkConfig(env);
  linkOps = new Ops('link');
  const link = new StageRunner(linkStage(linkConfig, s.kafka, s.codec, log, throwingOn(linkProcessor(s.topics), (c) => 'messageId' in c && c.messageId === 'poison-claim')), {
    kafka: s.kafka, codec: s.codec, log, ops: linkOps, groupId: linkConfig.group, chunkMax: 100, sessionTimeoutMs: 6_000,
  });
  link.machine.onMove((t) => linkMoves.push(`${t.from}→${t.to}`));
  runners.push(extract as StageRunner<unknown, unknown, unknown>, link as StageRunner<unknown, unknown, unknown>);
  await extract.start();
  await link.start();
});
afterAll(async () => {
  for (const r of runners) await r.stop();
  await s?.close();
});

const deadLetters = (n: number) => readTopic<DeadLetterRecord>(s.kafka, s.codec, s.topics.dlq, 'dead-letter', (rs) => rs.length >= n);
const identifiers = (until: (m: Map<string, IdentityIdentifierRecord | null>) => boolean) =>
  readTopic<IdentityIdentifierRecord>(s.kafka, s.codec, s.topics.identifiers, 'identity-identifier', (rs) => until(latestByKey(rs))).then(latestByKey);
const metricOf = async (ops: Ops, name: string) => (await ops.metrics.getSingleMetric(name)?.get())?.values.reduce((sum, v) => sum + v.value, 0) ?? 0;

describe('poison records in the claims stages', () => {
  it('extract: a touchpoint that throws goes to the DLQ with the error, and the touchpoints around it are linked', async () => {
    const before = touchpoint({ messageId: 'x-before', anonymousId: 'cookie-A', userId: 'ann' });
    const poison = touchpoint({ messageId: 'x-poison', anonymousId: 'cookie-P' });
    const after = touchpoint({ messageId: 'x-after', anonymousId: 'cookie-B', userId: 'bob' });
    await produceTouchpoints({ kafka: s.kafka, codec: s.codec, topic: s.topics.touchpoints, touchpoints: [before, poison, after], total: 3 });

    const [dead] = await deadLetters(1);
    expect(dead!.value).toMatchObject({ service: 'extract', code: 'TSR_DLQ_PROCESSING_FAILED', sourceTopic: s.topics.touchpoints, sourceOffset: 1 });
    expect(dead!.value!.reason).toMatch(/^extract threw Error: test fault/);
    const table = await identifiers((m) => m.has('user_id:ann') && m.has('user_id:bob'));
    // The chunk was replayed after the cache was restored empty: the record before the poison one was not lost.
    expect(table.get('anonymous_id:cookie-A')?.profileId).toBe(table.get('user_id:ann')?.profileId);
    expect(table.get('anonymous_id:cookie-B')?.profileId).toBe(table.get('user_id:bob')?.profileId);
    expect(table.has('anonymous_id:cookie-P')).toBe(false);
  });

  it('link: a claim that throws is dead-lettered after an abort, a restore and a replay; the claims around it are linked', async () => {
    const restoresBefore = await metricOf(linkOps, 'tessera_link_restores_total');
    const seen = linkMoves.length;
    const around = [
      touchpoint({ messageId: 'l-before', anonymousId: 'cookie-C', userId: 'cat' }),
      touchpoint({ messageId: 'poison-claim', anonymousId: 'cookie-Q' }),
      touchpoint({ messageId: 'l-after', anonymousId: 'cookie-D', userId: 'dan' }),
    ];
    await produceTouchpoints({ kafka: s.kafka, codec: s.codec, topic: s.topics.touchpoints, touchpoints: around, total: around.length });

    const dead = (await deadLetters(2)).find((d) => d.value!.service === 'link')!.value!;
    expect(dead).toMatchObject({ code: 'TSR_DLQ_PROCESSING_FAILED', sourceTopic: s.topics.claims });
    expect(dead.reason).toMatch(/^link threw Error: test fault/);
    const table = await identifiers((m) => m.has('user_id:cat') && m.has('user_id:dan'));
    expect(table.get('anonymous_id:cookie-C')?.profileId).toBe(table.get('user_id:cat')?.profileId);
    expect(table.get('anonymous_id:cookie-D')?.profileId).toBe(table.get('user_id:dan')?.profileId);
    expect(table.has('anonymous_id:cookie-Q')).toBe(false);
    // Suspected (restart, restore), convicted on replay (restart, restore): the graph never kept a half-applied batch.
    expect(await metricOf(linkOps, 'tessera_link_restores_total')).toBeGreaterThanOrEqual(restoresBefore + 2);
    await eventually(async () => linkOps.ready, (r) => r.ready, 'the link stage to be ready again');
    // Twice: the session fails, starts again and restores the graph before it consumes.
    const cycle = ['running→failed', 'failed→starting', 'starting→restoring', 'restoring→running'];
    const after = linkMoves.slice(seen).filter((m) => cycle.includes(m));
    expect(after.slice(0, 8)).toEqual([...cycle, ...cycle]);
  });
});
