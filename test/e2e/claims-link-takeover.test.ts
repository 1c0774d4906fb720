// A standby link stage takes over when the owner is killed mid-stream: it stands by (ready, owning nothing) while the
// owner runs, then restores the graph from the changelog and finishes the input; the profiles equal resolve()'s.
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
  s = await isolatedStack('cltakeover', { partitions: 3 });
  services = serviceHarness(s);
});
afterAll(async () => {
  await services?.stopAll();
  await s?.close();
});

// A short transaction timeout: the broker aborts the dead owner's open transaction sooner, and the standby's
// read_committed restore gets past it sooner.
const startLink = (instance: string) => services.start('link', { TESSERA_LINK_INSTANCE: instance, TESSERA_LINK_TXN_MAX: '50', TESSERA_LINK_TXN_TIMEOUT_MS: '10000' }, instance);
const claimsIn = (p: ServiceProcess) => metric(p.port, 'tessera_link_claims_in_total').catch(() => 0);
const readiness = async (p: ServiceProcess) => (await fetch(`http://127.0.0.1:${p.port}/readyz`).then((r) => r.json()).catch(() => ({}))) as { reason?: string };

describe('link stage standby takeover', () => {
  it('a standby restores the graph and finishes the input after the owner is killed', async () => {
    const { touchpoints } = generate({ ...defaultPopulation, people: 500, seed: 31 });
    const expected = expectedFor(touchpoints);
    const owner = await startLink('link-0');
    await eventually(() => readiness(owner), (r) => r.reason === 'running', 'link-0 to own the claims');
    const standby = await startLink('link-1');
    await eventually(() => readiness(standby), (r) => r.reason === 'standby: another instance owns the input', 'link-1 to stand by');

    await services.start('extract');
    await produceTouchpoints({ kafka: s.kafka, codec: s.codec, topic: s.topics.touchpoints, touchpoints, total: touchpoints.length });
    await eventually(() => claimsIn(owner), (n) => n >= expected.claimKeys.size / 4, 'link-0 to commit a quarter of the claims');
    expect(await claimsIn(standby)).toBe(0);
    await kill9(owner);

    await drained(s.kafka, `${s.prefix}extract`, s.topics.touchpoints);
    await drained(s.kafka, `${s.prefix}link`, s.topics.claims);
    expect(await claimsIn(standby)).toBeGreaterThan(0);
    expect(await metric(standby.port, 'tessera_link_restores_total')).toBeGreaterThanOrEqual(1);
    expect((await readiness(standby)).reason).toBe('running');
    const profiles = await publishedProfiles(s.kafka, s.codec, s.topics, Object.keys(expected.profiles).length);
    expect(profiles).toEqual(expected.profiles);
  }, 400_000);
});
