// The warehouse writer against the real Kafka, registry and ClickHouse: profiles, aliases and the DLQ, and exactly once
// (redelivery, rebalance, kill -9, ClickHouse outages). writer-claims.test.ts covers events and their attribution.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClickHouse, select, type ClickHouseClient } from '../../services/kit/clickhouse.ts';
import { touchpoint } from '../support/builders.ts';
import { identifierOf, LinkPublisher } from '../support/link-records.ts';
import {
  activeProfile, change, committed, endOffsets, eventually, eventuallyEqual, linked, mergedProfile, one, Publisher, startWriter,
  type RunningWriter,
} from '../support/published.ts';
import { tcpProxy } from '../support/proxy.ts';
import { isolatedStack, type IsolatedStack } from '../support/stack.ts';
import { TABLES } from '../../services/warehouse-writer/tables.ts';
import { ClickHouseSink } from '../../services/warehouse-writer/sink.ts';
import { Watermarks } from '../../services/warehouse-writer/watermarks.ts';

const T0 = Date.UTC(2026, 0, 1);

describe('warehouse writer: the ClickHouse model', () => {
  let s: IsolatedStack;
  let pub: Publisher;
  let link: LinkPublisher;
  let w: RunningWriter;
  const db = () => s.database;

  beforeAll(async () => {
    s = await isolatedStack('writer');
    pub = new Publisher(s.kafka, s.codec, s.topics);
    await pub.connect();
    link = new LinkPublisher(s.kafka, s.codec, s.topics);
    await link.connect();
    w = await startWriter({ kafka: s.kafka, codec: s.codec, ch: s.ch, database: s.database, topics: s.topics, groupId: `${s.prefix}writer` });
  });
  afterAll(async () => {
    await w?.stop();
    await pub?.disconnect();
    await link?.disconnect();
    await s?.close();
  });

  it('keeps the latest profile and identifier by version (FINAL), deletes on a tombstone, and erases an identifier', async () => {
    await pub.profiles([
      activeProfile('P-x', 10, [linked('email', 'x@y.org', T0), linked('anonymous_id', 'cx', T0 + 1)]),
      activeProfile('P-x', 12, [linked('email', 'x@y.org', T0), linked('anonymous_id', 'cx', T0 + 1), linked('phone', '+4930123', T0 + 5)]),
      activeProfile('P-gone', 13, [linked('anonymous_id', 'cg', T0)]),
      { tombstone: 'P-gone', version: 14 },
    ]);
    await link.identifiers([
      identifierOf('email', 'x@y.org', 'P-x', 10), identifierOf('anonymous_id', 'cx', 'P-x', 10), identifierOf('phone', '+4930123', 'P-x', 12),
      identifierOf('anonymous_id', 'cg', 'P-gone', 13),
    ]);
    // An erasure: the link stage moves the identifier to nobody, logs the move and says so on identity.identifiers.
    await pub.changes([change({ kind: 'move', fromProfileId: 'P-x', identifier: { type: 'phone', value: '+4930123' }, messageId: 'm-erase', version: 15 })]);
    await link.identifiers([{ ...identifierOf('phone', '+4930123', null, 15), messageId: 'm-erase' }]);
    const expectedProfiles = [
      { profile_id: 'P-gone', state: 'deleted', identifier_count: 0, version: '14' },
      { profile_id: 'P-x', state: 'active', identifier_count: 3, version: '12' },
    ];
    expect(await eventuallyEqual(() => select<{ profile_id: string; state: string; identifier_count: number; version: string }>(s.ch,
      `SELECT profile_id, state, identifier_count, version FROM ${db()}.profiles FINAL WHERE profile_id IN ('P-x', 'P-gone') ORDER BY profile_id`),
    expectedProfiles, 'profiles')).toEqual(expectedProfiles);
    const expectedIds = [
      { id_type: 'anonymous_id', id_value: 'cx', profile_id: 'P-x', message_id: 'm-anonymous_id-cx' },
      { id_type: 'email', id_value: 'x@y.org', profile_id: 'P-x', message_id: 'm-email-x@y.org' },
      { id_type: 'phone', id_value: '+4930123', profile_id: '', message_id: 'm-erase' },
    ];
    expect(await eventuallyEqual(() => select<{ id_type: string; id_value: string; profile_id: string; message_id: string }>(s.ch,
      `SELECT id_type, id_value, profile_id, message_id FROM ${db()}.identities FINAL WHERE id_value IN ('x@y.org', 'cx', '+4930123') ORDER BY id_type`),
    expectedIds, 'the erasure')).toEqual(expectedIds);
    // identity_changes and identities come from different topics, each flushed on its own: wait for the log too.
    const expectedLog = [{ kind: 'move', id_value: '+4930123', into_profile: '' }];
    expect(await eventuallyEqual(() => select<{ kind: string; id_value: string; into_profile: string }>(s.ch,
      `SELECT kind, id_value, into_profile FROM ${db()}.identity_changes WHERE message_id = 'm-erase'`), expectedLog, 'the move in the log')).toEqual(expectedLog);

  });

  it('maps merged-away profiles to the current one in one hop after a chain A→B→C', async () => {
    const a = linked('anonymous_id', 'chain-a', T0 + 3);
    const b = linked('email', 'chain-b@x.org', T0 + 2);
    const c = linked('user_id', 'chain-c', T0 + 1);
    await pub.profiles([activeProfile('P-A', 20, [a]), activeProfile('P-B', 21, [b]), activeProfile('P-C', 22, [c])]);
    await link.identifiers([identifierOf('anonymous_id', 'chain-a', 'P-A', 20), identifierOf('email', 'chain-b@x.org', 'P-B', 21), identifierOf('user_id', 'chain-c', 'P-C', 22)]);
    await pub.changes([change({ kind: 'merge', fromProfileId: 'P-A', intoProfileId: 'P-B', version: 23 })]);
    await pub.profiles([mergedProfile('P-A', 'P-B', 23), activeProfile('P-B', 24, [b, a])]);
    await link.identifiers([identifierOf('anonymous_id', 'chain-a', 'P-B', 24)]);
    const hop1 = await eventually(() => select<{ alias_id: string; profile_id: string }>(s.ch,
      `SELECT alias_id, profile_id FROM ${db()}.profile_aliases WHERE alias_id LIKE 'P-%' ORDER BY alias_id`), (r) => r.length === 1, 'A → B');
    expect(hop1).toEqual([{ alias_id: 'P-A', profile_id: 'P-B' }]);

    await pub.changes([change({ kind: 'merge', fromProfileId: 'P-B', intoProfileId: 'P-C', version: 25 })]);
    await pub.profiles([mergedProfile('P-B', 'P-C', 25), activeProfile('P-C', 26, [c, b, a])]);
    await link.identifiers([identifierOf('anonymous_id', 'chain-a', 'P-C', 26), identifierOf('email', 'chain-b@x.org', 'P-C', 26)]);
    const aliases = await eventually(() => select<{ alias_id: string; profile_id: string; anchor_value: string }>(s.ch,
      `SELECT alias_id, profile_id, anchor_value FROM ${db()}.profile_aliases WHERE alias_id LIKE 'P-%' ORDER BY alias_id`),
    (r) => r.length === 2 && r.every((x) => x.profile_id === 'P-C'), 'A and B → C');
    expect(aliases).toEqual([
      { alias_id: 'P-A', profile_id: 'P-C', anchor_value: 'chain-a' },
      { alias_id: 'P-B', profile_id: 'P-C', anchor_value: 'chain-b@x.org' },
    ]);
    const [p] = await select<{ state: string; merged_into: string }>(s.ch, `SELECT state, merged_into FROM ${db()}.profiles FINAL WHERE profile_id = 'P-A'`);
    expect(p).toEqual({ state: 'merged', merged_into: 'P-B' });
  });

  it('keeps each partition\'s watermark when ReplacingMergeTree collapses the row that carried it', async () => {
    // The same identifier written from partition 0 (offset 900) and later, with a higher version, from partition 1.
    const base = { id_type: 'email', id_value: 'wm@x.org', message_id: 'm', linked_at: 0, src_topic: 'wm-topic' };
    await s.ch.insert({ table: `${db()}.identities`, format: 'JSONEachRow', values: [{ ...base, profile_id: 'P-old', version: 1, src_partition: 0, src_offset: 900 }] });
    await s.ch.insert({ table: `${db()}.identities`, format: 'JSONEachRow', values: [{ ...base, profile_id: 'P-new', version: 2, src_partition: 1, src_offset: 5 }] });
    // OPTIMIZE … FINAL silently does nothing while a background merge holds some of the table's parts (the earlier
    // tests' inserts): repeat it until the two rows have collapsed.
    const left = await eventually(async () => {
      await s.ch.command({ query: `OPTIMIZE TABLE ${db()}.identities FINAL` });
      return (await select<{ n: string }>(s.ch, `SELECT count() AS n FROM ${db()}.identities WHERE src_topic = 'wm-topic'`))[0]?.n;
    }, (n) => n === '1', 'the two rows to collapse');
    expect(left).toBe('1'); // partition 0's row is gone from the table…
    const marks = new Watermarks();
    marks.load(await new ClickHouseSink(s.ch, db()).watermarks(['wm-topic']), TABLES);
    expect(marks.get('identities', 'wm-topic', 0)).toBe(900n); // …but not from the writer's offsets
    expect(marks.get('identities', 'wm-topic', 1)).toBe(5n);
  });

  it('sends an undecodable record to the DLQ and keeps going', async () => {
    // On the profiles topic: a bad touchpoint is the extract stage's to dead-letter (writer-claims.test.ts). The next
    // record has the garbage's key, so it follows it on the same partition.
    await pub.raw(s.topics.profiles, Buffer.from('not avro at all'));
    await pub.profiles([activeProfile('raw', 50, [linked('email', 'after@garbage.org', T0)])]);
    await eventually(() => select(s.ch, `SELECT 1 FROM ${db()}.profiles WHERE profile_id = 'raw'`), (r) => r.length === 1, 'the next record');
    // Counted when the chunk that held it commits, which may be just after the next record's row is visible.
    const dlq = await eventually(() => w.registry.getSingleMetricAsString('tessera_writer_dlq_total'), (m) => m.includes('code="TSR_DLQ_WIRE_FORMAT"'), 'the DLQ count');
    expect(dlq).toMatch(/tessera_writer_dlq_total\{code="TSR_DLQ_WIRE_FORMAT"[^}]*\} 1$/m);
    const consumer = s.kafka.consumer({ groupId: `${s.prefix}dlq-reader` });
    await consumer.connect();
    await consumer.subscribe({ topics: [s.topics.dlq], fromBeginning: true });
    const dead = await new Promise<{ code: string; sourceTopic: string; value: Buffer | null }>((resolve, reject) => {
      void consumer.run({ eachMessage: async ({ message }) => {
        const d = await s.codec.decode<{ code: string; sourceTopic: string; value: Buffer | null }>('dead-letter', message.value);
        if (d.ok) resolve(d.value); else reject(new Error(d.reason));
      } });
    });
    await consumer.disconnect();
    expect(dead.code).toBe('TSR_DLQ_WIRE_FORMAT');
    expect(dead.sourceTopic).toBe(s.topics.profiles);
    expect(dead.value?.toString()).toBe('not avro at all');
  });
});

describe('warehouse writer: exactly-once', () => {
  let s: IsolatedStack;
  let pub: Publisher;
  let link: LinkPublisher;
  beforeAll(async () => {
    s = await isolatedStack('writereo');
    pub = new Publisher(s.kafka, s.codec, s.topics);
    await pub.connect();
    link = new LinkPublisher(s.kafka, s.codec, s.topics);
    await link.connect();
  });
  afterAll(async () => {
    await pub?.disconnect();
    await link?.disconnect();
    await s?.close();
  });

  it('a redelivered input (offsets reset to the beginning) adds no row, even without FINAL', async () => {
    const groupId = `${s.prefix}redeliver`;
    const n = 3_000;
    await link.touchpoints(Array.from({ length: n }, (_, i) => touchpoint({ messageId: `re-${i}`, anonymousId: `c-${i % 97}` })));
    await pub.profiles(Array.from({ length: 50 }, (_, i) => activeProfile(`P-${i}`, 100 + i, [linked('anonymous_id', `c-${i}`, T0 + i)])));
    await link.identifiers(Array.from({ length: 50 }, (_, i) => identifierOf('anonymous_id', `c-${i}`, `P-${i}`, 100 + i)));
    const counts = () => one<{ events: string; profiles: string; identities: string; activity: string }>(s.ch, `SELECT
      (SELECT count() FROM ${s.database}.events) AS events, (SELECT count() FROM ${s.database}.profiles) AS profiles,
      (SELECT count() FROM ${s.database}.identities) AS identities, (SELECT sum(e) FROM (SELECT countMerge(events) AS e FROM ${s.database}.profile_activity)) AS activity`);
    const expected = { events: String(n), profiles: '50', identities: '50', activity: String(n) };

    let w = await startWriter({ kafka: s.kafka, codec: s.codec, ch: s.ch, database: s.database, topics: s.topics, groupId, batchRows: 1_000 });
    // A flush writes the tables one after the other: wait for all of them.
    expect(await eventually(counts, (c) => JSON.stringify(c) === JSON.stringify(expected), 'first delivery')).toEqual(expected);
    await w.stop();

    // Forget the committed offsets: the whole input is delivered again.
    const admin = s.kafka.admin();
    await admin.connect();
    for (const topic of [s.topics.touchpoints, s.topics.profiles, s.topics.identifiers]) await admin.resetOffsets({ groupId, topic, earliest: true });
    await admin.disconnect();
    expect([...(await committed(s.kafka, groupId, s.topics.touchpoints)).values()].every((o) => o <= 0n)).toBe(true);

    w = await startWriter({ kafka: s.kafka, codec: s.codec, ch: s.ch, database: s.database, topics: s.topics, groupId, batchRows: 1_000 });
    const end = await endOffsets(s.kafka, s.topics.touchpoints);
    await eventually(() => committed(s.kafka, groupId, s.topics.touchpoints), (c) => [...end].every(([p, o]) => c.get(p) === o), 'the redelivery to be consumed');
    const skipped = await w.metrics.rowsSkipped.get();
    await w.stop();
    expect(skipped.values.find((v) => v.labels.table === 'events')?.value).toBe(n);
    expect(await counts()).toEqual(expected);
  });
});

describe('warehouse writer: rebalance', () => {
  let s: IsolatedStack;
  let pub: Publisher;
  let link: LinkPublisher;
  beforeAll(async () => {
    s = await isolatedStack('writerrb');
    pub = new Publisher(s.kafka, s.codec, s.topics);
    await pub.connect();
    link = new LinkPublisher(s.kafka, s.codec, s.topics);
    await link.connect();
  });
  afterAll(async () => {
    await pub?.disconnect();
    await link?.disconnect();
    await s?.close();
  });

  it('a second writer joining and the first leaving mid-stream (rebalances) write every event once', async () => {
    const groupId = `${s.prefix}rebalance`;
    const n = 12_000;
    const all = Array.from({ length: n }, (_, i) => touchpoint({ messageId: `rb-${i}`, anonymousId: `rbc-${i % 101}` }));
    const opts = { kafka: s.kafka, codec: s.codec, ch: s.ch, database: s.database, topics: s.topics, groupId, batchRows: 400, sessionTimeoutMs: 6_000 };
    const rbCounts = () => one<{ n: string; distinct: string }>(s.ch,
      `SELECT count() AS n, uniqExact(message_id) AS distinct FROM ${s.database}.events WHERE message_id LIKE 'rb-%'`);
    await link.touchpoints(all.slice(0, 4_000));
    const a = await startWriter(opts);
    await eventually(rbCounts, (c) => Number(c.n) > 0, 'writer A to write');
    const b = await startWriter(opts);
    await link.touchpoints(all.slice(4_000, 8_000));
    await a.stop();
    await link.touchpoints(all.slice(8_000));
    const end = await endOffsets(s.kafka, s.topics.touchpoints);
    await eventually(() => committed(s.kafka, groupId, s.topics.touchpoints), (c) => [...end].every(([p, o]) => c.get(p) === o), 'writer B to drain');
    await b.stop();
    expect(await rbCounts()).toEqual({ n: String(n), distinct: String(n) });
  });
});

/**
 * Failed inserts so far. A test waiting for the outage it made compares with the count taken before the cut: an
 * insert can also fail before it (a keep-alive socket ClickHouse closed: "socket hang up" under load), and is retried.
 */
const insertRetries = async (w: RunningWriter): Promise<number> => (await w.metrics.insertRetries.get()).values.reduce((a, v) => a + v.value, 0);

/** Committed offset ≤ (highest offset written + 1) on every partition: nothing committed that is not in ClickHouse. */
async function committedWithinWritten(ch: ClickHouseClient, database: string, kafka: IsolatedStack['kafka'], groupId: string, topic: string): Promise<string[]> {
  const written = new Map((await select<{ p: number; next: string }>(ch,
    `SELECT src_partition AS p, toString(max(src_offset) + 1) AS next FROM ${database}.events GROUP BY src_partition`)).map((r) => [r.p, BigInt(r.next)]));
  const problems: string[] = [];
  for (const [p, offset] of await committed(kafka, groupId, topic)) {
    if (offset > (written.get(p) ?? 0n)) problems.push(`partition ${p}: committed ${offset}, written up to ${written.get(p) ?? 'nothing'}`);
  }
  return problems;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address() as { port: number }; srv.close(() => resolve(port)); });
  });
}

describe('warehouse writer: failures', () => {
  let s: IsolatedStack;
  let pub: Publisher;
  let link: LinkPublisher;
  beforeAll(async () => {
    s = await isolatedStack('writerfail');
    pub = new Publisher(s.kafka, s.codec, s.topics);
    await pub.connect();
    link = new LinkPublisher(s.kafka, s.codec, s.topics);
    await link.connect();
  });
  afterAll(async () => {
    await pub?.disconnect();
    await link?.disconnect();
    await s?.close();
  });

  const counts = () => one<{ n: string; distinct: string; activity: string }>(s.ch, `SELECT count() AS n, uniqExact(message_id) AS distinct,
    (SELECT toString(sum(e)) FROM (SELECT countMerge(events) AS e FROM ${s.database}.profile_activity)) AS activity FROM ${s.database}.events`);

  it('kill -9 of the writer process mid-stream, then a restart: every event exactly once, without FINAL', async () => {
    const groupId = `${s.prefix}killed`;
    const n = 24_000;
    const all = Array.from({ length: n }, (_, i) => touchpoint({ messageId: `k-${i}`, anonymousId: `kc-${i % 500}` }));
    const env = {
      ...process.env, ...s.env, TESSERA_WRITER_GROUP: groupId, TESSERA_HTTP_PORT: '0', TESSERA_LOG_LEVEL: 'warn',
      TESSERA_WRITER_BATCH_ROWS: '500', TESSERA_WRITER_FLUSH_MS: '100', TESSERA_WRITER_SESSION_TIMEOUT_MS: '6000',
    };
    const spawnWriter = (extra: Record<string, string> = {}): ChildProcess =>
      spawn(process.execPath, ['--import', 'tsx', 'services/warehouse-writer/main.ts'], { env: { ...env, ...extra }, stdio: ['ignore', 'inherit', 'inherit'] });
    const exited = (p: ChildProcess) => new Promise<{ code: number | null; signal: string | null }>((resolve) => p.once('exit', (code, signal) => resolve({ code, signal })));

    // The input keeps arriving while the writer writes, so the kill lands mid-stream, not after the end.
    await link.touchpoints(all.slice(0, 2_000));
    const first = spawnWriter();
    const firstExit = exited(first);
    await eventually(counts, (c) => Number(c.n) > 0, 'the writer to start writing', 120_000);
    let produced = 2_000;
    let killed = false;
    const producing = (async () => {
      for (; produced < n; produced += 1_000) {
        // At most 4,000 records ahead of the writer, however slow the machine: when it has written 8,000 the input is
        // still arriving (at most 13,000 of 24,000 sent), so the kill lands mid-stream. After the kill, no pacing.
        await eventually(counts, (c) => killed || produced - Number(c.n) <= 4_000, 'the writer to keep up', 120_000);
        await link.touchpoints(all.slice(produced, produced + 1_000));
      }
    })();
    await eventually(counts, (c) => Number(c.n) >= 8_000, 'the writer to be part-way', 120_000);
    killed = true;
    first.kill('SIGKILL');
    const producedAtKill = produced;
    expect((await firstExit).signal).toBe('SIGKILL');
    expect(producedAtKill).toBeLessThan(n);
    const atKill = await counts();
    expect(atKill.n).toBe(atKill.distinct);
    await producing;
    // The worst moment for a kill is between an insert and its commit. Make it certain: forget every commit, so the
    // restarted writer re-reads rows that are already in ClickHouse and must skip them by the watermarks alone.
    const admin = s.kafka.admin();
    await admin.connect();
    // The killed member stays in the group until its session times out.
    await eventually(async () => (await admin.describeGroups([groupId])).groups[0]?.state, (st) => st === 'Empty', 'the killed member to leave the group');
    await admin.resetOffsets({ groupId, topic: s.topics.touchpoints, earliest: true });
    await admin.disconnect();
    const beforeRestart = await counts(); // an insert the killed process had fully sent may have landed after the kill

    const port = await freePort();
    const second = spawnWriter({ TESSERA_HTTP_PORT: String(port) });
    const secondExit = exited(second);
    const end = await endOffsets(s.kafka, s.topics.touchpoints);
    await eventually(() => committed(s.kafka, groupId, s.topics.touchpoints), (c) => [...end].every(([p, o]) => c.get(p) === o), 'the restarted writer to drain', 120_000);
    expect(await counts()).toEqual({ n: String(n), distinct: String(n), activity: String(n) });
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect([ready.status, ((await ready.json()) as { status: string }).status]).toEqual([200, 'ready']);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const skipped = Number(/tessera_writer_rows_skipped_total\{table="events"[^}]*\} (\d+)/.exec(metrics)?.[1]);
    const written = Number(/tessera_writer_rows_written_total\{table="events"[^}]*\} (\d+)/.exec(metrics)?.[1]);
    expect(skipped).toBe(Number(beforeRestart.n)); // what the killed writer had written is skipped, not written again
    expect(skipped + written).toBe(n);
    second.kill('SIGTERM');
    expect(await secondExit).toEqual({ code: 0, signal: null });
  });

  it('a stop while ClickHouse is unreachable gives up the buffer without committing it', async () => {
    const groupId = `${s.prefix}stopdown`;
    const proxy = await tcpProxy(new URL(s.env.TESSERA_CLICKHOUSE_URL!));
    const viaProxy = createClickHouse({ url: proxy.url, user: 'default', password: '' });
    try {
      const w = await startWriter({ kafka: s.kafka, codec: s.codec, ch: viaProxy, database: s.database, topics: s.topics, groupId, stopTimeoutMs: 1_000 });
      // Everything already on the topics is in ClickHouse (earlier tests): this group skips it and commits.
      const end = await endOffsets(s.kafka, s.topics.touchpoints);
      await eventually(() => committed(s.kafka, groupId, s.topics.touchpoints), (c) => [...end].every(([p, o]) => c.get(p) === o), 'the group to catch up');
      const retries = await insertRetries(w);
      await proxy.cut();
      await link.touchpoints(Array.from({ length: 200 }, (_, i) => touchpoint({ messageId: `sd-${i}`, anonymousId: `sdc-${i % 7}` })));
      await eventually(() => insertRetries(w), (r) => r > retries, 'a failed insert');
      await w.stop();
      expect(await committed(s.kafka, groupId, s.topics.touchpoints)).toEqual(end);
      const [n] = await select<{ n: string }>(s.ch, `SELECT count() AS n FROM ${s.database}.events WHERE message_id LIKE 'sd-%'`);
      expect(n?.n).toBe('0');
    } finally {
      await viaProxy.close();
      await proxy.close();
    }
  });

  it('a stop while ClickHouse hangs (connections open, nothing answers) gives up the write in flight without committing it', async () => {
    const groupId = `${s.prefix}stophung`;
    const proxy = await tcpProxy(new URL(s.env.TESSERA_CLICKHOUSE_URL!));
    const viaProxy = createClickHouse({ url: proxy.url, user: 'default', password: '' });
    try {
      const w = await startWriter({ kafka: s.kafka, codec: s.codec, ch: viaProxy, database: s.database, topics: s.topics, groupId, stopTimeoutMs: 1_000 });
      // Input on every partition first (300 keys: none left empty), so that the group has a committed offset everywhere.
      await link.touchpoints(Array.from({ length: 300 }, (_, i) => touchpoint({ messageId: `before-hang-${i}`, anonymousId: `bh-c-${i}` })));
      const end = await endOffsets(s.kafka, s.topics.touchpoints);
      await eventually(() => committed(s.kafka, groupId, s.topics.touchpoints), (c) => [...end].every(([p, o]) => c.get(p) === o), 'the group to catch up');
      await proxy.hang();
      await link.touchpoints(Array.from({ length: 200 }, (_, i) => touchpoint({ messageId: `sh-${i}`, anonymousId: `sh-c-${i % 7}` })));
      // The insert never gets an answer: the runner stays committing with the rows held.
      await eventually(async () => [w.runner.machine.state, (await w.metrics.bufferedRows.get()).values[0]?.value ?? 0] as const,
        ([state, held]) => state === 'committing' && held > 0, 'a write hanging on ClickHouse');
      // Without giving up at its stop timeout, the stop would wait for the client's 60 s request timeout and beyond.
      await w.stop();
      expect(w.runner.machine.state).toBe('stopped');
      expect(await committed(s.kafka, groupId, s.topics.touchpoints)).toEqual(end);
      const [n] = await select<{ n: string }>(s.ch, `SELECT count() AS n FROM ${s.database}.events WHERE message_id LIKE 'sh-%'`);
      expect(n?.n).toBe('0');
    } finally {
      await viaProxy.close();
      await proxy.close();
    }
  });

  it('ClickHouse unreachable: pauses, retries, commits nothing it has not written, and loses nothing', async () => {
    const groupId = `${s.prefix}outage`;
    // The kill -9 test left its events on the topic: the new group reads them too, since the table and its
    // watermarks are emptied here. Both before the writer starts: it reads the watermarks when it joins the group,
    // inside startWriter, and a TRUNCATE racing that read left the old ones in force (24,000 events skipped).
    await s.ch.command({ query: `TRUNCATE TABLE ${s.database}.events` });
    await s.ch.command({ query: `TRUNCATE TABLE ${s.database}.writer_watermarks` });
    const proxy = await tcpProxy(new URL(s.env.TESSERA_CLICKHOUSE_URL!));
    const viaProxy = createClickHouse({ url: proxy.url, user: 'default', password: '' });
    const w = await startWriter({ kafka: s.kafka, codec: s.codec, ch: viaProxy, database: s.database, topics: s.topics, groupId, batchRows: 500 });
    try {
      const ev = (prefix: string, count: number) => Array.from({ length: count }, (_, i) => touchpoint({ messageId: `${prefix}-${i}`, anonymousId: `${prefix}-c-${i % 13}` }));
      const before = [...(await endOffsets(s.kafka, s.topics.touchpoints)).values()].reduce((a, b) => a + b, 0n);
      await link.touchpoints(ev('up', 1_000));
      const total1 = Number(before) + 1_000;
      await eventually(counts, (c) => Number(c.n) === total1, 'the first events');

      const retries = await insertRetries(w);
      await proxy.cut();
      await link.touchpoints(ev('down', 3_000));
      await eventually(() => insertRetries(w), (r) => r > retries, 'a failed insert after the cut');
      expect(w.ready.ready).toBe(false);
      await eventually(async () => (await w.metrics.paused.get()).values[0]?.value, (v) => v === 1, 'the input to be held while the insert fails');
      expect(await committedWithinWritten(s.ch, s.database, s.kafka, groupId, s.topics.touchpoints)).toEqual([]);
      expect((await counts()).n).toBe(String(total1));

      await proxy.restore();
      const total = total1 + 3_000;
      const end = await endOffsets(s.kafka, s.topics.touchpoints);
      await eventually(() => committed(s.kafka, groupId, s.topics.touchpoints), (c) => [...end].every(([p, o]) => c.get(p) === o), 'the writer to catch up');
      const c = await counts();
      expect([c.n, c.distinct]).toEqual([String(total), String(total)]);
      expect(w.ready.ready).toBe(true);
    } finally {
      await w.stop();
      await viaProxy.close();
      await proxy.close();
    }
  });
});
