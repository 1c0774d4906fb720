// Two extract instances in one consumer group, with rebalances mid-stream (a second instance joins, then the first
// is killed): the link stage still publishes the profiles resolve() computes, and both instances did work.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metric, type ServiceProcess } from '../../services/demo/processes.ts';
import { defaultPopulation, generate } from '../../services/loadgen/population.ts';
import { produceTouchpoints } from '../../services/loadgen/produce.ts';
import { drained, expectedFor, publishedProfiles } from '../support/claims.ts';
import { eventually } from '../support/published.ts';
import { kill9, serviceHarness, type ServiceHarness } from '../support/services.ts';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';

let s: IsolatedStack;
let services: ServiceHarness;
beforeAll(async () => {
  s = await isolatedStack('clrebal', { partitions: 3 });
  services = serviceHarness(s);
});
afterAll(async () => {
  await services?.stopAll();
  await s?.close();
});

const consumed = (p: ServiceProcess) => metric(p.port, 'tessera_extract_records_in_total').catch(() => 0);
const assigned = async (p: ServiceProcess) => (await fetch(`http://127.0.0.1:${p.port}/readyz`).then((r) => r.json()).catch(() => ({}))) as { reason?: string };

describe('extract stage with two instances', () => {
  it('gives the same profiles across a join and a kill -9 mid-stream', async () => {
    const { touchpoints } = generate({ ...defaultPopulation, people: 500, seed: 23 });
    const expected = expectedFor(touchpoints);
    const third = Math.floor(touchpoints.length / 3);
    const parts = [touchpoints.slice(0, third), touchpoints.slice(third, 2 * third), touchpoints.slice(2 * third)];
    const produce = (part: typeof touchpoints) => produceTouchpoints({ kafka: s.kafka, codec: s.codec, topic: s.topics.touchpoints, touchpoints: part, total: part.length });
    // A small chunk and cache keep the instances busy for longer and make them publish repeats the link stage absorbs.
    const env = { TESSERA_EXTRACT_CHUNK: '100', TESSERA_EXTRACT_CACHE_SIZE: '500' };
    await services.start('link');
    const a = await services.start('extract', env, 'extract-a');
    await produce(parts[0]!);
    await eventually(() => consumed(a), (n) => n >= third / 4, 'instance a to commit a quarter of the first part');

    // b joins: the group rebalances while a is mid-stream; the second part is spread over both.
    const b = await services.start('extract', env, 'extract-b');
    await eventually(() => assigned(b), (r) => r.reason === 'running', 'instance b to get partitions');
    await produce(parts[1]!);
    await eventually(() => consumed(b), (n) => n > 0, 'instance b to commit records');

    // a dies without leaving the group; the last part also lands on its partitions, which only b can drain, once the
    // group has noticed (session timeout) and rebalanced.
    const byA = await consumed(a);
    await kill9(a);
    await produce(parts[2]!);
    await drained(s.kafka, `${s.prefix}extract`, s.topics.touchpoints);
    await drained(s.kafka, `${s.prefix}link`, s.topics.claims);

    expect(byA).toBeGreaterThan(0);
    expect(await consumed(b)).toBeGreaterThan(0);
    const profiles = await publishedProfiles(s.kafka, s.codec, s.topics, Object.keys(expected.profiles).length);
    expect(profiles).toEqual(expected.profiles);
  }, 400_000);
});
