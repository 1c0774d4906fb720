// Recommendations on the real servers: implicit feedback written by the pipeline → item similarity and top N in
// ClickHouse → changed lists on the compacted topic; cold profiles get popular items; merges regroup history.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { select } from '../../services/kit/clickhouse.ts';
import type { KeyedPublisher } from '../../services/kit/keyed-publisher.ts';
import { createLogger } from '../../services/kit/log.ts';
import type { RecommendationRecord } from '../../services/recommend/lists.ts';
import { recommendationsPublisher, recommendationsTopic } from '../../services/recommend/publish.ts';
import { refreshRecommendations, type RecRunResult } from '../../services/recommend/refresh.ts';
import { defaultRecommendOptions } from '../../services/recommend/sql.ts';
import { RecommendationStore } from '../../services/recommend/store.ts';
import { touchpoint } from '../support/builders.ts';
import { eventually } from '../support/published.ts';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';
import { latestByKey, readTopic } from '../support/topics.ts';
import { asOf, at, population, view } from './recommend-cases.ts';
import { startPipeline, type Pipeline } from './segments-pipeline.ts';

let s: IsolatedStack;
let pipeline: Pipeline;
let publisher: KeyedPublisher<RecommendationRecord>;
const store = () => new RecommendationStore(s.ch, s.database);
let clock = at(24 * 60);
const refresh = (): Promise<RecRunResult> => refreshRecommendations(
  { store: store(), publisher, database: s.database, log: createLogger('recommend-test', 'warn'), now: () => clock }, defaultRecommendOptions, { asOf });
const listOf = async (profile: string) => (await select<{ item: string; source: string }>(s.ch,
  `SELECT item, source FROM ${s.database}.recommendations_latest WHERE profile_id = '${profile}' ORDER BY rank`)).map((r) => `${r.item}:${r.source}`);
const profile: Record<string, string> = {};

beforeAll(async () => {
  s = await isolatedStack('recommend');
  pipeline = await startPipeline(s);
  await pipeline.feed(population);
  for (const u of ['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7']) profile[u] = await pipeline.profileOf('user_id', u);
  publisher = recommendationsPublisher(s.kafka, s.codec, s.prefix, { partitions: 3, replicationFactor: 1 });
  await publisher.connect();
});
afterAll(async () => { await publisher?.disconnect(); await pipeline?.stop(); await s?.close(); });

describe('recommend refresh', () => {
  let first: RecRunResult;

  it('recommends what people with the same items went on to touch, best first, without what the profile already has', async () => {
    first = await refresh();
    expect(first).toMatchObject({ profiles: 7, coldProfiles: 1, items: 5 });
    // a co-occurs with b (u1, u2, u3), with c (u1), d (u3) and e (u6's order); b is the strongest neighbour.
    expect((await listOf(profile.u5!))[0]).toBe('b:similar');
    expect(await listOf(profile.u5!)).toEqual(expect.arrayContaining(['b:similar', 'c:similar', 'd:similar', 'e:similar']));
    expect((await listOf(profile.u5!)).some((x) => x.startsWith('a:'))).toBe(false);
    // The order's products count as interactions: e is u6's, so never recommended to u6, and a's neighbours are.
    expect(await listOf(profile.u6!)).toEqual(expect.arrayContaining(['b:similar']));
    expect((await listOf(profile.u6!)).some((x) => x.startsWith('e:') || x.startsWith('a:'))).toBe(false);
  });

  it('gives a profile without interactions the popular items, most popular first', async () => {
    expect(await listOf(profile.u7!)).toEqual(['a:popular', 'b:popular', 'c:popular', 'd:popular', 'e:popular']);
  });

  it('keeps item similarity for analysts', async () => {
    const rows = await select<{ neighbour: string; together: number }>(s.ch,
      `SELECT neighbour, together FROM ${s.database}.item_similarity_latest WHERE item = 'a' ORDER BY similarity DESC, neighbour`);
    expect(rows[0]).toEqual({ neighbour: 'b', together: 3 });
  });

  it('publishes every list keyed by profile, and a second run over the same data publishes nothing', async () => {
    const topic = recommendationsTopic(s.prefix);
    const records = latestByKey(await readTopic<RecommendationRecord>(s.kafka, s.codec, topic, 'recommendations', (rs) => rs.length >= 7));
    expect(records.size).toBe(7);
    expect(records.get(profile.u7!)).toEqual({ profileId: profile.u7, items: (await listOf(profile.u7!)).map((x) => expect.objectContaining({ item: x[0], source: 'popular' })), run: first.run, asOf: asOf * 1000 });
    clock += 60_000;
    const second = await refresh();
    expect([second.published, second.tombstones]).toEqual([0, 0]);
    expect(second.run).toBeGreaterThan(first.run);
    expect((await select(s.ch, `SELECT DISTINCT run FROM ${s.database}.recommendations ORDER BY run`)).length).toBe(2);
  });

  it('follows a merge: the merged-away profile gets a tombstone, the survivor a list from the history both had', async () => {
    await pipeline.feed([view('um', 'a'), touchpoint({ messageId: 'cm-1', anonymousId: 'c-m', event: 'Product Viewed', properties: { product_id: 'd' }, timestamp: at(50) })]);
    const user = await pipeline.profileOf('user_id', 'um');
    const cookie = await pipeline.profileOf('anonymous_id', 'c-m');
    clock += 60_000;
    await refresh();
    // Apart, the cookie (which saw d) is offered a, and um (who saw a) is offered d.
    expect(await listOf(cookie)).toContain('a:similar');
    expect(await listOf(user)).toContain('d:similar');

    await pipeline.feed([touchpoint({ messageId: 'login-m', type: 'identify', event: null, userId: 'um', anonymousId: 'c-m', timestamp: at(60) })]);
    await eventually(() => pipeline.profileOf('anonymous_id', 'c-m'), (p) => p === user, 'the cookie to join um');
    // The merged-away profile's own record (state merged) travels on its own partition of the profile topic.
    await eventually(async () => (await select<{ state: string }>(s.ch, `SELECT state FROM ${s.database}.profiles FINAL WHERE profile_id = '${cookie}'`))[0]?.state, (x) => x === 'merged', 'the cookie profile to be merged away');
    clock += 60_000;
    const run = await refresh();
    expect(run.tombstones).toBe(1);
    expect(await listOf(cookie)).toEqual([]);
    const survivor = await listOf(user);
    expect(survivor[0]).toBe('b:similar');
    expect(survivor.some((x) => x.startsWith('a:') || x.startsWith('d:'))).toBe(false);
    const latest = latestByKey(await readTopic<RecommendationRecord>(s.kafka, s.codec, recommendationsTopic(s.prefix), 'recommendations',
      (rs) => rs.some((r) => r.key === cookie && r.value === null) && rs.some((r) => r.key === user && r.value?.run === run.run)));
    expect(latest.get(cookie)).toBeNull();
    expect(latest.get(user)!.items.map((i) => i.item)).toEqual(survivor.map((x) => x.split(':')[0]));
    // Only the two latest runs' partitions are kept.
    expect((await select(s.ch, `SELECT DISTINCT run FROM ${s.database}.recommendations`)).length).toBe(2);
  });
});
