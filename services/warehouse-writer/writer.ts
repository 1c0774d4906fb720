// The warehouse writer loop: Kafka batches → per-table rows → one insert per table per flush → commit offsets.
import type { Consumer, EachBatchPayload, Kafka, Producer } from 'kafkajs';
import { backoff, sleep } from '../kit/backoff.ts';
import { describe as describeError } from '../kit/errors.ts';
import { idempotentProducer } from '../kit/kafka.ts';
import type { Logger } from '../kit/log.ts';
import { SCHEMAS, type DeadLetterRecord } from '../kit/records.ts';
import type { AvroCodec } from '../kit/registry.ts';
import type { Topics } from '../kit/topics.ts';
import type { IdentityConfig } from '../identity/index.ts';
import type { SuppressionList } from '../privacy/suppression.ts';
import { BatchBuffer, chunks, type Batch, type Commit } from './buffer.ts';
import { decodeMessage, identitiesFrom, inputTopics, type DecodeContext, type EventSource, type InputKind } from './decode.ts';
import type { WriterMetrics } from './metrics.ts';
import type { Row, TableRows } from './rows.ts';
import { MAX_INSERT_ROWS, type Sink } from './sink.ts';
import { TABLES, type Table } from './tables.ts';
import { Aborted, insertExactlyOnce } from './insert.ts';
import { Watermarks } from './watermarks.ts';

export interface WriterOptions {
  kafka: Kafka;
  codec: AvroCodec;
  sink: Sink;
  topics: Topics;
  /** Where events come from (decode.ts): the touchpoints themselves (default path) or the resolved stream. */
  events: EventSource;
  /** Identity rules for extracting identifiers and claim keys from touchpoints: the extract stage's. */
  identity: IdentityConfig;
  groupId: string;
  batchRows: number;
  flushMs: number;
  maxBufferedRows: number;
  log: Logger;
  metrics: WriterMetrics;
  setReady(ready: boolean, reason: string): void;
  /** Brings the ClickHouse model up to date (idempotent); retried until it succeeds. */
  migrate(): Promise<unknown>;
  /** Erased identifiers, kept current by the caller (services/privacy/follow.ts); none when absent. */
  suppression?: SuppressionList;
  /** How long a stop keeps retrying a failing final flush before giving up (the rows are read again later). */
  stopTimeoutMs?: number;
  /** Kafka consumer session timeout: how soon the group notices a writer that died. */
  sessionTimeoutMs?: number;
  /** Longest a fetch waits for data; also bounds how long a stop or a resume waits for the fetch in flight. */
  fetchWaitMs?: number;
}

/**
 * Exactly-once into ClickHouse without Kafka's help (docs/architecture.md, exactly once): every row carries its source offset, a flush
 * writes each table in one atomic insert, records at or below a table's watermark are skipped for that table,
 * and offsets are committed to Kafka only after ClickHouse acknowledged.
 */
export class WarehouseWriter {
  private readonly o: WriterOptions;
  private readonly kinds: Record<string, InputKind>;
  private readonly decodeContext: DecodeContext;
  private readonly log: Logger;
  private readonly buffer = new BatchBuffer();
  private readonly marks = new Watermarks();
  private consumer: Consumer | null = null;
  private producer: Producer | null = null;
  private dlqSchemaId = 0;
  /** Flushes and watermark loads run one after the other, never interleaved. */
  private chain: Promise<void> = Promise.resolve();
  private flushQueued = false;
  private inFlightRows = 0;
  private generation = 0;
  private marksGeneration = -1;
  private assigned = false;
  private paused = false;
  private stopping = false;
  private abort = new AbortController();
  private batchInProgress: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(options: WriterOptions) {
    this.o = options;
    this.kinds = inputTopics(options.topics, options.events);
    this.decodeContext = { codec: options.codec, identity: options.identity, identitiesFrom: identitiesFrom(options.events), ...(options.suppression ? { suppression: options.suppression } : {}) };
    this.log = options.log;
  }

  async start(): Promise<void> {
    const o = this.o;
    o.setReady(false, 'migrating ClickHouse');
    await this.untilDone('migrate ClickHouse', () => o.migrate());
    this.dlqSchemaId = await this.untilDone('register the dead-letter schema', () => o.codec.register(SCHEMAS.deadLetter, `${o.topics.dlq}-value`));
    this.producer = idempotentProducer(o.kafka);
    await this.producer.connect();
    const consumer = o.kafka.consumer({ groupId: o.groupId, allowAutoTopicCreation: false, maxBytesPerPartition: 4 * 1024 * 1024,
      sessionTimeout: o.sessionTimeoutMs ?? 30_000,
      // A short long-poll: a stop (which waits for the fetch in flight) and a resume take at most this long.
      maxWaitTimeInMs: o.fetchWaitMs ?? 1_000 });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (e) => this.onJoin(e.payload.memberAssignment));
    consumer.on(consumer.events.CRASH, (e) => this.log.error({ err: e.payload.error, restart: e.payload.restart }, 'consumer crashed'));
    o.setReady(false, 'joining the consumer group');
    await consumer.connect();
    await consumer.subscribe({ topics: Object.keys(this.kinds), fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      eachBatch: (p) => {
        const run = this.onBatch(p);
        this.batchInProgress = run.catch(() => undefined);
        return run;
      },
    });
    this.timer = setInterval(() => this.tick(), Math.max(20, Math.min(250, Math.floor(o.flushMs / 2))));
    this.log.info({ groupId: o.groupId, events: o.events, topics: Object.keys(this.kinds) }, 'warehouse writer started');
  }

  /** Graceful stop: no more fetching, write and commit what is buffered, leave the group, disconnect. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.log.info({ buffered: this.buffer.rows + this.inFlightRows }, 'stopping: writing and committing what is buffered');
    if (this.timer) clearInterval(this.timer);
    const consumer = this.consumer;
    if (consumer) {
      // Armed first: a batch in progress may itself be waiting behind a flush that ClickHouse keeps failing.
      const giveUp = setTimeout(() => this.abort.abort(), this.o.stopTimeoutMs ?? 15_000);
      consumer.pause(Object.keys(this.kinds).map((topic) => ({ topic })));
      await this.batchInProgress;
      this.requestFlush('shutdown');
      await this.chain;
      clearTimeout(giveUp);
      this.log.info('buffer written; leaving the consumer group');
      await consumer.disconnect();
    }
    await this.producer?.disconnect();
    this.o.setReady(false, 'stopped');
    this.log.info('warehouse writer stopped');
  }

  private onJoin(assignment: Record<string, number[]>): void {
    // kafkajs re-reads every assigned partition from its committed offset after a rebalance: drop what was buffered.
    this.generation += 1;
    this.abort.abort();
    this.abort = new AbortController();
    this.buffer.clear();
    this.updateBuffered();
    this.assigned = true;
    this.log.info({ generation: this.generation, assignment }, 'partitions assigned');
    if (this.paused) this.setPaused(false);
    // Load the watermarks now (after any flush still running), so readiness reflects ClickHouse.
    void this.ensureMarks().catch(() => undefined);
  }

  private async onBatch({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const gen = this.generation;
    const { topic, partition } = batch;
    const kind = this.kinds[topic];
    if (!kind || batch.messages.length === 0) return;
    await this.whileHeartbeating(this.ensureMarks(), heartbeat);
    for (const m of batch.messages) {
      if (!isRunning() || isStale() || gen !== this.generation || this.stopping) return;
      const at = { topic, partition, offset: m.offset };
      const outcome = await decodeMessage(this.decodeContext, kind, m, at);
      this.o.metrics.records.inc({ topic });
      let rows: TableRows = {};
      if (outcome.ok) {
        rows = this.notYetWritten(outcome.rows);
      } else if ('skipped' in outcome) {
        this.o.metrics.skippedTouchpoints.inc({ code: outcome.code });
        this.log.debug({ topic, partition, offset: m.offset, code: outcome.code, reason: outcome.reason }, 'touchpoint not written (the extract stage dead-letters it)');
      } else {
        await this.deadLetter(topic, partition, m.offset, m.key, m.value, outcome.code, outcome.reason);
      }
      if (gen !== this.generation) return;
      this.buffer.add(topic, partition, m.offset, rows, Date.now());
      resolveOffset(m.offset);
    }
    const last = batch.lastOffset();
    this.o.metrics.lag.set({ topic, partition: String(partition) }, Math.max(0, Number(BigInt(batch.highWatermark) - BigInt(last) - 1n)));
    this.updateBuffered();
    if (this.buffer.rows >= this.o.batchRows) this.requestFlush('size');
    if (this.buffer.rows + this.inFlightRows >= this.o.maxBufferedRows) this.setPaused(true);
    await heartbeat();
  }

  /** The rows of one record not in ClickHouse yet, by the watermark of each row's own table partition. */
  private notYetWritten(rows: TableRows): TableRows {
    const out: TableRows = {};
    for (const [table, list] of Object.entries(rows) as [Table, Row[]][]) {
      const held = (r: Row) => this.marks.holds(table, r);
      const left = list.some(held) ? list.filter((r) => !held(r)) : list;
      if (left.length < list.length) this.o.metrics.rowsSkipped.inc({ table }, list.length - left.length);
      if (left.length > 0) out[table] = left;
    }
    return out;
  }

  private tick(): void {
    const since = this.buffer.pendingSince;
    if (since !== null && Date.now() - since >= this.o.flushMs) this.requestFlush('time');
  }

  private requestFlush(trigger: 'size' | 'time' | 'shutdown'): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    this.chain = this.chain.then(async () => {
      this.flushQueued = false;
      await this.flush(trigger);
    }).catch((err: unknown) => {
      if (!(err instanceof Aborted)) this.log.error({ err }, 'flush failed');
    });
  }

  private async flush(trigger: string): Promise<void> {
    if (this.buffer.empty) return;
    const gen = this.generation;
    const batch = this.buffer.take();
    this.inFlightRows = batch.rows;
    const done = this.o.metrics.flushSeconds.startTimer();
    try {
      // The rows were filtered against watermarks of this generation (onBatch waits for them); a rebalance cleared the rest.
      // One insert per table partition: each is one part, so a crash between two of them leaves every (table
      // partition, source partition) written up to an exact offset (watermarks.ts).
      for (const { table, partition, rows } of batch.inserts) {
        for (const chunk of chunks(rows, MAX_INSERT_ROWS)) await this.write(table, partition, chunk);
      }
      await this.commit(batch, gen);
      this.o.metrics.flushes.inc({ trigger });
      this.log.debug({ trigger, rows: batch.rows, inserts: batch.inserts.map((i) => `${i.table}${i.partition ? `/${i.partition}` : ''}:${i.rows.length}`) }, 'batch written');
    } finally {
      done();
      this.inFlightRows = 0;
      this.updateBuffered();
      if (this.paused && this.buffer.rows < this.o.maxBufferedRows) this.setPaused(false);
      if (this.buffer.rows >= this.o.batchRows && !this.stopping) this.requestFlush('size');
    }
  }

  /** One atomic insert per chunk, retried until it lands (see insert.ts); readiness follows ClickHouse. */
  private async write(table: Table, tablePart: string, rows: Row[]): Promise<void> {
    const written = await insertExactlyOnce({
      sink: this.o.sink,
      marks: this.marks,
      signal: this.abort.signal,
      onFailure: (err, t, n) => {
        this.o.metrics.insertRetries.inc({ table: t });
        this.o.setReady(false, `ClickHouse insert into ${t} failing: ${describeError(err)}`);
        this.log.warn({ err, table: t, rows: n }, 'insert failed; will check what landed and retry');
      },
      onUnavailable: (err, t) => this.log.warn({ err, table: t }, 'ClickHouse still unavailable'),
    }, table, tablePart, rows);
    this.o.metrics.rowsWritten.inc({ table }, written);
    if (this.assigned) this.o.setReady(true, 'writing');
  }

  /** Loads the watermarks once per group generation, queued behind any running flush. */
  private ensureMarks(): Promise<void> {
    if (this.marksGeneration === this.generation) return Promise.resolve();
    const gen = this.generation;
    const load = this.chain.then(async () => {
      if (this.marksGeneration === gen) return;
      const delay = backoff(200, 10_000);
      for (;;) {
        try {
          const readings = await this.o.sink.watermarks(Object.keys(this.kinds));
          this.marks.clear();
          this.marks.load(readings, TABLES);
          this.marksGeneration = gen;
          if (this.assigned) this.o.setReady(true, 'writing');
          this.log.info({ generation: gen, watermarks: readings.length }, 'watermarks loaded from ClickHouse');
          return;
        } catch (err) {
          this.o.setReady(false, `cannot read watermarks from ClickHouse: ${describeError(err)}`);
          this.log.warn({ err }, 'reading watermarks failed; retrying');
          if (this.stopping) throw err;
          await sleep(delay.next());
        }
      }
    });
    this.chain = load.catch(() => undefined);
    return load;
  }

  private async commit(batch: Batch, gen: number): Promise<void> {
    if (batch.commits.length === 0 || !this.consumer) return;
    try {
      await this.consumer.commitOffsets(batch.commits satisfies Commit[]);
    } catch (err) {
      // The rows are in ClickHouse: whoever reads these records again skips them by the watermark.
      this.o.metrics.commitFailures.inc();
      this.log.warn({ err, generation: gen, current: this.generation }, 'offset commit failed after a successful write');
    }
  }

  private async deadLetter(topic: string, partition: number, offset: string, key: Buffer | null, value: Buffer | null, code: string, reason: string): Promise<void> {
    this.o.metrics.invalid.inc({ topic, code });
    this.log.error({ topic, partition, offset, code, reason }, 'record cannot be written; sending it to the DLQ');
    const record: DeadLetterRecord = {
      code, reason, sourceTopic: topic, sourcePartition: partition, sourceOffset: Number(offset), key, value,
      service: 'warehouse-writer', failedAt: Date.now(),
    };
    await this.producer!.send({
      topic: this.o.topics.dlq,
      messages: [{ key, value: this.o.codec.encode(SCHEMAS.deadLetter, this.dlqSchemaId, record) }],
    });
  }

  private setPaused(paused: boolean): void {
    if (!this.consumer || paused === this.paused) return;
    const topics = Object.keys(this.kinds).map((topic) => ({ topic }));
    if (paused) this.consumer.pause(topics);
    else if (!this.stopping) this.consumer.resume(topics);
    this.paused = paused;
    this.o.metrics.paused.set(paused ? 1 : 0);
    this.log.info({ buffered: this.buffer.rows + this.inFlightRows }, paused ? 'buffer full: fetching paused' : 'fetching resumed');
  }

  private updateBuffered(): void {
    this.o.metrics.bufferedRows.set(this.buffer.rows + this.inFlightRows);
  }

  private async whileHeartbeating(p: Promise<void>, heartbeat: () => Promise<void>): Promise<void> {
    let settled = false;
    const done = p.finally(() => { settled = true; });
    while (!settled) {
      await Promise.race([done, sleep(3_000)]);
      if (!settled) await heartbeat().catch(() => undefined);
    }
    await done;
  }

  private async untilDone<T>(what: string, fn: () => Promise<T>): Promise<T> {
    const delay = backoff(500, 10_000);
    for (;;) {
      try {
        return await fn();
      } catch (err) {
        if (this.stopping) throw err;
        const ms = delay.next();
        this.o.setReady(false, `cannot ${what}: ${describeError(err)}`);
        this.log.warn({ err, retryInMs: ms }, `cannot ${what}; retrying`);
        await sleep(ms);
      }
    }
  }
}
