// The resolved stream's existing downstream consumer, fed by the new stage: the warehouse writer on the resolved
// topology (TESSERA_WRITER_EVENTS=resolved) behind extract → link → resolved, on the real Kafka and ClickHouse. Every
// valid event lands (once, under FINAL), and its current profile in events_current is the one the pure core's resolve() gives it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { select } from '../../services/kit/clickhouse.ts';
import { defaultPopulation, generate } from '../../services/loadgen/population.ts';
import { produceTouchpoints } from '../../services/loadgen/produce.ts';
import { drained } from '../support/claims.ts';
import { eventually } from '../support/published.ts';
import { expectedProfiles } from '../support/resolved.ts';
import { serviceHarness, type ServiceHarness } from '../support/services.ts';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';

let s: IsolatedStack;
let services: ServiceHarness;
beforeAll(async () => {
  s = await isolatedStack('reswriter', { partitions: 3 });
  services = serviceHarness(s);
});
afterAll(async () => {
  await services?.stopAll();
  await s?.close();
});

describe('warehouse writer on the stream of the resolved-event stage', () => {
  it('lands every valid event once, attributed to the profile resolve() gives it', async () => {
    const { touchpoints } = generate({ ...defaultPopulation, people: 200, seed: 29 });
    const expected = expectedProfiles(touchpoints);
    await services.start('extract');
    await services.start('link');
    await services.start('resolved');
    await services.start('warehouse-writer', { TESSERA_WRITER_EVENTS: 'resolved', TESSERA_WRITER_FLUSH_MS: '100' });
    await produceTouchpoints({ kafka: s.kafka, codec: s.codec, topic: s.topics.touchpoints, touchpoints, total: touchpoints.length });
    await drained(s.kafka, `${s.prefix}link`, s.topics.claims);
    await drained(s.kafka, `${s.prefix}resolved`, s.topics.touchpoints);

    const count = async () => Number((await select<{ n: string }>(s.ch, `SELECT count() AS n FROM ${s.database}.events`))[0]?.n ?? 0);
    await eventually(count, (n) => n >= expected.size, 'every valid event in ClickHouse', 120_000);
    // The stage publishes at least once (a session that fails re-publishes); the table keeps one row per messageId.
    const [counts] = await select<{ n: string; distinct: string }>(s.ch, `SELECT count() AS n, uniqExact(message_id) AS distinct FROM ${s.database}.events FINAL`);
    expect([Number(counts!.n), Number(counts!.distinct)]).toEqual([expected.size, expected.size]);

    // The writer may still be flushing the last profile and identity records: wait for the attribution to settle.
    const want = new Map([...expected].map(([id, p]) => [id, p ?? '']));
    const current = await eventually(
      async () => new Map((await select<{ message_id: string; current_profile_id: string }>(s.ch,
        `SELECT message_id, current_profile_id FROM ${s.database}.events_current`)).map((r) => [r.message_id, r.current_profile_id])),
      (m) => m.size === want.size && [...want].every(([id, p]) => m.get(id) === p), 'events_current to match resolve()', 120_000).catch(() => null);
    if (current === null) {
      const got = new Map((await select<{ message_id: string; current_profile_id: string }>(s.ch,
        `SELECT message_id, current_profile_id FROM ${s.database}.events_current`)).map((r) => [r.message_id, r.current_profile_id]));
      const wrong = [...want].filter(([id, p]) => got.get(id) !== p).slice(0, 20).map(([id, p]) => `${id}: expected ${p || '(none)'}, got ${got.get(id) ?? '(missing)'}`);
      expect(wrong).toEqual([]);
    }
  }, 300_000);
});
