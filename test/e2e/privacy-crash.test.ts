// kill -9 of the privacy service in the middle of an erasure (its ClickHouse mutations submitted, the request not
// done): after the restart the erasure completes, the answer reaches the waiting command, and the counts are those the
// first attempt found.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { ServiceProcess } from '../../services/demo/processes.ts';
import { produceTouchpoints } from '../../services/loadgen/produce.ts';
import { context, touchpoint } from '../support/builders.ts';
import { tablesHolding, tesseraCli } from '../support/privacy.ts';
import { eventually, one } from '../support/published.ts';
import { kill9, serviceHarness, type ServiceHarness } from '../support/services.ts';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';

let s: IsolatedStack;
let services: ServiceHarness;
beforeAll(async () => {
  s = await isolatedStack('privacycrash', { partitions: 3 });
  services = serviceHarness(s);
});
afterAll(async () => {
  await services?.stopAll();
  await s?.close();
});

const t0 = Date.UTC(2026, 3, 1);
const events = [
  touchpoint({ messageId: 'k1', type: 'identify', event: null, timestamp: t0, userId: 'u-kim-42', anonymousId: 'anon-kim-42', context: context({ traits: { email: 'kim.crash@shop.example' } }) }),
  touchpoint({ messageId: 'k2', timestamp: t0 + 1000, userId: 'u-kim-42', event: 'Order Completed', properties: { revenue: 12 } }),
  touchpoint({ messageId: 'k3', timestamp: t0 + 2000, userId: 'u-lee-42', anonymousId: 'anon-lee-42', event: 'Page Viewed' }),
];
const logOf = (p: ServiceProcess) => readFileSync(p.logFile, 'utf8');

describe('privacy service crash safety', () => {
  it('kill -9 after the mutations were submitted: the restarted service completes the erasure', async () => {
    await services.start('extract');
    await services.start('link', { TESSERA_LINK_LINGER_MS: '20' });
    await services.start('warehouse-writer', { TESSERA_WRITER_EVENTS: 'touchpoints', TESSERA_WRITER_FLUSH_MS: '100' });
    let privacy = await services.start('privacy', { TESSERA_PRIVACY_PAUSE_AFTER_MUTATIONS: '1' });
    await produceTouchpoints({ kafka: s.kafka, codec: s.codec, topic: s.topics.touchpoints, touchpoints: events, total: events.length });
    await eventually(() => one<{ n: string }>(s.ch, `SELECT count() AS n FROM ${s.database}.identities FINAL WHERE id_value = 'u-kim-42'`), (r) => r.n === '1', 'Kim linked in ClickHouse');

    const forget = tesseraCli(s, ['forget', 'user_id:u-kim-42', '--request-id', 'erase-kim', '--timeout', '300']);
    await eventually(async () => logOf(privacy), (log) => log.includes('paused after submitting the mutations'), 'the privacy service to stop mid-erasure');
    const pending = await one<{ outcome: string; final: number }>(s.ch, `SELECT outcome, final FROM ${s.database}.privacy_audit FINAL WHERE request_id = 'erase-kim' AND step = 'warehouse'`);
    expect(pending).toEqual({ outcome: 'pending', final: 0 });
    await kill9(privacy);

    privacy = await services.start('privacy', {}, 'privacy-restarted');
    const run = await forget;
    expect(run.json).toMatchObject({ requestId: 'erase-kim', outcome: 'erased' });
    // The first attempt's counts: the restart found the rows already gone, and reports what the erasure removed.
    expect(run.json!.counts).toMatchObject({ events_deleted: 1, events_rewritten: 1 });
    expect(logOf(privacy)).toContain('resuming an interrupted erasure');
    expect(await tablesHolding(s.ch, s.database, 'u-kim-42')).toEqual([]);
    expect(await one<{ n: string }>(s.ch, `SELECT count() AS n FROM ${s.database}.events FINAL`)).toEqual({ n: '2' });
    expect(await one<{ outcome: string; final: number }>(s.ch, `SELECT outcome, final FROM ${s.database}.privacy_audit FINAL WHERE request_id = 'erase-kim' AND step = 'warehouse'`)).toEqual({ outcome: 'erased', final: 1 });
  }, 300_000);
});
