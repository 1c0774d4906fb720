// The profile API's warehouse queries (their SQL text; the chDB shim takes no per-query settings such as the API's
// max_execution_time) on a current ClickHouse release (chDB's engine behind the HTTP interface), fed by the real
// pipeline (resolver → warehouse writer): they run, and a profile's traits and totals read through its claims equal
// what the analysts' views attribute to it — here on the resolved-stream topology.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouse, select, type ClickHouseClient } from '../../services/kit/clickhouse.ts';
import { defaultPopulation, generate } from '../../services/loadgen/population.ts';
import { activityByDay, activityTotals, eventsBy, eventsPage, identityChanges, linkingEvents, refusals, traits } from '../../services/profile-api/queries.ts';
import { serveChdb, type ChdbServer } from '../clients/chdb-http.ts';
import { INSTALL_TIMEOUT_MS, installTools } from '../clients/tools.ts';
import { eventually } from '../support/published.ts';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';
import { startPipeline, type Pipeline } from './segments-pipeline.ts';

const database = 'profileapi';
const DAY = 86_400_000;
let chdb: ChdbServer;
let ch: ClickHouseClient;
let s: IsolatedStack;
let pipeline: Pipeline;
/** Each current profile with its identifiers as TYPE:VALUE, as the API holds them. */
let profiles: { profile_id: string; ids: string[] }[];

beforeAll(async () => {
  chdb = await serveChdb(installTools('chdb').chdb!);
  ch = createClickHouse({ url: chdb.url, user: 'default', password: '' });
  s = await isolatedStack('apicurrent');
  pipeline = await startPipeline(s, { ch, database });
  await pipeline.feedAll(generate({ ...defaultPopulation, people: 40, seed: 5, start: Date.now() - 10 * DAY, days: 8 }).touchpoints);
  profiles = await select(ch, `SELECT profile_id, groupArray(concat(id_type, ':', id_value)) AS ids FROM ${database}.identities FINAL`
    + ` WHERE profile_id != '' GROUP BY profile_id ORDER BY profile_id`);
}, INSTALL_TIMEOUT_MS);
afterAll(async () => { await pipeline?.stop(); await s?.close(); await ch?.close(); await chdb?.close(); });

describe('profile API queries on a current ClickHouse release', () => {
  it('is a current release', () => expect(Number(chdb.version.split('.')[0])).toBeGreaterThanOrEqual(25));

  it('reads every profile\'s traits and totals through its claims as the views attribute them', async () => {
    expect(profiles.length).toBeGreaterThan(10);
    // Both sides read the tables the writer fills one insert at a time: they must agree once it has written everything.
    const compare = async () => {
      const viewTraits = await select<{ profile_id: string; trait: string; value: string }>(ch,
        `SELECT profile_id, trait, value FROM ${database}.profile_traits_current ORDER BY profile_id, trait`);
      const viewTotals = new Map((await select<{ profile_id: string; events: string }>(ch,
        `SELECT profile_id, toString(events) AS events FROM ${database}.profile_activity_totals`)).map((r) => [r.profile_id, Number(r.events)]));
      const mismatches: string[] = [];
      let withTraits = 0;
      for (const p of profiles) {
        const want = viewTraits.filter((t) => t.profile_id === p.profile_id).map((t) => `${t.trait}=${t.value}`).join('|');
        const got = (await select<{ trait: string; value: string }>(ch, traits(database, p.ids, [], null, 200))).map((t) => `${t.trait}=${t.value}`).join('|');
        if (got !== want) mismatches.push(`${p.profile_id} traits ${got} ≠ ${want}`);
        if (want !== '') withTraits += 1;
        const events = viewTotals.get(p.profile_id) ?? 0;
        const [totals] = await select<{ events: string }>(ch, activityTotals(database, p.ids));
        if (Number(totals!.events) !== events) mismatches.push(`${p.profile_id} events ${totals!.events} ≠ ${events}`);
        const byDay = await select<{ events: string }>(ch, activityByDay(database, p.ids, { start: Date.now() - 30 * DAY, end: Date.now() + DAY }, 1000));
        if (byDay.reduce((n, d) => n + Number(d.events), 0) !== events) mismatches.push(`${p.profile_id} events by day ≠ ${events}`);
      }
      return { mismatches, withTraits };
    };
    const r = await eventually(compare, (x) => x.mismatches.length === 0, 'the claim-first reads to agree with the views', 60_000).catch(compare);
    expect(r.mismatches).toEqual([]);
    expect(r.withTraits).toBeGreaterThan(5);
  });

  it('pages events and draws the overview series without an engine error', async () => {
    const p = profiles[0]!;
    const range = { start: Date.now() - 30 * DAY, end: Date.now() + DAY };
    const events = await select<{ message_id: string }>(ch, eventsPage(database, { profileId: p.profile_id, range, sort: 'desc', limit: 5, after: null, include: [], exclude: ['page'] }));
    expect(events.length).toBeGreaterThan(0);
    for (const d of ['channel', 'deviceType', 'region'] as const) expect((await select(ch, eventsBy(database, d, range, 'day', 20_000))).length).toBeGreaterThan(0);
    await select(ch, identityChanges(database, range, 'day', 20_000));
    await select(ch, refusals(database, range, 'day', 20_000));
    expect(await select(ch, linkingEvents(database, [events[0]!.message_id], range))).toHaveLength(1);
    expect(chdb.failures).toEqual([]);
  });
});
