// The recommender's SQL on a current ClickHouse release (chDB's engine behind the HTTP interface): the same population
// through the real pipeline and the same lists as on 18.16; the regional-pattern views run there too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouse, select, type ClickHouseClient } from '../../services/kit/clickhouse.ts';
import { createLogger } from '../../services/kit/log.ts';
import { recommendationsPublisher } from '../../services/recommend/publish.ts';
import { refreshRecommendations } from '../../services/recommend/refresh.ts';
import { defaultRecommendOptions } from '../../services/recommend/sql.ts';
import { RecommendationStore } from '../../services/recommend/store.ts';
import { refreshThemes } from '../../services/themes/refresh.ts';
import { serveChdb, type ChdbServer } from '../clients/chdb-http.ts';
import { INSTALL_TIMEOUT_MS, installTools } from '../clients/tools.ts';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';
import { asOf, at, population } from './recommend-cases.ts';
import { startPipeline, type Pipeline } from './segments-pipeline.ts';

const database = 'recommend';
let chdb: ChdbServer;
let ch: ClickHouseClient;
let s: IsolatedStack;
let pipeline: Pipeline;

beforeAll(async () => {
  chdb = await serveChdb(installTools('chdb').chdb!);
  ch = createClickHouse({ url: chdb.url, user: 'default', password: '' });
  s = await isolatedStack('reccurrent');
  pipeline = await startPipeline(s, { ch, database });
  await pipeline.feed(population);
}, INSTALL_TIMEOUT_MS);
afterAll(async () => { await pipeline?.stop(); await s?.close(); await ch?.close(); await chdb?.close(); });

describe('regional views on a current ClickHouse release', () => {
  it('themes refresh and the regional views run (the population has no text and no location: empty answers)', async () => {
    expect((await refreshThemes(ch, database, createLogger('test', 'warn'), Date.now)).analysed).toBe(0);
    // No event carries a location either, so every view is empty; what is checked is that the engine accepts them.
    for (const v of ['region_themes_weekly', 'region_themes_rising', 'region_channel_device_mix']) expect(await select(ch, `SELECT * FROM ${database}.${v}`)).toEqual([]);
    expect(chdb.failures).toEqual([]);
  });
});

describe('recommendations on a current ClickHouse release', () => {
  it('computes, publishes and keeps two runs, every statement accepted', async () => {
    const publisher = recommendationsPublisher(s.kafka, s.codec, s.prefix, { partitions: 3, replicationFactor: 1 });
    await publisher.connect();
    try {
      const deps = { store: new RecommendationStore(ch, database), publisher, database, log: createLogger('test', 'warn') };
      const first = await refreshRecommendations({ ...deps, now: () => at(24 * 60) }, defaultRecommendOptions, { asOf });
      expect(first).toMatchObject({ profiles: 7, coldProfiles: 1, items: 5, published: 7 });
      const u5 = await pipeline.profileOf('user_id', 'u5');
      const u7 = await pipeline.profileOf('user_id', 'u7');
      const list = async (p: string) => (await select<{ x: string }>(ch, `SELECT concat(item, ':', source) AS x FROM ${database}.recommendations_latest WHERE profile_id = '${p}' ORDER BY rank`)).map((r) => r.x);
      expect((await list(u5))[0]).toBe('b:similar');
      expect(await list(u7)).toEqual(['a:popular', 'b:popular', 'c:popular', 'd:popular', 'e:popular']);
      await refreshRecommendations({ ...deps, now: () => at(24 * 60 + 1) }, defaultRecommendOptions, { asOf });
      const third = await refreshRecommendations({ ...deps, now: () => at(24 * 60 + 2) }, defaultRecommendOptions, { asOf });
      expect(third.published).toBe(0);
      expect((await select(ch, `SELECT DISTINCT run FROM ${database}.recommendations`)).length).toBe(2);
      expect(chdb.failures).toEqual([]);
    } finally {
      await publisher.disconnect();
    }
  });
});
