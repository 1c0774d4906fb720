// The resolved-event stage on the real stack, killed with -9 twice mid-stream: every valid touchpoint is on
// events.resolved with the profile the pure core's resolve() gives it (at least once: a re-read copy is identical);
// and killed while touchpoints wait for the link stage: none of them is lost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metric, type ServiceProcess } from '../../services/demo/processes.ts';
import type { ResolvedEvent } from '../../services/kit/records.ts';
import { defaultPopulation, generate } from '../../services/loadgen/population.ts';
import { produceTouchpoints } from '../../services/loadgen/produce.ts';
import { drained, readAll } from '../support/claims.ts';
import { eventually } from '../support/published.ts';
import { expectedProfiles } from '../support/resolved.ts';
import { kill9, serviceHarness, type ServiceHarness } from '../support/services.ts';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';

let s: IsolatedStack;
let services: ServiceHarness;
let parked: IsolatedStack;
let parkedServices: ServiceHarness;
beforeAll(async () => {
  s = await isolatedStack('rescrash', { partitions: 3 });
  services = serviceHarness(s);
  parked = await isolatedStack('rescrashpark', { partitions: 3 });
  parkedServices = serviceHarness(parked);
});
afterAll(async () => {
  await services?.stopAll();
  await s?.close();
  await parkedServices?.stopAll();
  await parked?.close();
});

// Small chunks and frequent commits, so that each kill lands between many commits.
const startResolved = () => services.start('resolved', { TESSERA_RESOLVED_CHUNK: '50', TESSERA_RESOLVED_COMMIT_INTERVAL_MS: '100' });
const recordsIn = (p: ServiceProcess) => metric(p.port, 'tessera_resolved_records_in_total').catch(() => 0);

describe('resolved-event stage crash safety', () => {
  it('after kill -9 twice and a restart, publishes every touchpoint with the profile resolve() gives it', async () => {
    const { touchpoints } = generate({ ...defaultPopulation, people: 400, seed: 13 });
    const expected = expectedProfiles(touchpoints);

    // The link stage links everything first, so that every profile the join reads is final.
    await services.start('extract');
    await services.start('link');
    await produceTouchpoints({ kafka: s.kafka, codec: s.codec, topic: s.topics.touchpoints, touchpoints, total: touchpoints.length });
    await drained(s.kafka, `${s.prefix}extract`, s.topics.touchpoints);
    await drained(s.kafka, `${s.prefix}link`, s.topics.claims);

    let resolved = await startResolved();
    await eventually(() => recordsIn(resolved), (n) => n >= touchpoints.length / 4, 'the resolved stage to commit a quarter of the touchpoints');
    await kill9(resolved);
    resolved = await startResolved();
    await eventually(() => recordsIn(resolved), (n) => n > 0, 'the restarted resolved stage to commit');
    await kill9(resolved);
    resolved = await startResolved();
    await drained(s.kafka, `${s.prefix}resolved`, s.topics.touchpoints);

    const published = await readAll<ResolvedEvent>(s.kafka, s.codec, s.topics.resolved, 'resolved-event');
    const got = new Map<string, string | null>();
    const mismatches: string[] = [];
    for (const r of published) {
      const v = r.value!;
      const id = v.touchpoint.messageId;
      if (got.has(id) && got.get(id) !== v.profileId) mismatches.push(`${id}: published with ${got.get(id)} and ${v.profileId}`);
      got.set(id, v.profileId);
      expect(r.key).toBe(v.profileId ?? id);
    }
    expect(mismatches).toEqual([]);
    expect(got.size).toBe(expected.size);
    const wrong = [...expected].filter(([id, p]) => got.get(id) !== p).map(([id, p]) => `${id}: expected ${p}, published ${got.get(id)}`);
    expect(wrong).toEqual([]);
    // The kills did re-read something: at least once, not exactly once, and said so in docs/resolved.md.
    expect(published.length).toBeGreaterThanOrEqual(expected.size);
    expect([...expected.values()].filter((p) => p !== null).length).toBeGreaterThan(expected.size * 0.9);
    expect(await metric(resolved.port, 'tessera_resolved_dlq_total')).toBe(0);
  }, 400_000);

  it('kill -9 while touchpoints are parked loses none of them: the restarted stage reads them again and publishes each', async () => {
    const { touchpoints } = generate({ ...defaultPopulation, people: 100, seed: 17 });
    const expected = expectedProfiles(touchpoints);
    let resolved = await parkedServices.start('resolved', { TESSERA_RESOLVED_COMMIT_INTERVAL_MS: '100' });
    await produceTouchpoints({ kafka: parked.kafka, codec: parked.codec, topic: parked.topics.touchpoints, touchpoints, total: touchpoints.length });
    // Everything consumed and committed that can be: what has a claim waits, and holds its partition's offset.
    await eventually(() => recordsIn(resolved), (n) => n >= touchpoints.length, 'the stage to commit every touchpoint it read');
    const waiting = await metric(resolved.port, 'tessera_resolved_parked_touchpoints');
    expect(waiting).toBeGreaterThan(expected.size / 2);
    await kill9(resolved);

    resolved = await parkedServices.start('resolved', { TESSERA_RESOLVED_COMMIT_INTERVAL_MS: '100' });
    await parkedServices.start('extract');
    await parkedServices.start('link');
    await drained(parked.kafka, `${parked.prefix}link`, parked.topics.claims);
    await drained(parked.kafka, `${parked.prefix}resolved`, parked.topics.touchpoints);

    const published = await readAll<ResolvedEvent>(parked.kafka, parked.codec, parked.topics.resolved, 'resolved-event');
    expect(new Set(published.map((r) => r.value!.touchpoint.messageId))).toEqual(new Set(expected.keys()));
    expect(await metric(resolved.port, 'tessera_resolved_dlq_total')).toBe(0);
    expect(await metric(resolved.port, 'tessera_resolved_parked_touchpoints')).toBe(0);
  }, 300_000);
});
