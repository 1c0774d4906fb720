// Two resolved-event stages in one consumer group while touchpoints wait for the link stage: a second instance joins
// (the first forgets what it parked for the partitions it lost), then the first is killed with -9; once the link
// stage links the claims, every valid touchpoint is on events.resolved and none was dead-lettered.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metric, type ServiceProcess } from '../../services/demo/processes.ts';
import type { DeadLetterRecord, ResolvedEvent } from '../../services/kit/records.ts';
import { defaultPopulation, generate } from '../../services/loadgen/population.ts';
import { produceTouchpoints } from '../../services/loadgen/produce.ts';
import { drained, readAll } from '../support/claims.ts';
import { eventually } from '../support/published.ts';
import { expectedProfiles } from '../support/resolved.ts';
import { kill9, serviceHarness, type ServiceHarness } from '../support/services.ts';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';

let s: IsolatedStack;
let services: ServiceHarness;
beforeAll(async () => {
  s = await isolatedStack('resrebal', { partitions: 3 });
  services = serviceHarness(s);
});
afterAll(async () => {
  await services?.stopAll();
  await s?.close();
});

const startResolved = (as: string) => services.start('resolved', { TESSERA_RESOLVED_COMMIT_INTERVAL_MS: '100' }, as);
const parkedNow = (p: ServiceProcess) => metric(p.port, 'tessera_resolved_parked_touchpoints').catch(() => 0);

describe('resolved-event stage with two instances', () => {
  it('loses no parked touchpoint across a join and a kill -9', async () => {
    const { touchpoints } = generate({ ...defaultPopulation, people: 120, seed: 31 });
    const expected = expectedProfiles(touchpoints);
    const half = Math.floor(touchpoints.length / 2);
    const produce = (ts: typeof touchpoints) => produceTouchpoints({ kafka: s.kafka, codec: s.codec, topic: s.topics.touchpoints, touchpoints: ts, total: ts.length });

    const first = await startResolved('resolved-a');
    await produce(touchpoints.slice(0, half));
    await eventually(() => parkedNow(first), (n) => n > 0, 'the first instance to park touchpoints');
    const second = await startResolved('resolved-b');
    // The group rebalances: each instance ends up with some of the three partitions.
    await eventually(async () => [await parkedNow(first), await parkedNow(second)], ([a, b]) => a! > 0 && b! > 0, 'both instances to hold parked touchpoints');
    await produce(touchpoints.slice(half));
    await kill9(first);

    await services.start('extract');
    await services.start('link');
    await drained(s.kafka, `${s.prefix}link`, s.topics.claims);
    await drained(s.kafka, `${s.prefix}resolved`, s.topics.touchpoints);

    const published = await readAll<ResolvedEvent>(s.kafka, s.codec, s.topics.resolved, 'resolved-event');
    expect(new Set(published.map((r) => r.value!.touchpoint.messageId))).toEqual(new Set(expected.keys()));
    // The extract stage dead-letters the generator's invalid touchpoints; the resolved stages dead-lettered nothing.
    const dlq = await readAll<DeadLetterRecord>(s.kafka, s.codec, s.topics.dlq, 'dead-letter');
    expect(dlq.filter((d) => d.value!.service !== 'extract').map((d) => `${d.value!.service} ${d.value!.code} ${d.value!.reason}`)).toEqual([]);
    expect(await parkedNow(second)).toBe(0);
  }, 300_000);
});
