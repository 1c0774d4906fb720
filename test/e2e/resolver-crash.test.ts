// kill -9 of the resolver mid-stream, twice, then a restart: the published profiles equal what the pure core
// computes from the same events, and every valid event is published exactly once (nothing lost, nothing twice).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ProfileRecord, ResolvedEvent } from '../../services/kit/records.ts';
import { metric, type ServiceProcess } from '../../services/demo/processes.ts';
import { kill9, serviceHarness, type ServiceHarness } from '../support/services.ts';
import { defaultPopulation, generate } from '../../services/loadgen/population.ts';
import { malformedRecords, produceTouchpoints } from '../../services/loadgen/produce.ts';
import { cleanRun } from '../support/clean-run.ts';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';
import { latestByKey, readTopic } from '../support/topics.ts';
import { committed, endOffsets, eventually } from '../support/published.ts';

let s: IsolatedStack;
let services: ServiceHarness;
beforeAll(async () => {
  s = await isolatedStack('rcrash', { partitions: 3 });
  services = serviceHarness(s);
});
afterAll(async () => {
  await services?.stopAll();
  await s?.close();
});

const startResolver = () => services.start('resolver', { TESSERA_RESOLVER_TXN_MAX: '200' });
const killed = kill9;
const consumedBy = (p: ServiceProcess) => metric(p.port, 'tessera_resolver_events_in_total').catch(() => 0);

/** Canonical form of a set of profiles: id → sorted identifiers. */
function canonical(profiles: { profileId: string; ids: string[] }[]): Record<string, string[]> {
  return Object.fromEntries(profiles.map((p) => [p.profileId, [...p.ids].sort()]).sort(([a], [b]) => (a! < b! ? -1 : 1)));
}

describe('resolver crash safety', () => {
  it('after kill -9 twice and a restart, profiles equal a clean computation and each event is published once', async () => {
    const { touchpoints } = generate({ ...defaultPopulation, people: 500, seed: 11 });

    // What a clean run must produce: the pure core over the same set of events.
    const { graph, valid } = cleanRun(touchpoints);
    const expected = canonical(graph.profiles().map((p) => ({ profileId: p.profileId, ids: p.identifiers.map((l) => `${l.identifier.type}:${l.identifier.value}`) })));

    let r = await startResolver();
    await produceTouchpoints({ kafka: s.kafka, codec: s.codec, topic: s.topics.touchpoints, touchpoints, total: touchpoints.length, malformed: malformedRecords() });
    const total = touchpoints.length + malformedRecords().length;

    // Kill it while it is part-way through, twice (the second time right after it restored).
    await eventually(() => consumedBy(r), (n) => n >= total / 4, 'the resolver to consume a quarter of the input');
    await killed(r);
    r = await startResolver();
    await eventually(() => consumedBy(r), (n) => n > 0, 'the restarted resolver to commit a transaction');
    await killed(r);
    r = await startResolver();

    // Drained: the committed offsets reach the end of every input partition.
    const ends = await endOffsets(s.kafka, s.topics.touchpoints);
    await eventually(() => committed(s.kafka, `${s.prefix}resolver`, s.topics.touchpoints),
      (c) => [...ends].every(([p, end]) => (c.get(p) ?? -1n) >= end), 'the resolver to commit the end of the input', 180_000);

    const resolved = await readTopic<ResolvedEvent>(s.kafka, s.codec, s.topics.resolved, 'resolved-event', (rs) => rs.length >= valid);
    const ids = resolved.map((x) => x.value!.touchpoint.messageId);
    expect(new Set(ids).size).toBe(ids.length); // nothing published twice (read_committed)
    expect(ids.length).toBe(valid); // nothing lost

    const latest = latestByKey(await readTopic<ProfileRecord>(s.kafka, s.codec, s.topics.profiles, 'profile', (rs) => {
      const l = latestByKey(rs);
      return [...l.values()].filter((p) => p?.state === 'active').length >= Object.keys(expected).length;
    }));
    const active = [...latest.values()].filter((p): p is ProfileRecord => p?.state === 'active');
    const got = canonical(active.map((p) => ({ profileId: p.profileId, ids: p.identifiers.map((i) => `${i.type}:${i.value}`) })));
    expect(Object.keys(got).length).toBe(Object.keys(expected).length);
    expect(got).toEqual(expected);
  }, 400_000);
});
