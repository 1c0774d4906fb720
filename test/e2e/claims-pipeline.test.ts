// touchpoints → extract → link on the real stack: the published profiles equal the pure core's resolve() over the
// same events, the identifier and claim tables agree with them, and bad records land in the DLQ with a reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metric } from '../../services/demo/processes.ts';
import type { DeadLetterRecord, IdentityClaimRecord } from '../../services/kit/records.ts';
import { defaultPopulation, generate } from '../../services/loadgen/population.ts';
import { malformedRecords, produceTouchpoints } from '../../services/loadgen/produce.ts';
import { drained, expectedFor, identifierTableOf, publishedIdentifiers, publishedProfiles } from '../support/claims.ts';
import { serviceHarness, type ServiceHarness } from '../support/services.ts';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';
import { latestByKey, readTopic } from '../support/topics.ts';

let s: IsolatedStack;
let services: ServiceHarness;
beforeAll(async () => {
  s = await isolatedStack('claims', { partitions: 3 });
  services = serviceHarness(s);
});
afterAll(async () => {
  await services?.stopAll();
  await s?.close();
});

describe('claims pipeline (extract → link)', () => {
  it('publishes the profiles resolve() computes, and the identifier and claim tables that go with them', async () => {
    const { touchpoints } = generate({ ...defaultPopulation, people: 300, seed: 7 });
    const expected = expectedFor(touchpoints);
    const extract = await services.start('extract');
    const link = await services.start('link');
    await produceTouchpoints({ kafka: s.kafka, codec: s.codec, topic: s.topics.touchpoints, touchpoints, total: touchpoints.length, malformed: malformedRecords() });

    await drained(s.kafka, `${s.prefix}extract`, s.topics.touchpoints);
    await drained(s.kafka, `${s.prefix}link`, s.topics.claims);

    const profiles = await publishedProfiles(s.kafka, s.codec, s.topics, Object.keys(expected.profiles).length);
    expect(Object.keys(profiles).length).toBe(Object.keys(expected.profiles).length);
    expect(profiles).toEqual(expected.profiles);

    const table = identifierTableOf(expected.profiles);
    const identifiers = await publishedIdentifiers(s.kafka, s.codec, s.topics, table.size);
    for (const [k, p] of table) expect(identifiers.get(k), k).toBe(p);
    for (const [k, p] of identifiers) if (!table.has(k)) expect(p, `${k} is in no profile`).toBeNull();

    // Every claim of a valid event is in the claim table, with a primary identifier whose profile is known.
    const claims = latestByKey(await readTopic<IdentityClaimRecord>(s.kafka, s.codec, s.topics.identityClaims, 'identity-claim', (rs) => latestByKey(rs).size >= expected.claimKeys.size));
    expect(new Set(claims.keys())).toEqual(expected.claimKeys);
    const attributed = [...claims.values()].filter((c) => c!.primaryType !== null);
    expect(attributed.length).toBeGreaterThan(expected.claimKeys.size * 0.9);

    // The malformed records and the generator's invalid events are dead-lettered by the extract stage, with reasons.
    const invalid = touchpoints.length - expected.valid;
    const dlq = await readTopic<DeadLetterRecord>(s.kafka, s.codec, s.topics.dlq, 'dead-letter', (rs) => rs.length >= invalid + malformedRecords().length);
    expect(dlq.map((d) => d.value!.service)).toEqual(dlq.map(() => 'extract'));
    const codes = dlq.map((d) => d.value!.code);
    expect(codes.filter((c) => c === 'TSR_DLQ_INVALID')).toHaveLength(invalid);
    // JSON instead of Avro and a truncated record (wire format), and an id the registry does not know.
    expect(codes.filter((c) => c !== 'TSR_DLQ_INVALID').sort()).toEqual(['TSR_DLQ_UNKNOWN_SCHEMA', 'TSR_DLQ_WIRE_FORMAT', 'TSR_DLQ_WIRE_FORMAT']);
    expect(dlq.every((d) => d.value!.reason.length > 0)).toBe(true);

    // The link stage saw only novel claims; the metrics say so.
    const claimsIn = await metric(link.port, 'tessera_link_claims_in_total');
    const published = await metric(extract.port, 'tessera_extract_claims_published_total');
    expect(claimsIn).toBe(published);
    expect(published).toBeGreaterThanOrEqual(expected.claimKeys.size);
    expect(published).toBeLessThan(expected.valid);
    expect(await metric(link.port, 'tessera_link_claims_changed_total')).toBeGreaterThanOrEqual(expected.claimKeys.size);
  });
});
