// Segments on the real servers: definitions compiled to SQL select the expected profiles from what the pipeline wrote;
// refused definitions list every problem; refresh publishes and stores changes, is idempotent, and follows merges.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { select } from '../../services/kit/clickhouse.ts';
import { createLogger } from '../../services/kit/log.ts';
import { compileContext, segmentSql } from '../../services/segments/compile.ts';
import { parseDefinitions, type Definitions } from '../../services/segments/definition.ts';
import type { MembershipRecord } from '../../services/segments/membership.ts';
import { membershipPublisher, membershipTopic, type KeyedPublisher } from '../../services/segments/publish.ts';
import { refreshSegments, type RefreshResult } from '../../services/segments/refresh.ts';
import { SegmentStore } from '../../services/segments/store.ts';
import { checkDefinitions } from '../../services/segments/validate.ts';
import { touchpoint } from '../support/builders.ts';
import { eventually } from '../support/published.ts';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';
import { latestByKey, readTopic } from '../support/topics.ts';
import { asOf, buyers, cases, day, people, population, where } from './segments-cases.ts';
import { startPipeline, type Pipeline } from './segments-pipeline.ts';

let s: IsolatedStack;
let pipeline: Pipeline;
let store: SegmentStore;
const who = new Map<string, string>(); // profile id → name

beforeAll(async () => {
  s = await isolatedStack('segments');
  pipeline = await startPipeline(s);
  await pipeline.feed(population);
  for (const [name, type, value] of people) {
    who.set(await pipeline.profileOf(type, value), name);
  }
  store = new SegmentStore(s.ch, s.database);
});
afterAll(async () => { await pipeline?.stop(); await s?.close(); });

function definitions(segments: unknown[], extra: Record<string, unknown> = {}): Definitions {
  const parsed = parseDefinitions(JSON.stringify({ ...extra, segments }));
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.problems));
  return parsed.definitions;
}


describe('the compiler on ClickHouse: definition → members', () => {
  it.each(cases)('%s', async (_title, condition, expected) => {
    const d = definitions([buyers, { id: 'x', where: condition }]);
    const checked = checkDefinitions(d, await store.catalog());
    expect(checked.ok ? [] : checked.problems).toEqual([]);
    const members = await store.members(segmentSql('x', compileContext(s.database, asOf, d)));
    expect([...members].map((p) => who.get(p) ?? p).sort()).toEqual(expected);
  });

  it('an analyst\'s SQL segment, intersected with the active profiles', async () => {
    const d = definitions([{ id: 'x', sql: 'SELECT DISTINCT current_profile_id AS profile_id FROM {db}.events_current WHERE revenue > 400' }]);
    const members = await store.members(segmentSql('x', compileContext(s.database, asOf, d)));
    expect([...members].map((p) => who.get(p))).toEqual(['bob']);
  });

  it('the RFM family puts every purchaser in exactly one R × F cell', async () => {
    const d = definitions([], { rfm: { purchase_events: ['Order Completed'], within: '365d' } });
    const ctx = compileContext(s.database, asOf, d);
    const cells = new Map<string, string[]>();
    for (const id of [...ctx.segments.keys()].filter((i) => i !== 'rfm-big-spenders')) {
      for (const p of await store.members(segmentSql(id, ctx))) cells.set(who.get(p)!, [...(cells.get(who.get(p)!) ?? []), id]);
    }
    expect([...cells.keys()].sort()).toEqual(['alice', 'bob', 'dave']);
    expect([...cells.values()].every((ids) => ids.length === 1)).toBe(true);
  });
});

describe('refresh', () => {
  let publisher: KeyedPublisher<MembershipRecord>;
  const log = createLogger('segments-test', 'warn');
  let clock = day(10);
  const refresh = (d: Definitions, opts: { only?: string[] } = {}): Promise<RefreshResult> =>
    refreshSegments({ store, publisher, database: s.database, log, now: () => clock }, d, { asOf, ...opts });
  const topic = () => membershipTopic(s.prefix);
  const members = async (segment: string) => (await select<{ profile_id: string }>(s.ch,
    `SELECT profile_id FROM ${s.database}.segment_members WHERE segment_id = '${segment}' ORDER BY profile_id`)).map((r) => who.get(r.profile_id) ?? r.profile_id).sort();

  beforeAll(async () => {
    publisher = membershipPublisher(s.kafka, s.codec, s.prefix, { partitions: 3, replicationFactor: 1 });
    await publisher.connect();
  });
  afterAll(async () => { await publisher?.disconnect(); });

  it('refuses definitions that do not parse or name unknown fields, listing every problem, and changes nothing', async () => {
    const bad = parseDefinitions(`
segments:
  - id: Bad Id
    where: { trait: plan, eq: pro }
  - id: typo
    where:
      all:
        - { trait: plan, equals: pro }
        - { events: { evnt: Order Completed }, count: { gte: 1 } }
        - { aggregate: revenu, gt: 1 }
  - id: both
    where: { trait: plan, eq: pro }
    sql: SELECT 1`);
    expect(bad.ok).toBe(false);
    if (bad.ok) return;
    expect(bad.problems.map((p) => p.path)).toEqual([
      'segments[0].id',
      'segments[1] (typo).where.all[0]',
      'segments[1] (typo).where.all[1].events.evnt',
      'segments[1] (typo).where.all[2].aggregate',
      'segments[2] (both)',
    ]);
    expect(bad.problems[1]!.message).toContain('Unrecognized key: "equals"');

    const unknownNames = definitions([
      { id: 'a', where: { all: [{ trait: 'plna', eq: 'pro' }, { events: { event: 'Order Complete' }, count: { gte: 1 } }, { segment: 'nope' }] } },
      { id: 'b', where: { events: { event: 'Product Viewed' }, distinct: { of: 'product', gte: 1 } } },
      { id: 'c', where: { segment: 'd' } },
      { id: 'd', where: { segment: 'c' } },
      { id: 'e', sql: 'SELECT no_such_column AS profile_id FROM {db}.profiles' },
    ]);
    const r = await refresh(unknownNames);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => `${p.path}: ${p.message.split(';')[0]}`)).toEqual([
      'segments[0] (a).where.all[0].trait: unknown trait "plna"',
      'segments[0] (a).where.all[1].events.event: unknown event "Order Complete"',
      'segments[0] (a).where.all[2].segment: unknown segment "nope"',
      'segments[1] (b).where.distinct.of: unknown property "product"',
      'segments[2] (c): segments reference each other in a cycle: c → d → c',
      expect.stringMatching(/^segments\[4\] \(e\)\.sql: ClickHouse refuses it: .*no_such_column/),
    ]);
    expect(r.problems[0]!.message).toContain('did you mean "plan"');
    expect(await select(s.ch, `SELECT * FROM ${s.database}.segment_refreshes`)).toEqual([]);
  });

  it('publishes entries to the compacted topic keyed by profile, stores membership, and a second refresh changes nothing', async () => {
    const d = definitions([buyers, { id: 'pro', where: { trait: 'plan', in: ['pro', 'team'] } }]);
    const first = await refresh(d);
    expect(first.ok && first.segments).toEqual([
      { id: 'buyers', members: 3, entered: 3, exited: 0 },
      { id: 'pro', members: 2, entered: 2, exited: 0 },
    ]);
    expect(await members('buyers')).toEqual(['alice', 'bob', 'dave']);
    const records = latestByKey(await readTopic<MembershipRecord>(s.kafka, s.codec, topic(), 'segment-membership', (rs) => rs.length >= 3));
    expect(new Map([...records].map(([k, v]) => [who.get(k), v!.segments.map((x) => x.segmentId)]))).toEqual(new Map([
      ['alice', ['buyers', 'pro']], ['bob', ['buyers']], ['dave', ['buyers', 'pro']],
    ]));
    expect(records.get([...who].find(([, n]) => n === 'alice')![0])!.changes).toEqual([
      { segmentId: 'buyers', change: 'entered', at: clock, reason: 'rule' }, { segmentId: 'pro', change: 'entered', at: clock, reason: 'rule' },
    ]);

    clock += 60_000;
    const second = await refresh(d);
    expect(second.ok && second.segments.map((x) => [x.entered, x.exited])).toEqual([[0, 0], [0, 0]]);
    expect(second.ok && second.records).toBe(0);
    expect(await select(s.ch, `SELECT count() AS n FROM ${s.database}.segment_changes`)).toEqual([{ n: '5' }]);
    // Nothing more on the topic: three records, all from the first refresh (one transaction, read committed).
    const all = await readTopic<MembershipRecord>(s.kafka, s.codec, topic(), 'segment-membership', (rs) => rs.length >= 3);
    expect(all.map((x) => x.value!.refreshedAt)).toEqual([first.ok && first.at, first.ok && first.at, first.ok && first.at]);
  });

  it('follows a merge: the merged-away profile leaves, the survivor is evaluated with the history it absorbed', async () => {
    // Frank's account (older) and an anonymous cookie that viewed products three times, then the cookie logs in.
    await pipeline.feed([
      touchpoint({ messageId: 'f-1', type: 'identify', event: null, userId: 'frank', traits: { plan: 'free' }, timestamp: day(1), ...where('DE', 'desktop') }),
      ...[2, 3, 4].map((d) => touchpoint({ messageId: `f-v${d}`, anonymousId: 'c-frank', event: 'Product Viewed', properties: { product_id: `p${d}` }, timestamp: day(d), ...where('DE', 'desktop') })),
    ]);
    const frank = await pipeline.profileOf('user_id', 'frank');
    const cookie = await pipeline.profileOf('anonymous_id', 'c-frank');
    expect(cookie).not.toBe(frank);
    who.set(frank, 'frank');
    who.set(cookie, 'frank-cookie');
    const d = definitions([buyers, { id: 'pro', where: { trait: 'plan', in: ['pro', 'team'] } }, { id: 'viewers', where: { events: { event: 'Product Viewed' }, count: { gte: 3 } } }]);
    clock += 60_000;
    const before = await refresh(d, { only: ['viewers'] });
    expect(before.ok && before.segments).toEqual([{ id: 'viewers', members: 2, entered: 2, exited: 0 }]);
    expect(await members('viewers')).toEqual(['alice', 'frank-cookie']);

    await pipeline.feed([touchpoint({ messageId: 'f-login', type: 'identify', event: null, userId: 'frank', anonymousId: 'c-frank', timestamp: day(5), ...where('DE', 'desktop') })]);
    await eventually(() => pipeline.profileOf('anonymous_id', 'c-frank'), (p) => p === frank, 'the cookie to belong to Frank');
    // The merged-away profile's own record (state merged) travels on its own partition of the profile topic.
    await eventually(async () => (await select<{ state: string }>(s.ch, `SELECT state FROM ${s.database}.profiles FINAL WHERE profile_id = '${cookie}'`))[0]?.state, (x) => x === 'merged', 'the cookie profile to be merged away');
    clock += 60_000;
    const after = await refresh(d);
    expect(after.ok && after.segments.find((x) => x.id === 'viewers')).toEqual({ id: 'viewers', members: 2, entered: 1, exited: 1 });
    expect(await members('viewers')).toEqual(['alice', 'frank']);
    const changes = await select(s.ch, `SELECT profile_id, change, reason FROM ${s.database}.segment_changes WHERE segment_id = 'viewers' AND at_ms = ${after.ok && after.at} ORDER BY change`);
    expect(changes).toEqual([{ profile_id: frank, change: 'entered', reason: 'rule' }, { profile_id: cookie, change: 'exited', reason: 'merged' }]);
    // Both records of the refresh, which may sit on different partitions.
    const ofRefresh = (rs: { key: string | null; value: MembershipRecord | null }[], key: string) => rs.some((x) => x.key === key && x.value?.refreshedAt === (after.ok && after.at));
    const records = latestByKey(await readTopic<MembershipRecord>(s.kafka, s.codec, topic(), 'segment-membership', (rs) => ofRefresh(rs, frank) && ofRefresh(rs, cookie)));
    expect(records.get(cookie)).toEqual({ profileId: cookie, segments: [], changes: [{ segmentId: 'viewers', change: 'exited', at: after.ok && after.at, reason: 'merged' }], mergedInto: frank, refreshedAt: after.ok && after.at });
    expect(records.get(frank)!.segments.map((x) => x.segmentId)).toEqual(['viewers']);
  });

  it('retires a segment whose definition was removed: its members leave', async () => {
    clock += 60_000;
    const r = await refresh(definitions([buyers, { id: 'viewers', where: { events: { event: 'Product Viewed' }, count: { gte: 3 } } }]));
    expect(r.ok && r.retired).toEqual(['pro']);
    expect(await members('pro')).toEqual([]);
    expect(await select(s.ch, `SELECT DISTINCT reason FROM ${s.database}.segment_changes WHERE segment_id = 'pro' AND change = 'exited'`)).toEqual([{ reason: 'retired' }]);
  });
});
