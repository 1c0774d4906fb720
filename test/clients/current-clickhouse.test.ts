// A current ClickHouse release (chDB's engine) runs Tessera's warehouse: the migrations, every analyst-guide query,
// and the rows the real warehouse writer inserts in its own format, through unmodified Tessera code.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, stopService, waitReady, type ServiceProcess } from '../../services/demo/processes.ts';
import { createClickHouse, select, type ClickHouseClient } from '../../services/kit/clickhouse.ts';
import { idempotentProducer } from '../../services/kit/kafka.ts';
import { loadMigrations, migrate } from '../../services/kit/migrate.ts';
import { documentedQueries, sampleStatements } from '../../infra/local/documented-sql.ts';
import { pipelineStages, sourceOf } from '../deploy/manifests.ts';
import { touchpoint } from '../support/builders.ts';
import { fastFailover } from '../support/services.ts';
import { freePort, isolatedStack, type IsolatedStack } from '../support/stack.ts';
import { serveChdb, type ChdbServer } from './chdb-http.ts';
import { INSTALL_TIMEOUT_MS, installTools } from './tools.ts';

let chdb: ChdbServer;
let ch: ClickHouseClient;
beforeAll(async () => {
  chdb = await serveChdb(installTools('chdb').chdb!);
  ch = createClickHouse({ url: chdb.url, user: 'default', password: '' });
}, INSTALL_TIMEOUT_MS);
afterAll(async () => { await ch?.close(); await chdb?.close(); });

describe('current ClickHouse through chDB', () => {
  it('is a current release', () => {
    expect(Number(chdb.version.split('.')[0])).toBeGreaterThanOrEqual(25);
  });

  it('applies every migration with the migration runner, and a second run changes nothing', async () => {
    const names = loadMigrations('sample').map((m) => m.name);
    expect(await migrate(ch, 'sample')).toEqual({ applied: names, unchanged: [] });
    expect(await migrate(ch, 'sample')).toEqual({ applied: [], unchanged: names });
  });

  describe('docs/analyst-guide.md on the sample data', () => {
    beforeAll(async () => { for (const st of sampleStatements('sample')) await ch.command({ query: st }); });
    it.each(documentedQueries('sample').map((q, i) => [i, q.title] as const))('query %i returns rows: %s', async (i) => {
      expect((await select(ch, documentedQueries('sample')[i]!.sql)).length).toBeGreaterThan(0);
    });
  });

  describe('the pipeline writing to it', () => {
    let s: IsolatedStack;
    const running: ServiceProcess[] = [];
    const database = 'pipeline';
    beforeAll(async () => {
      s = await isolatedStack('currentch');
      // Every stage of the deployed pipeline (the service list), pointed at the current release.
      const logDir = `${process.env.TESSERA_HOME ?? `${process.env.HOME}/.cache/tessera`}/stack/logs/test-${s.id}`;
      for (const stage of pipelineStages()) {
        running.push(startService(stage.name, sourceOf(stage.entry), {
          ...s.env, ...fastFailover, TESSERA_CLICKHOUSE_URL: chdb.url, TESSERA_CLICKHOUSE_DATABASE: database, TESSERA_LOG_LEVEL: 'info',
        }, logDir, await freePort()));
      }
      for (const p of running) await waitReady(p);
    });
    afterAll(async () => {
      for (const p of running) await stopService(p, 10_000);
      await s?.close();
    });

    it('the writer migrates and inserts its rows in its own format; every statement it sent succeeded', async () => {
      const t0 = Date.UTC(2026, 5, 1, 12);
      const events = [
        touchpoint({ messageId: 'cc-1', anonymousId: 'cookie-cc', event: 'Product Viewed', timestamp: t0, properties: { sku: 'A1' } }),
        touchpoint({ messageId: 'cc-2', userId: 'user-cc', event: 'Order Completed', timestamp: t0 + 60_000, properties: { revenue: 12.5, currency: 'EUR' } }),
        touchpoint({ messageId: 'cc-3', type: 'identify', event: null, anonymousId: 'cookie-cc', userId: 'user-cc', traits: { email: 'cc@acme.io' }, timestamp: t0 + 120_000 }),
        touchpoint({ messageId: 'cc-4', anonymousId: 'cookie-other', event: 'Page Viewed', timestamp: t0 + 180_000 }),
      ];
      const producer = idempotentProducer(s.kafka);
      await producer.connect();
      const id = await s.codec.register('touchpoint', `${s.topics.touchpoints}-value`);
      await producer.send({ topic: s.topics.touchpoints, messages: events.map((e) => ({ key: 'cc', value: s.codec.encode('touchpoint', id, e) })) });
      await producer.disconnect();

      // Events and profiles reach ClickHouse from different topics, each flushed on its own: wait for both.
      const read = async () => ({
        ids: (await select<{ message_id: string }>(ch, `SELECT message_id FROM ${database}.events FINAL ORDER BY message_id`)).map((r) => r.message_id),
        of: new Map((await select<{ id: string; profile_id: string }>(ch, `SELECT concat(id_type, ':', id_value) AS id, profile_id
          FROM ${database}.identities FINAL WHERE profile_id != ''`)).map((r) => [r.id, r.profile_id])),
      });
      let seen = await read();
      for (const deadline = Date.now() + 60_000; Date.now() < deadline && (seen.ids.length < events.length || seen.of.size < 4);) {
        await new Promise((r) => setTimeout(r, 250));
        seen = await read();
      }
      expect(chdb.failures).toEqual([]);
      expect(seen.ids).toEqual(['cc-1', 'cc-2', 'cc-3', 'cc-4']);
      // The cookie, the user id and the email are one person; the other cookie is another.
      const { of } = seen;
      expect(of.get('anonymous_id:cookie-cc')).toBeDefined();
      expect(of.get('user_id:user-cc')).toBe(of.get('anonymous_id:cookie-cc'));
      expect(of.get('email:cc@acme.io')).toBe(of.get('anonymous_id:cookie-cc'));
      expect(of.get('anonymous_id:cookie-other')).not.toBe(of.get('anonymous_id:cookie-cc'));
    });

    it("the analyst guide's queries run without error on the pipeline's own rows", async () => {
      for (const q of documentedQueries(database)) await expect(select(ch, q.sql), q.title).resolves.toBeDefined();
      expect(chdb.failures).toEqual([]);
    });
  });
});
