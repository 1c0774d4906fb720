// The whole pipeline under kill -9: resolver and warehouse writer are each killed mid-stream and restarted.
// What an analyst sees in ClickHouse must equal what the pure core computes from the same events: every valid
// event exactly once (without FINAL), every identifier in the right profile, the same active profiles.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { select } from '../../services/kit/clickhouse.ts';
import { metric } from '../../services/demo/processes.ts';
import { kill9, serviceHarness, type ServiceHarness } from '../support/services.ts';
import { defaultPopulation, generate } from '../../services/loadgen/population.ts';
import { produceTouchpoints } from '../../services/loadgen/produce.ts';
import { cleanRun } from '../support/clean-run.ts';
import { committed, endOffsets, eventually } from '../support/published.ts';
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

const start = (name: 'resolver' | 'warehouse-writer') =>
  services.start(name, { TESSERA_RESOLVER_TXN_MAX: '300', TESSERA_WRITER_BATCH_ROWS: '500', TESSERA_WRITER_FLUSH_MS: '100' });
const eventsInClickHouse = async () => Number((await select<{ n: string }>(s.ch, `SELECT count() AS n FROM ${s.database}.events`))[0]?.n ?? 0);

describe('pipeline crash safety', () => {
  it('kill -9 of the resolver and of the writer mid-stream: ClickHouse ends exactly as a clean computation says', async () => {
    const { touchpoints } = generate({ ...defaultPopulation, people: 400, seed: 23 });
    const { graph, valid } = cleanRun(touchpoints);
    const expectedProfiles = graph.profiles();
    const expectedIdentities = new Map(expectedProfiles.flatMap((p) => p.identifiers.map((l) => [`${l.identifier.type}:${l.identifier.value}`, p.profileId] as const)));

    let resolver = await start('resolver');
    const writer = await start('warehouse-writer');
    const produced = produceTouchpoints({ kafka: s.kafka, codec: s.codec, topic: s.topics.touchpoints, touchpoints, total: touchpoints.length, rate: 4000 });

    // Kill each while it works: the resolver part-way through the input, the writer once rows are landing.
    await eventually(() => metric(resolver.port, 'tessera_resolver_events_in_total').catch(() => 0), (n) => n >= touchpoints.length / 4, 'the resolver to be a quarter through');
    await kill9(resolver);
    resolver = await start('resolver');
    await eventually(eventsInClickHouse, (n) => n >= valid / 3, 'rows to land in ClickHouse');
    await kill9(writer);
    await start('warehouse-writer'); // the restarted writer finishes the job
    await produced;

    const ends = await endOffsets(s.kafka, s.topics.touchpoints);
    await eventually(() => committed(s.kafka, `${s.prefix}resolver`, s.topics.touchpoints),
      (c) => [...ends].every(([p, end]) => (c.get(p) ?? -1n) >= end), 'the resolver to commit the end of the input', 180_000);
    await eventually(eventsInClickHouse, (n) => n >= valid, 'every valid event in ClickHouse', 120_000);

    // Exactly once, before FINAL.
    const [counts] = await select<{ n: string; distinct: string }>(s.ch, `SELECT count() AS n, uniqExact(message_id) AS distinct FROM ${s.database}.events`);
    expect(Number(counts!.n)).toBe(valid);
    expect(Number(counts!.distinct)).toBe(valid);

    // Identities and profiles as the pure core has them (the writer may still be flushing the last profile records).
    const identities = await eventually(
      async () => new Map((await select<{ k: string; profile_id: string }>(s.ch,
        `SELECT concat(id_type, ':', id_value) AS k, profile_id FROM ${s.database}.identities FINAL WHERE profile_id != ''`)).map((r) => [r.k, r.profile_id])),
      (m) => m.size === expectedIdentities.size && [...expectedIdentities].every(([k, p]) => m.get(k) === p),
      'identities to match the pure core', 120_000);
    expect(identities).toEqual(expectedIdentities);
    const active = await select<{ profile_id: string }>(s.ch, `SELECT profile_id FROM ${s.database}.profiles FINAL WHERE state = 'active' ORDER BY profile_id`);
    expect(active.map((r) => r.profile_id)).toEqual(expectedProfiles.map((p) => p.profileId).sort());
  }, 400_000);
});
