// kill -9 of the link stage mid-stream, twice, then a restart: nothing is lost (the profiles and tables equal the
// pure core's) and nothing is applied twice (each merge, each claim-table record and each changelog record once).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metric, type ServiceProcess } from '../../services/demo/processes.ts';
import type { ClaimRecord, IdentityChangeRecord, IdentityClaimRecord } from '../../services/kit/records.ts';
import { defaultPopulation, generate } from '../../services/loadgen/population.ts';
import { produceTouchpoints } from '../../services/loadgen/produce.ts';
import { drained, expectedFor, identifierTableOf, publishedIdentifiers, publishedProfiles, readAll } from '../support/claims.ts';
import { eventually } from '../support/published.ts';
import { kill9, serviceHarness, type ServiceHarness } from '../support/services.ts';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';

let s: IsolatedStack;
let services: ServiceHarness;
beforeAll(async () => {
  s = await isolatedStack('clcrash', { partitions: 3 });
  services = serviceHarness(s);
});
afterAll(async () => {
  await services?.stopAll();
  await s?.close();
});

// Small transactions, so a kill lands between many commits.
const startLink = () => services.start('link', { TESSERA_LINK_TXN_MAX: '50' });
const claimsIn = (p: ServiceProcess) => metric(p.port, 'tessera_link_claims_in_total').catch(() => 0);
const unique = <T>(xs: T[]) => new Set(xs).size === xs.length;

describe('link stage crash safety', () => {
  it('after kill -9 twice and a restart, loses nothing and applies nothing twice', async () => {
    const { touchpoints } = generate({ ...defaultPopulation, people: 500, seed: 11 });
    const expected = expectedFor(touchpoints);

    // The whole claims backlog first, so that each kill lands mid-stream.
    await services.start('extract');
    await produceTouchpoints({ kafka: s.kafka, codec: s.codec, topic: s.topics.touchpoints, touchpoints, total: touchpoints.length });
    await drained(s.kafka, `${s.prefix}extract`, s.topics.touchpoints);

    let link = await startLink();
    await eventually(() => claimsIn(link), (n) => n >= expected.claimKeys.size / 4, 'the link stage to commit a quarter of the claims');
    await kill9(link);
    link = await startLink();
    await eventually(() => claimsIn(link), (n) => n > 0, 'the restarted link stage to commit a transaction');
    await kill9(link);
    link = await startLink();
    await drained(s.kafka, `${s.prefix}link`, s.topics.claims);

    const profiles = await publishedProfiles(s.kafka, s.codec, s.topics, Object.keys(expected.profiles).length);
    expect(profiles).toEqual(expected.profiles);
    const table = identifierTableOf(expected.profiles);
    const identifiers = await publishedIdentifiers(s.kafka, s.codec, s.topics, table.size);
    for (const [k, p] of table) expect(identifiers.get(k), k).toBe(p);

    // read_committed: what an aborted transaction wrote is invisible, what a committed one wrote appears once.
    const changelog = await readAll<ClaimRecord>(s.kafka, s.codec, s.topics.changelog, 'claim');
    expect(new Set(changelog.map((r) => r.key))).toEqual(expected.claimKeys);
    expect(unique(changelog.map((r) => `${r.key}|${r.value!.messageId}|${r.value!.eventTime}`))).toBe(true);
    const claimTable = await readAll<IdentityClaimRecord>(s.kafka, s.codec, s.topics.identityClaims, 'identity-claim');
    // A claim's record is written again whenever its primary may change (docs/link.md), so the table holds at least
    // one record per claim; the latest names a primary linked to the profile resolve() gives it.
    expect(new Set(claimTable.map((r) => r.key))).toEqual(expected.claimKeys);
    const latest = new Map(claimTable.map((r) => [r.key!, r.value!] as const));
    for (const [k, v] of latest) if (v.primaryType !== null) expect(table.get(`${v.primaryType}:${v.primaryValue}`), k).toBeDefined();
    const merges = await readAll<IdentityChangeRecord>(s.kafka, s.codec, s.topics.merges, 'identity-change');
    const mergeIds = merges.filter((m) => m.value!.kind === 'merge').map((m) => `${m.value!.fromProfileId}>${m.value!.intoProfileId}|${m.value!.messageId}`);
    expect(mergeIds.length).toBeGreaterThan(0);
    expect(unique(mergeIds)).toBe(true);
  }, 400_000);
});
