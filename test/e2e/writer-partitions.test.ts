// Exactly once when every batch is split into one insert per month (events is partitioned by month): a crash between
// two partition inserts of one batch must neither lose nor duplicate a row. Real Kafka, registry and ClickHouse.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Touchpoint } from '../../services/contract/touchpoint.ts';
import { metric } from '../../services/demo/processes.ts';
import { defaultIdentityConfig } from '../../services/identity/index.ts';
import { BatchBuffer } from '../../services/warehouse-writer/buffer.ts';
import { touchpointRows } from '../../services/warehouse-writer/event-rows.ts';
import { ClickHouseSink } from '../../services/warehouse-writer/sink.ts';
import { touchpoint } from '../support/builders.ts';
import { LinkPublisher } from '../support/link-records.ts';
import { committed, endOffsets, eventually, one, startWriter } from '../support/published.ts';
import { kill9, serviceHarness, type ServiceHarness } from '../support/services.ts';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';
import { readTopic } from '../support/topics.ts';

/** n touchpoints whose event times cycle through `months` months of 2025, so that every batch spans several months. */
function overMonths(prefix: string, n: number, months: number): Touchpoint[] {
  return Array.from({ length: n }, (_, i) => touchpoint({
    messageId: `${prefix}-${i}`, anonymousId: `${prefix}-c-${i % 97}`, timestamp: Date.UTC(2025, i % months, 1 + (i % 27), 12), properties: { revenue: 1 },
  }));
}

const counts = (s: IsolatedStack, prefix: string) => one<{ n: string; distinct: string; months: string; activity: string }>(s.ch, `SELECT
  count() AS n, uniqExact(message_id) AS distinct, uniqExact(toYYYYMM(event_time)) AS months,
  (SELECT toString(sum(e)) FROM (SELECT countMerge(events) AS e FROM ${s.database}.profile_activity WHERE claim_key IN
    (SELECT claim_key FROM ${s.database}.events WHERE message_id LIKE '${prefix}-%'))) AS activity
  FROM ${s.database}.events WHERE message_id LIKE '${prefix}-%'`);

const drained = async (s: IsolatedStack, groupId: string) => {
  const end = await endOffsets(s.kafka, s.topics.touchpoints);
  await eventually(() => committed(s.kafka, groupId, s.topics.touchpoints), (c) => [...end].every(([p, o]) => c.get(p) === o), 'the writer to drain', 180_000);
};

describe('warehouse writer: exactly once across table partitions', () => {
  let s: IsolatedStack;
  let link: LinkPublisher;
  let services: ServiceHarness;
  beforeAll(async () => {
    s = await isolatedStack('writerparts', { partitions: 3 });
    link = new LinkPublisher(s.kafka, s.codec, s.topics);
    await link.connect();
    services = serviceHarness(s);
  });
  afterAll(async () => {
    await services?.stopAll();
    await link?.disconnect();
    await s?.close();
  });

  it('a crash after the first month\'s insert of a batch: the restarted writer writes exactly the other months', async () => {
    const n = 600;
    const tps = overMonths('cr', n, 3);
    await link.touchpoints(tps);
    // Build the batch a writer would flush for these records, and play its first insert only (January, every source
    // partition): then the process "dies", nothing committed.
    const records = await readTopic<Touchpoint>(s.kafka, s.codec, s.topics.touchpoints, 'touchpoint', (r) => r.length >= n);
    const buffer = new BatchBuffer();
    for (const r of records.sort((a, b) => a.partition - b.partition || Number(BigInt(a.offset) - BigInt(b.offset)))) {
      const m = touchpointRows(r.value!, defaultIdentityConfig, { topic: s.topics.touchpoints, partition: r.partition, offset: r.offset });
      if (!m.ok) throw new Error(m.reason);
      buffer.addRows(m.rows);
    }
    const batch = buffer.take();
    expect(batch.inserts.map((i) => `${i.table}/${i.partition}`)).toEqual(['events/202501', 'events/202502', 'events/202503']);
    const first = batch.inserts[0]!;
    await new ClickHouseSink(s.ch, s.database).insert(first.table, first.rows, `crash-${s.id}`);
    expect(await counts(s, 'cr')).toMatchObject({ n: String(n / 3), months: '1' });

    const groupId = `${s.prefix}after-crash`;
    const w = await startWriter({ kafka: s.kafka, codec: s.codec, ch: s.ch, database: s.database, topics: s.topics, groupId, batchRows: 250 });
    try {
      await drained(s, groupId);
      expect(await counts(s, 'cr')).toEqual({ n: String(n), distinct: String(n), months: '3', activity: String(n) });
      const byTable = async (c: typeof w.metrics.rowsSkipped) => (await c.get()).values.find((v) => v.labels.table === 'events')?.value;
      expect([await byTable(w.metrics.rowsSkipped), await byTable(w.metrics.rowsWritten)]).toEqual([n / 3, (2 * n) / 3]);
    } finally {
      await w.stop();
    }
  });

  it('kill -9 mid-stream with every batch spanning months, then a restart re-reading everything: each event once', async () => {
    const groupId = `${s.prefix}killed`;
    const n = 12_000;
    const tps = overMonths('k9', n, 12);
    const env = { TESSERA_WRITER_GROUP: groupId, TESSERA_WRITER_BATCH_ROWS: '500', TESSERA_WRITER_FLUSH_MS: '100', TESSERA_LOG_LEVEL: 'warn' };
    // A backlog the writer works through in batches of several months each; the kill lands while it does, and more
    // input arrives before the restart.
    await link.touchpoints(tps.slice(0, 8_000));
    const first = await services.start('warehouse-writer', env);
    await eventually(() => counts(s, 'k9'), (c) => Number(c.n) >= 2_000, 'the writer to be part-way', 120_000);
    await kill9(first);
    await link.touchpoints(tps.slice(8_000));
    // Forget every commit: the restarted writer re-reads rows already in ClickHouse and must skip them by the
    // per-month watermarks alone, whichever month inserts of the batch in flight had landed when it died.
    const admin = s.kafka.admin();
    await admin.connect();
    await eventually(async () => (await admin.describeGroups([groupId])).groups[0]?.state, (st) => st === 'Empty', 'the killed member to leave the group');
    await admin.resetOffsets({ groupId, topic: s.topics.touchpoints, earliest: true });
    await admin.disconnect();
    const beforeRestart = await counts(s, 'k9');
    expect(beforeRestart.n).toBe(beforeRestart.distinct);

    const second = await services.start('warehouse-writer', env);
    await drained(s, groupId);
    expect(await counts(s, 'k9')).toEqual({ n: String(n), distinct: String(n), months: '12', activity: String(n) });
    const skipped = await metric(second.port, 'tessera_writer_rows_skipped_total', { table: 'events' });
    const written = await metric(second.port, 'tessera_writer_rows_written_total', { table: 'events' });
    // Everything on the topic was read again: the crash test's 600 events are in ClickHouse too.
    expect(skipped).toBe(Number(beforeRestart.n) + 600);
    expect(skipped + written).toBe(n + 600);
  });
});
