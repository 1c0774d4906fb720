// The resolved-event stage before the link stage has spoken: touchpoints park, their offsets are not committed past
// them, and they go out once their claims are linked; with no link stage at all, each ends in the DLQ with a reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Touchpoint } from '../../services/contract/touchpoint.ts';
import { validateTouchpoint } from '../../services/contract/validate.ts';
import { metric, type ServiceProcess } from '../../services/demo/processes.ts';
import { extractIdentifiers, defaultIdentityConfig } from '../../services/identity/index.ts';
import type { DeadLetterRecord, ProfileRecord, ResolvedEvent } from '../../services/kit/records.ts';
import { defaultPopulation, generate } from '../../services/loadgen/population.ts';
import { produceTouchpoints } from '../../services/loadgen/produce.ts';
import { drained, readAll } from '../support/claims.ts';
import { committed, endOffsets, eventually } from '../support/published.ts';
import { expectedProfiles } from '../support/resolved.ts';
import { serviceHarness, type ServiceHarness } from '../support/services.ts';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';
import { readTopic } from '../support/topics.ts';

const stacks: { s: IsolatedStack; services: ServiceHarness }[] = [];
async function slice(name: string) {
  const s = await isolatedStack(name, { partitions: 3 });
  const services = serviceHarness(s);
  stacks.push({ s, services });
  return { s, services };
}
afterAll(async () => {
  for (const { s, services } of stacks) { await services.stopAll(); await s.close(); }
});

/** A valid touchpoint with a claim (linkable or blocked values): one the stage waits on the link stage for. */
function hasClaim(t: Touchpoint): boolean {
  if (!validateTouchpoint(t).ok) return false;
  const x = extractIdentifiers(t, defaultIdentityConfig);
  return x.identifiers.length + (x.blocked?.length ?? 0) > 0;
}
const sum = (m: Map<number, bigint>) => [...m.values()].reduce((a, b) => a + b, 0n);
const counter = (p: ServiceProcess, name: string) => metric(p.port, name).catch(() => 0);

describe('resolved-event stage, parking', () => {
  let s: IsolatedStack;
  let services: ServiceHarness;
  beforeAll(async () => ({ s, services } = await slice('respark')));

  it('parks touchpoints whose claims are not linked, holds their offsets, and publishes each once the link stage links it', async () => {
    const { touchpoints } = generate({ ...defaultPopulation, people: 150, seed: 5 });
    const expected = expectedProfiles(touchpoints);
    const parkable = touchpoints.filter(hasClaim).length;
    expect(parkable).toBeGreaterThan(0);

    const resolved = await services.start('resolved', { TESSERA_RESOLVED_COMMIT_INTERVAL_MS: '100' });
    await produceTouchpoints({ kafka: s.kafka, codec: s.codec, topic: s.topics.touchpoints, touchpoints, total: touchpoints.length });
    await eventually(() => counter(resolved, 'tessera_resolved_parked_total'), (n) => n >= parkable, 'every touchpoint with a claim to be parked');
    expect(await counter(resolved, 'tessera_resolved_parked_touchpoints')).toBe(parkable);
    // Nothing parked is committed past: the group's committed offsets stay below the end while they wait.
    expect(sum(await committed(s.kafka, `${s.prefix}resolved`, s.topics.touchpoints))).toBeLessThan(sum(await endOffsets(s.kafka, s.topics.touchpoints)));

    await services.start('extract');
    await services.start('link');
    await drained(s.kafka, `${s.prefix}link`, s.topics.claims);
    // Released, published and committed: the hold is gone once nothing waits.
    await drained(s.kafka, `${s.prefix}resolved`, s.topics.touchpoints);
    expect(await counter(resolved, 'tessera_resolved_parked_touchpoints')).toBe(0);
    expect(await counter(resolved, 'tessera_resolved_released_total')).toBe(parkable);
    expect(await counter(resolved, 'tessera_resolved_dlq_total')).toBe(0);

    const published = await readAll<ResolvedEvent>(s.kafka, s.codec, s.topics.resolved, 'resolved-event');
    const byId = new Map(published.map((r) => [r.value!.touchpoint.messageId, r.value!]));
    expect(published.length).toBe(byId.size);
    expect(new Set(byId.keys())).toEqual(new Set(expected.keys()));
    // Released while the link stage was still linking, an event has the profile its strongest linked identifier
    // had then: a profile the link stage published, holding that identifier at some version.
    const profiles = await readAll<ProfileRecord>(s.kafka, s.codec, s.topics.profiles, 'profile');
    const held = new Set(profiles.flatMap((r) => r.value?.identifiers.map((i) => `${r.key}|${i.type}:${i.value}`) ?? []));
    for (const [id, v] of byId) {
      if (v.profileId === null) { expect(v.primaryIdentifier, id).toBeNull(); continue; }
      expect(held.has(`${v.profileId}|${v.primaryIdentifier!.type}:${v.primaryIdentifier!.value}`), id).toBe(true);
    }
    expect([...byId.values()].filter((v) => v.profileId !== null).length).toBeGreaterThan(byId.size * 0.9);
  }, 300_000);
});

describe('resolved-event stage, no link stage', () => {
  let s: IsolatedStack;
  let services: ServiceHarness;
  beforeAll(async () => ({ s, services } = await slice('resunlinked')));

  it('dead-letters a touchpoint whose claim is not linked within the bound, says why, and moves on', async () => {
    const { touchpoints } = generate({ ...defaultPopulation, people: 5, seed: 3 });
    const parkable = touchpoints.filter(hasClaim);
    const resolved = await services.start('resolved', { TESSERA_RESOLVED_PARK_MAX_MS: '500', TESSERA_RESOLVED_COMMIT_INTERVAL_MS: '100' });
    await produceTouchpoints({ kafka: s.kafka, codec: s.codec, topic: s.topics.touchpoints, touchpoints, total: touchpoints.length });

    const dlq = await readTopic<DeadLetterRecord>(s.kafka, s.codec, s.topics.dlq, 'dead-letter', (rs) => rs.length >= parkable.length);
    expect(dlq.map((d) => [d.value!.code, d.value!.service, d.value!.sourceTopic])).toEqual(parkable.map(() => ['TSR_DLQ_UNLINKED_CLAIM', 'resolved', s.topics.touchpoints]));
    expect(dlq.every((d) => /had not linked claim c_\w+ of touchpoint .* within 500 ms; re-read .*touchpoints\[\d\]@\d+/.test(d.value!.reason))).toBe(true);
    // The stage is not stuck behind them: everything is committed and it says it is ready.
    await drained(s.kafka, `${s.prefix}resolved`, s.topics.touchpoints);
    expect(await counter(resolved, 'tessera_resolved_unlinked_total')).toBe(parkable.length);
    expect((await fetch(`http://127.0.0.1:${resolved.port}/readyz`)).status).toBe(200);
  }, 120_000);
});
