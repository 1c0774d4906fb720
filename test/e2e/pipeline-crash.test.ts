// The whole pipeline (extract ×2 → link → warehouse writer) under kill -9: each stage is killed mid-stream and
// restarted, one of two extract instances dies (a rebalance) and comes back (another), and the touchpoints arrive
// shuffled. What an analyst sees in ClickHouse must equal what the pure core's resolve() computes from the same events:
// every valid event exactly once (without FINAL), every identifier in the right profile, the same active profiles;
// every bad record is in the DLQ, dead-lettered by the extract stage only.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metric, type ServiceProcess } from '../../services/demo/processes.ts';
import { select } from '../../services/kit/clickhouse.ts';
import type { DeadLetterRecord } from '../../services/kit/records.ts';
import { defaultPopulation, generate } from '../../services/loadgen/population.ts';
import { malformedRecords, produceTouchpoints } from '../../services/loadgen/produce.ts';
import { validateTouchpoint } from '../../services/contract/validate.ts';
import type { Touchpoint } from '../../services/contract/touchpoint.ts';
import { drained, readAll } from '../support/claims.ts';
import { identityExpected, identityIn } from '../support/pipeline.ts';
import { eventually } from '../support/published.ts';
import { kill9, serviceHarness, type ServiceHarness } from '../support/services.ts';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';

let s: IsolatedStack;
let services: ServiceHarness;
beforeAll(async () => {
  s = await isolatedStack('pcrash', { partitions: 3 });
  services = serviceHarness(s);
});
afterAll(async () => {
  await services?.stopAll();
  await s?.close();
});

/** A seeded Fisher–Yates shuffle: logins often arrive before the browsing that preceded them. */
function shuffled<T>(xs: readonly T[], seed: number): T[] {
  const out = [...xs];
  let x = seed >>> 0 || 1;
  const next = () => { x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0; return x / 2 ** 32; };
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

// Small chunks and transactions and frequent flushes, so a kill lands between many commits.
const env = {
  extract: { TESSERA_EXTRACT_CHUNK: '200', TESSERA_EXTRACT_CACHE_SIZE: '2000' },
  link: { TESSERA_LINK_TXN_MAX: '100' },
  'warehouse-writer': { TESSERA_WRITER_BATCH_ROWS: '500', TESSERA_WRITER_FLUSH_MS: '100' },
};
const start = (name: keyof typeof env, as: string = name) => services.start(name, env[name], as);
const eventsInClickHouse = async () => Number((await select<{ n: string }>(s.ch, `SELECT count() AS n FROM ${s.database}.events`))[0]?.n ?? 0);
const claimsIn = (p: ServiceProcess) => metric(p.port, 'tessera_link_claims_in_total').catch(() => 0);
const extracted = (p: ServiceProcess) => metric(p.port, 'tessera_extract_records_in_total').catch(() => 0);

describe('pipeline crash safety (extract → link → writer)', () => {
  it('kill -9 of an extract instance, of the link stage and of the writer mid-stream, shuffled input: ClickHouse ends exactly as resolve() says', async () => {
    const { touchpoints } = generate({ ...defaultPopulation, people: 400, seed: 23 });
    const input = shuffled(touchpoints, 23);
    const want = identityExpected(input);
    const invalid = input.filter((t) => !validateTouchpoint(t).ok).length;
    const quarter = Math.ceil(input.length / 4);
    const parts: Touchpoint[][] = [0, 1, 2, 3].map((i) => input.slice(i * quarter, (i + 1) * quarter));
    const produce = (part: Touchpoint[], malformed: Buffer[] = []) =>
      produceTouchpoints({ kafka: s.kafka, codec: s.codec, topic: s.topics.touchpoints, touchpoints: part, total: part.length, malformed });

    let link = await start('link');
    const extractA = await start('extract', 'extract-a');
    const writer = await start('warehouse-writer');

    // Each kill happens before the last part is produced: mid-stream by construction, however fast the machine. Which
    // extract instance holds which partition is the group's choice, so no wait depends on it.
    // 1. extract-a alone holds every partition and works through the first part; extract-b joins (a rebalance), the
    //    second part arrives, and extract-a dies without leaving the group: its partitions move to extract-b once the
    //    group notices (another rebalance), and what it had not committed is read again.
    await produce(parts[0]!, malformedRecords());
    await eventually(() => extracted(extractA), (n) => n > 0, 'extract-a (the only member) to commit touchpoints');
    await start('extract', 'extract-b');
    await produce(parts[1]!);
    await kill9(extractA);
    // 2. extract-a comes back (a rebalance again); the third part arrives; the graph owner dies while it links its
    //    claims, and restarts; the writer dies while its rows land, and restarts (its watermarks skip what it wrote).
    await start('extract', 'extract-a');
    const linked = await claimsIn(link);
    const written = await eventsInClickHouse();
    await produce(parts[2]!);
    await eventually(() => claimsIn(link), (n) => n > linked, 'the link stage to commit claims of the third part');
    await kill9(link);
    link = await start('link');
    await eventually(eventsInClickHouse, (n) => n > written, 'rows of the third part to land');
    await kill9(writer);
    await start('warehouse-writer');
    // 3. The rest.
    await produce(parts[3]!);

    await drained(s.kafka, `${s.prefix}extract`, s.topics.touchpoints);
    await drained(s.kafka, `${s.prefix}link`, s.topics.claims);
    const same = (a: Map<string, string>, b: Map<string, string>) => a.size === b.size && [...b].every(([k, v]) => a.get(k) === v);
    // Claims too: the writer flushes each input topic's rows on its own, so the identities can be complete while the
    // last claim records (identity.claims, written again when a primary may change) are still on their way.
    const got = await eventually(() => identityIn(s), (g) => g.events >= want.events && same(g.identities, want.identities) && g.active.join() === want.active.join()
      && [...want.claimKeys].every((k) => g.claimKeys.has(k)),
      'ClickHouse to hold what resolve() says', 180_000);

    // Exactly once, before FINAL.
    const [counts] = await select<{ n: string; distinct: string }>(s.ch, `SELECT count() AS n, uniqExact(message_id) AS distinct FROM ${s.database}.events`);
    expect({ n: Number(counts!.n), distinct: Number(counts!.distinct) }).toEqual({ n: want.events, distinct: want.events });
    // The same identities, profiles and claims as the pure core.
    expect(got.identities).toEqual(want.identities);
    expect(got.active).toEqual(want.active);
    expect([...want.claimKeys].filter((k) => !got.claimKeys.has(k))).toEqual([]);
    // Every event attributed through its claim: its current profile is resolve()'s profile of its claim's primary
    // identifier (none when that identifier is in no profile), and every claimed event has its claim's row.
    const attribution = await select<{ message_id: string; claim_key: string; primary: string; current_profile_id: string }>(s.ch,
      `SELECT message_id, claim_key, if(primary_type = '', '', concat(primary_type, ':', primary_value)) AS primary, current_profile_id
       FROM ${s.database}.events_current WHERE claim_key != ''`);
    expect(attribution.filter((e) => !got.claimKeys.has(e.claim_key))).toEqual([]);
    expect(attribution.filter((e) => e.current_profile_id !== (want.identities.get(e.primary) ?? ''))).toEqual([]);

    // The DLQ: each bad record once or more (at least once: a killed extract instance may dead-letter one again),
    // every one of them, each by the extract stage; the writer skips bad touchpoints without dead-lettering them.
    const dlq = await readAll<DeadLetterRecord>(s.kafka, s.codec, s.topics.dlq, 'dead-letter');
    expect(new Set(dlq.map((d) => d.value!.service))).toEqual(new Set(['extract']));
    const bad = new Set(dlq.map((d) => `${d.value!.sourcePartition}@${d.value!.sourceOffset}`));
    expect(bad.size).toBe(invalid + malformedRecords().length);
    expect(dlq.every((d) => d.value!.reason.length > 0)).toBe(true);
  }, 600_000);
});
