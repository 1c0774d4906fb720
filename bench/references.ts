// Reference figures on the same machine and topic: Kafka's own ConsumerPerformance (the read limit), and
// ClickHouse's Kafka table engine ingesting the same touchpoints as raw JSON (what an analyst might do instead).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Kafka } from 'kafkajs';
import type { ClickHouseClient } from '../services/kit/clickhouse.ts';
import { select } from '../services/kit/clickhouse.ts';
import { idempotentProducer } from '../services/kit/kafka.ts';
import { ident, str } from '../services/kit/sql.ts';
import type { Touchpoint } from '../services/contract/touchpoint.ts';

const run = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export const kafkaHome = () => process.env.KAFKA_HOME ?? `${process.env.TESSERA_HOME ?? `${process.env.HOME}/.cache/tessera`}/kafka-${process.env.KAFKA_VERSION ?? '4.1.1'}`;

export interface ConsumerPerfResult { messages: number; seconds: number; recordsPerSecond: number; fetchRecordsPerSecond: number; mbPerSecond: number; rebalanceMs: number }

/** Runs org.apache.kafka.tools.ConsumerPerformance over `messages` records of `topic` from the beginning. */
export async function consumerPerformance(brokers: string, topic: string, messages: number, group: string): Promise<ConsumerPerfResult> {
  const { stdout } = await run('java', ['-Xmx512m', '-cp', `${kafkaHome()}/libs/*`, 'org.apache.kafka.tools.ConsumerPerformance',
    '--bootstrap-server', brokers, '--topic', topic, '--messages', String(messages), '--group', group, '--timeout', '30000'], { maxBuffer: 1 << 20 });
  return parseConsumerPerf(stdout);
}

/**
 * Parses ConsumerPerformance's CSV: start.time, end.time, data.consumed.in.MB, MB.sec, data.consumed.in.nMsg,
 * nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec.
 */
export function parseConsumerPerf(stdout: string): ConsumerPerfResult {
  const lines = stdout.trim().split('\n').filter((l) => /^\d{4}-\d\d-\d\d/.test(l.trim()));
  const last = lines.at(-1);
  if (!last) throw new Error(`ConsumerPerformance printed no result line:\n${stdout}`);
  const f = last.split(',').map((s) => s.trim());
  const n = (i: number) => Number(f[i]);
  const fetchMs = n(7);
  return { messages: n(4), seconds: (n(6) + fetchMs) / 1000, recordsPerSecond: n(5), fetchRecordsPerSecond: n(9), mbPerSecond: n(3), rebalanceMs: n(6) };
}

/** A touchpoint as one flat JSON row: scalars as they are, nested values as JSON strings, null as ''. */
export function flatJson(t: Touchpoint): string {
  const s = (v: string | null) => v ?? '';
  return JSON.stringify({
    messageId: t.messageId, type: t.type, event: s(t.event), name: s(t.name), userId: s(t.userId), anonymousId: s(t.anonymousId),
    previousId: s(t.previousId), groupId: s(t.groupId), timestamp: t.timestamp, source: t.source,
    context: t.context ? JSON.stringify(t.context) : '', traits: JSON.stringify(t.traits), properties: JSON.stringify(t.properties),
    externalIds: JSON.stringify(t.externalIds),
  });
}

const COLUMNS = `messageId String, type String, event String, name String, userId String, anonymousId String, previousId String,
  groupId String, timestamp UInt64, source String, context String, traits String, properties String, externalIds String`;

export interface KafkaEngineResult { rows: number; produceSeconds: number; seconds: number; rowsPerSecond: number; timeline: { t: number; rows: number }[] }

/**
 * Produces the touchpoints as JSON to `topic`, read by a Kafka engine table with a materialized view into a
 * MergeTree, and times first produce → all rows in the MergeTree. The engine reads only messages produced after it
 * joins (18.16), so a sentinel row proves it is reading before the clock starts.
 */
export async function kafkaEngineIngest(o: {
  kafka: Kafka; ch: ClickHouseClient; database: string; topic: string; brokers: string; group: string; touchpoints: readonly Touchpoint[]; timeoutMs?: number;
}): Promise<KafkaEngineResult> {
  const db = ident(o.database);
  const admin = o.kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: o.topic, numPartitions: 6, replicationFactor: 1 }], waitForLeaders: true });
  await admin.disconnect();
  await o.ch.command({ query: `CREATE TABLE ${db}.raw_queue (${COLUMNS}) ENGINE = Kafka(${str(o.brokers)}, ${str(o.topic)}, ${str(o.group)}, 'JSONEachRow')` });
  await o.ch.command({ query: `CREATE TABLE ${db}.raw_events (${COLUMNS}) ENGINE = MergeTree ORDER BY messageId` });
  await o.ch.command({ query: `CREATE MATERIALIZED VIEW ${db}.raw_mv TO ${db}.raw_events AS SELECT * FROM ${db}.raw_queue` });
  const count = async () => Number((await select<{ n: string }>(o.ch, `SELECT count() AS n FROM ${db}.raw_events`))[0]?.n ?? 0);
  const producer = idempotentProducer(o.kafka);
  await producer.connect();
  try {
    const sentinel: Touchpoint = { ...o.touchpoints[0]!, messageId: 'bench-sentinel' };
    const deadline = Date.now() + (o.timeoutMs ?? 120_000);
    // Offer a sentinel until the engine has joined and written it. Not more often than every 20 s: 18.16 writes a
    // block only when it is full or when no message came for stream_flush_interval_ms (7.5 s), so a trickle starves it.
    for (let lastSent = 0; (await count()) === 0; await sleep(500)) {
      if (Date.now() > deadline) throw new Error('the ClickHouse Kafka engine read nothing within the time limit');
      if (Date.now() - lastSent < 20_000) continue;
      await producer.send({ topic: o.topic, messages: [{ value: flatJson(sentinel) }], acks: -1 });
      lastSent = Date.now();
    }
    const base = await count();
    const started = Date.now();
    const timeline: { t: number; rows: number }[] = [{ t: 0, rows: 0 }];
    const produced = (async () => {
      const inFlight: Promise<unknown>[] = [];
      for (let i = 0; i < o.touchpoints.length; i += 2000) {
        const messages = o.touchpoints.slice(i, i + 2000).map((t) => ({ key: t.anonymousId ?? t.userId ?? t.messageId, value: flatJson(t) }));
        inFlight.push(producer.send({ topic: o.topic, messages, acks: -1 }));
        if (inFlight.length >= 4) await inFlight.shift();
      }
      await Promise.all(inFlight);
      return (Date.now() - started) / 1000;
    })();
    let rows = 0;
    while (rows < o.touchpoints.length) {
      if (Date.now() > deadline + 300_000) throw new Error(`the ClickHouse Kafka engine ingested ${rows} of ${o.touchpoints.length} rows within the time limit`);
      await sleep(200);
      rows = (await count()) - base;
      timeline.push({ t: (Date.now() - started) / 1000, rows });
    }
    const seconds = (Date.now() - started) / 1000;
    return { rows, produceSeconds: await produced, seconds, rowsPerSecond: rows / seconds, timeline };
  } finally {
    await producer.disconnect();
    // Stop the engine's consumer before anything else is dropped.
    await o.ch.command({ query: `DROP TABLE IF EXISTS ${db}.raw_mv` }).catch(() => undefined);
    await o.ch.command({ query: `DROP TABLE IF EXISTS ${db}.raw_queue` }).catch(() => undefined);
    await o.ch.command({ query: `DROP TABLE IF EXISTS ${db}.raw_events` }).catch(() => undefined);
  }
}
