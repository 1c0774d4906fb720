// Builders for the records the graph owner publishes (profiles, merges), helpers to produce them and to run the
// warehouse writer in tests, and waits on what ClickHouse and Kafka hold.
import { isDeepStrictEqual } from 'node:util';
import type { Kafka, Message } from 'kafkajs';
import type { Registry } from 'prom-client';
import type { ClickHouseClient } from '../../services/kit/clickhouse.ts';
import { select } from '../../services/kit/clickhouse.ts';
import { idempotentProducer } from '../../services/kit/kafka.ts';
import { createLogger } from '../../services/kit/log.ts';
import { migrate } from '../../services/kit/migrate.ts';
import type { IdentityChangeRecord, LinkedIdentifierRecord, ProfileRecord } from '../../services/kit/records.ts';
import { SCHEMAS } from '../../services/kit/records.ts';
import type { AvroCodec } from '../../services/kit/registry.ts';
import type { Topics } from '../../services/kit/topics.ts';
import { writerMetrics, type WriterMetrics } from '../../services/warehouse-writer/metrics.ts';
import { defaultIdentityConfig } from '../../services/identity/index.ts';
import { ClickHouseSink } from '../../services/warehouse-writer/sink.ts';
import { writerStage } from '../../services/warehouse-writer/stage.ts';
import { Ops, type Readiness } from '../../services/kit/ops.ts';
import { StageRunner } from '../../services/kit/stage/runner.ts';

export const linked = (type: string, value: string, eventTime: number, messageId = `m-${type}-${value}`): LinkedIdentifierRecord => ({ type, value, messageId, eventTime });

export function activeProfile(profileId: string, version: number, identifiers: LinkedIdentifierRecord[]): ProfileRecord {
  const times = identifiers.map((i) => i.eventTime);
  return { profileId, state: 'active', mergedInto: null, identifiers, firstSeen: Math.min(...times), lastSeen: Math.max(...times), version };
}

export function mergedProfile(profileId: string, into: string, version: number): ProfileRecord {
  return { profileId, state: 'merged', mergedInto: into, identifiers: [], firstSeen: 0, lastSeen: 0, version };
}

export function change(o: Partial<IdentityChangeRecord> & Pick<IdentityChangeRecord, 'kind' | 'version'>): IdentityChangeRecord {
  return { fromProfileId: null, intoProfileId: null, identifier: null, messageId: 'm-change', eventTime: Date.UTC(2026, 0, 2), ...o };
}

/** Registers the two input schemas and produces records in the Confluent wire format. */
export class Publisher {
  private ids: { profile: number; change: number } | null = null;
  private readonly producer;

  constructor(private readonly kafka: Kafka, private readonly codec: AvroCodec, private readonly topics: Topics) {
    this.producer = idempotentProducer(kafka);
  }

  async connect(): Promise<void> {
    this.ids = {
      profile: await this.codec.register(SCHEMAS.profile, `${this.topics.profiles}-value`),
      change: await this.codec.register(SCHEMAS.identityChange, `${this.topics.merges}-value`),
    };
    await this.producer.connect();
  }

  async profiles(records: (ProfileRecord | { tombstone: string; version: number })[]): Promise<void> {
    const messages: Message[] = records.map((r) => ('tombstone' in r
      ? { key: r.tombstone, value: null, headers: { version: String(r.version) } }
      : { key: r.profileId, value: this.codec.encode(SCHEMAS.profile, this.ids!.profile, r), headers: { version: String(r.version) } }));
    await this.producer.send({ topic: this.topics.profiles, messages });
  }

  async changes(records: IdentityChangeRecord[]): Promise<void> {
    await this.producer.send({
      topic: this.topics.merges,
      messages: records.map((r) => ({ key: r.fromProfileId ?? '', value: this.codec.encode(SCHEMAS.identityChange, this.ids!.change, r) })),
    });
  }

  async raw(topic: string, value: Buffer): Promise<void> {
    await this.producer.send({ topic, messages: [{ key: 'raw', value }] });
  }

  async disconnect(): Promise<void> {
    await this.producer.disconnect();
  }
}

export interface RunningWriter { runner: StageRunner<unknown, unknown, unknown>; metrics: WriterMetrics; registry: Registry; readonly ready: Readiness; stop(): Promise<void> }

/** Starts the warehouse writer stage in this process; `ch` may be a client through a proxy (an outage to cut). */
export async function startWriter(opts: {
  kafka: Kafka; codec: AvroCodec; ch: ClickHouseClient; database: string; topics: Topics; groupId: string;
  batchRows?: number; flushMs?: number; sessionTimeoutMs?: number; stopTimeoutMs?: number;
}): Promise<RunningWriter> {
  const ops = new Ops('warehouse-writer');
  const metrics = writerMetrics(ops.metrics);
  const log = createLogger('warehouse-writer', process.env.TESSERA_TEST_LOG ?? 'warn');
  const batchRows = opts.batchRows ?? 20_000;
  const runner = new StageRunner(writerStage({
    kafka: opts.kafka, codec: opts.codec, sink: new ClickHouseSink(opts.ch, opts.database), topics: opts.topics,
    identity: defaultIdentityConfig,
    batchRows, flushMs: opts.flushMs ?? 200, metrics, log,
    prepare: () => migrate(opts.ch, opts.database),
  }), {
    kafka: opts.kafka, codec: opts.codec, log, ops, groupId: opts.groupId,
    chunkMax: Math.min(2_000, batchRows), sessionTimeoutMs: opts.sessionTimeoutMs ?? 30_000,
    ...(opts.stopTimeoutMs ? { stopTimeoutMs: opts.stopTimeoutMs } : {}),
  });
  await runner.start();
  return {
    runner: runner as StageRunner<unknown, unknown, unknown>, metrics, registry: ops.metrics,
    get ready() { return ops.ready; },
    stop: () => runner.stop(),
  };
}

/** Polls `read` until `done` holds (behaviour, not timing: the deadline only bounds a broken run). */
export async function eventually<T>(read: () => Promise<T>, done: (v: T) => boolean, what: string, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  let lastErr: unknown;
  while (Date.now() < deadline) {
    try {
      last = await read();
      if (done(last)) return last;
    } catch (err) {
      lastErr = err;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}; last value ${JSON.stringify(last)}${lastErr ? `, last error ${String(lastErr)}` : ''}`);
}

/** Polls until `read` returns exactly `expected` (the writer fills tables one insert at a time); returns the last value. */
export async function eventuallyEqual<T>(read: () => Promise<T>, expected: T, what: string, timeoutMs = 90_000): Promise<T> {
  try {
    return await eventually(read, (v) => isDeepStrictEqual(v, expected), what, timeoutMs);
  } catch {
    return read(); // let the caller's toEqual show the difference
  }
}

export async function one<T>(ch: ClickHouseClient, sql: string): Promise<T> {
  const rows = await select<T>(ch, sql);
  if (rows.length !== 1) throw new Error(`expected one row from ${sql}, got ${rows.length}`);
  return rows[0]!;
}

/** Committed offsets of a group per topic partition (-1 when nothing is committed). */
export async function committed(kafka: Kafka, groupId: string, topic: string): Promise<Map<number, bigint>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [t] = await admin.fetchOffsets({ groupId, topics: [topic] });
    return new Map((t?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]));
  } finally {
    await admin.disconnect();
  }
}

/** End offsets (the next offset to be written) per partition. */
export async function endOffsets(kafka: Kafka, topic: string): Promise<Map<number, bigint>> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, BigInt(p.high)]));
  } finally {
    await admin.disconnect();
  }
}
