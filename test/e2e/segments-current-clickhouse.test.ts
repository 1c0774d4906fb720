// The segment compiler's SQL on a current ClickHouse release (chDB's engine behind the HTTP interface): the same
// population through the real pipeline, the same cases and expected members as on 18.16, and one refresh.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouse, type ClickHouseClient } from '../../services/kit/clickhouse.ts';
import { createLogger } from '../../services/kit/log.ts';
import { compileContext, segmentSql } from '../../services/segments/compile.ts';
import { parseDefinitions } from '../../services/segments/definition.ts';
import { membershipPublisher } from '../../services/segments/publish.ts';
import { refreshSegments } from '../../services/segments/refresh.ts';
import { SegmentStore } from '../../services/segments/store.ts';
import { serveChdb, type ChdbServer } from '../clients/chdb-http.ts';
import { INSTALL_TIMEOUT_MS, installTools } from '../clients/tools.ts';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';
import { asOf, buyers, cases, day, people, population } from './segments-cases.ts';
import { startPipeline, type Pipeline } from './segments-pipeline.ts';

const database = 'segments';
let chdb: ChdbServer;
let ch: ClickHouseClient;
let s: IsolatedStack;
let pipeline: Pipeline;
let store: SegmentStore;
const who = new Map<string, string>();

beforeAll(async () => {
  chdb = await serveChdb(installTools('chdb').chdb!);
  ch = createClickHouse({ url: chdb.url, user: 'default', password: '' });
  s = await isolatedStack('segcurrent');
  pipeline = await startPipeline(s, { ch, database });
  await pipeline.feed(population);
  for (const [name, type, value] of people) who.set(await pipeline.profileOf(type, value), name);
  store = new SegmentStore(ch, database);
}, INSTALL_TIMEOUT_MS);
afterAll(async () => { await pipeline?.stop(); await s?.close(); await ch?.close(); await chdb?.close(); });

const definitions = (segments: unknown[], extra: object = {}) => {
  const p = parseDefinitions(JSON.stringify({ ...extra, segments }));
  if (!p.ok) throw new Error(JSON.stringify(p.problems));
  return p.definitions;
};

describe('segments on a current ClickHouse release', () => {
  it('is a current release', () => expect(Number(chdb.version.split('.')[0])).toBeGreaterThanOrEqual(25));

  it.each(cases)('%s', async (_title, condition, expected) => {
    const d = definitions([buyers, { id: 'x', where: condition }]);
    const members = await store.members(segmentSql('x', compileContext(database, asOf, d)));
    expect([...members].map((p) => who.get(p) ?? p).sort()).toEqual(expected);
  });

  it('refreshes: the catalog, the RFM family, membership writes and their views', async () => {
    const publisher = membershipPublisher(s.kafka, s.codec, s.prefix, { partitions: 3, replicationFactor: 1 });
    await publisher.connect();
    try {
      const d = definitions([buyers, { id: 'sql', sql: 'SELECT current_profile_id AS profile_id FROM {db}.events_current WHERE revenue > 400' }], { rfm: null });
      const r = await refreshSegments({ store, publisher, database, log: createLogger('test', 'warn'), now: () => day(10) }, d, { asOf });
      expect(r.ok ? r.segments.filter((x) => x.members > 0).map((x) => x.id) : r.problems).toEqual(expect.arrayContaining(['buyers', 'sql']));
      expect(r.ok && r.segments.find((x) => x.id === 'buyers')).toEqual({ id: 'buyers', members: 3, entered: 3, exited: 0 });
      expect([...(await store.membership()).get('sql')!.keys()].map((p) => who.get(p))).toEqual(['bob']);
      expect(chdb.failures.filter((f) => !f.sql.includes('no_such'))).toEqual([]);
    } finally {
      await publisher.disconnect();
    }
  });
});
