// The stage runner: owns the consumer and producer lifecycle, the state machine, restores, retries, commits,
// dead letters, metrics and readiness, around a pure processor (services/kit/stage/types.ts).
import type { Batch, Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import { backoff, sleep, type Backoff } from '../backoff.ts';
import { deadLetter } from '../dead-letter.ts';
import { describe } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Ops } from '../ops.ts';
import type { DeadLetterRecord } from '../records.ts';
import type { AvroCodec } from '../registry.ts';
import { StageHealth } from './health.ts';
import { isPoison, Isolation, type StateCell } from './isolate.ts';
import { stageMetrics, type StageMetrics, type StageMetricSpec } from './metrics.ts';
import { singleOwnerAssigner } from './single-owner.ts';
import { StageMachine } from './state.ts';
import type { Delivery, InputDecoder, InputRecord, Processor, SessionPorts, StateStore } from './types.ts';

/**
 * A stage, declared; `new StageRunner(definition, adapters).start()` runs it until `stop()`.
 *
 * - `processor.process(state, records) → { outputs, deadLetters, tally }` is pure; the runner decodes the input
 *   (`input.schema` through the registry, or the stage's `input.decode`: a bad record → DLQ with the decode code, a
 *   registry outage → the session fails and retries, nothing dead-lettered) and hands it the records of one
 *   partition, `chunkMax` at a time.
 * - `state.restore()` builds the state the durable output describes; it runs when the member first gets
 *   partitions, after a session that left the state half-changed, and (unless `keepAcrossAssignments`) whenever
 *   the assignment or the member id changes — so a standby taking over a single-owner stage rebuilds its graph.
 * - `delivery(ports)` makes outputs durable with their offsets, one instance per session: `transactional(...)`
 *   (outputs + sendOffsets in one Kafka transaction), `atLeastOnce(...)` (outputs acknowledged, then offsets
 *   committed), or `sinkHeldOffsets(...)` (the warehouse writer: `assigned()` reads the sink's watermarks, `add()`
 *   holds rows not yet written, `commit()` writes them, retrying through an outage while the runner heartbeats and
 *   /readyz shows `ports.report`, then commits Kafka offsets as a hint). `ports.signal` makes such a commit give up
 *   when the session ends on an error or a stop has waited `stopTimeoutMs`.
 * - A record the processor throws on is replayed alone and dead-lettered (TSR_DLQ_PROCESSING_FAILED, the error as
 *   reason); when the delivery is not durable on add, the session first aborts and the state is restored.
 * - A processor whose state also changes from outside the input (the resolved-event stage's tables) may have a
 *   `punctuate(state)`: the runner calls it every `punctuateMs` while it owns partitions and delivers its outputs and
 *   dead letters like process()'s, moving no input offset (a Kafka Streams punctuator).
 * - Metrics (`tessera_<metricPrefix or name>_…`): records in/out, DLQ by code, commits, restores, session failures,
 *   lag, the current state, plus the stage's tally counters and state gauges. Readiness (kit/readiness.ts) follows the
 *   state, whether Kafka answered within `stallMs`, and whether commits progress while records wait (kit/lag.ts).
 */
export interface StageDefinition<S, V, O> {
  /** Service name: logs, metric prefix, the `service` of dead letters. */
  name: string;
  /** Metric names are tessera_<metricPrefix>_…; the name unless set (the writer keeps its tessera_writer_ names). */
  metricPrefix?: string;
  /**
   * The input topics, decoded with one schema (`schemas` names the schema of a topic that does not hold `schema` records:
   * a second input, e.g. requests), or by the stage's own decoder (several schemas, tombstones, headers).
   */
  input: ({ topics: string[]; schema: string; schemas?: Record<string, string> } | { topics: string[]; decode: InputDecoder<V> }) & {
    /** Topics whose tombstones (null values) are expected and skipped, not dead-lettered (a compacted input the stage itself tombstones). */
    tombstones?: string[];
  };
  processor: Processor<S, V, O>;
  state: StateStore<S>;
  delivery: (ports: SessionPorts) => Delivery<O>;
  /** 'shared': the group spreads partitions over members; 'single-owner': one member owns all, others stand by. */
  assignment: 'shared' | 'single-owner';
  metrics: StageMetricSpec;
  gauges?(state: S): Record<string, number>;
  /** How often the runner calls `processor.punctuate` (default 1000 ms), when the processor has one. */
  punctuateMs?: number;
  /** Runs once before the first session, retried until it succeeds: create topics, register schemas. */
  setup(): Promise<void>;
}

export interface RunnerAdapters {
  kafka: Kafka;
  codec: AvroCodec;
  log: Logger;
  ops: Ops;
  groupId: string;
  /** Records per processor call at most. */
  chunkMax: number;
  sessionTimeoutMs: number;
  /** Not ready once Kafka has not answered, or nothing was committed while records wait, for this long (default: the session timeout). */
  stallMs?: number;
  retry?: Backoff;
  /** Longest a fetch waits for records (default 1 s); a stop waits for the fetch in flight. */
  fetchWaitMs?: number;
  /** How long a stop lets the final commit retry before giving it up (its records are read again next time); default 15 s. */
  stopTimeoutMs?: number;
  now?: () => number;
}

interface Session<O> {
  delivery: Delivery<O>;
  ended: boolean;
  end(err: Error | null): void;
  /** Makes a commit that retries on its own give up (ports.signal). */
  abandon(): void;
  serial<T>(fn: () => Promise<T>): Promise<T>;
}

export class StageRunner<S, V, O> {
  readonly machine: StageMachine;
  readonly metrics: StageMetrics;
  private readonly cell: StateCell<S> = { value: null, dirty: false };
  private readonly isolation: Isolation<S, V, O>;
  private readonly now: () => number;
  private readonly retry: Backoff;
  private readonly stopSignal = new AbortController();
  private supervisor: Promise<void> | null = null;
  private session: Session<O> | null = null;
  private restoring: Promise<void> | null = null;
  private stateAssignment: string | null = null;
  private owns = false;
  private punctuatedAt = 0;
  private readonly health: StageHealth;
  private readonly decode: InputDecoder<V>;

  constructor(private readonly def: StageDefinition<S, V, O>, private readonly a: RunnerAdapters) {
    this.now = a.now ?? Date.now;
    this.retry = a.retry ?? backoff(500, 15_000);
    this.machine = new StageMachine(this.now);
    this.metrics = stageMetrics(a.ops.metrics, def.metricPrefix ?? def.name, def.metrics);
    const input = def.input;
    this.decode = 'decode' in input ? input.decode : (m, topic) => a.codec.decode<V>(input.schemas?.[topic] ?? input.schema, m.value);
    this.health = new StageHealth({ kafka: a.kafka, groupId: a.groupId, topics: def.input.topics, log: a.log, ops: a.ops, metrics: this.metrics, stallMs: a.stallMs ?? a.sessionTimeoutMs, now: this.now });
    this.machine.onMove((t) => {
      this.metrics.setState(t.to);
      this.health.entered(t.to, t.reason, this.owns);
      a.log.debug({ from: t.from, to: t.to, reason: t.reason }, 'stage state');
    });
    this.isolation = new Isolation({
      stage: def.name, processor: def.processor, cell: this.cell, inPlace: () => this.session?.delivery.durableOnAdd ?? false,
      restore: () => { this.metrics.restores.inc(); return def.state.restore(); },
    });
  }

  /** The current state, for tests and tools; null while it is being restored. */
  get state(): S | null { return this.cell.value; }

  /** Sets up (retried), then runs sessions until stop(). */
  async start(): Promise<void> {
    this.machine.to('starting', 'creating topics and registering schemas');
    for (;;) {
      try {
        await this.def.setup();
        break;
      } catch (err) {
        if (this.stopSignal.signal.aborted) throw err;
        const wait = this.retry.next();
        this.machine.to('starting', `set-up failed, retrying in ${wait} ms: ${describe(err)}`);
        this.a.log.warn({ err, retryInMs: wait }, 'stage set-up failed; retrying');
        await sleep(wait, this.stopSignal.signal);
      }
    }
    this.retry.reset();
    this.health.start();
    this.supervisor = this.supervise();
  }

  /** Finishes the chunk in hand, commits what is processed, leaves the group. */
  async stop(): Promise<void> {
    this.stopSignal.abort();
    this.session?.end(null);
    const giveUp = setTimeout(() => this.session?.abandon(), this.a.stopTimeoutMs ?? 15_000);
    await this.supervisor;
    clearTimeout(giveUp);
    await this.health.stop();
    if (this.machine.state !== 'stopped') this.machine.to('stopped', 'stopped');
  }

  private async supervise(): Promise<void> {
    while (!this.stopSignal.signal.aborted) {
      const err = await this.runSession();
      if (this.stopSignal.signal.aborted) break;
      // A record that throws is not a fault of the infrastructure: replay at once, without backing off.
      const poison = isPoison(err);
      const wait = poison ? 0 : this.retry.next();
      this.metrics.failures.inc({ kind: poison ? 'poison' : 'fault' });
      this.machine.to('failed', err ? describe(err) : 'session ended');
      this.a.log[poison ? 'warn' : 'error']({ err, retryInMs: wait, stateKept: this.cell.value !== null }, 'stage session ended; starting a new one');
      await sleep(wait, this.stopSignal.signal);
      if (!this.stopSignal.signal.aborted) this.machine.to('starting', 'new session');
    }
    this.machine.to('stopped', 'stopped');
  }

  /** One consumer + delivery lifetime; resolves with the error that ended it (null on stop). */
  private async runSession(): Promise<Error | null> {
    const { kafka, log, groupId } = this.a;
    let finish: (err: Error | null) => void = () => undefined;
    const ended = new Promise<Error | null>((resolve) => { finish = resolve; });
    let queue: Promise<unknown> = Promise.resolve();
    const consumer: Consumer = kafka.consumer({
      groupId,
      sessionTimeout: this.a.sessionTimeoutMs,
      heartbeatInterval: Math.min(3_000, Math.floor(this.a.sessionTimeoutMs / 3)),
      maxBytesPerPartition: 2 << 20,
      maxWaitTimeInMs: this.a.fetchWaitMs ?? 1_000,
      readUncommitted: false,
      retry: { retries: 5 },
      ...(this.def.assignment === 'single-owner' ? { partitionAssigners: [singleOwnerAssigner(() => this.owns)] } : {}),
    });
    const abandon = new AbortController();
    const ports: SessionPorts = {
      groupId,
      commitOffsets: (next) => consumer.commitOffsets(next.map((n) => ({ topic: n.topic, partition: n.partition, offset: n.offset }))),
      signal: abandon.signal,
      report: (problem) => this.health.problem(problem),
    };
    const s: Session<O> = {
      delivery: this.def.delivery(ports),
      ended: false,
      end: (err) => {
        // An error ends the session without its final commit: a commit still retrying gives up.
        if (err !== null) abandon.abort();
        if (!s.ended) { s.ended = true; finish(err); }
      },
      abandon: () => abandon.abort(),
      serial: <T>(fn: () => Promise<T>) => { const run = queue.then(fn); queue = run.catch(() => undefined); return run; },
    };
    this.session = s;
    let result: Error | null = null;
    let timer: NodeJS.Timeout | undefined;
    try {
      await s.delivery.open();
      const touch = () => this.health.contact();
      for (const e of [consumer.events.FETCH, consumer.events.HEARTBEAT, consumer.events.COMMIT_OFFSETS]) consumer.on(e, touch);
      consumer.on(consumer.events.GROUP_JOIN, (e) => { touch(); this.onJoin(s, e.payload.memberId, e.payload.memberAssignment); });
      consumer.on(consumer.events.CRASH, (e) => s.end(e.payload.error));
      // kafkajs fetches again from the committed offsets after a rebalance: records in an open transaction would be
      // processed twice. End the session: the transaction is aborted and the state restored.
      consumer.on(consumer.events.REBALANCING, () => {
        if (!s.delivery.durableOnAdd && s.delivery.pending > 0) s.end(new Error('rebalance while uncommitted records were held'));
      });
      await consumer.connect();
      await consumer.subscribe({ topics: this.def.input.topics, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 1,
        eachBatch: (p) => this.onBatch(s, p),
      });
      timer = setInterval(() => this.tick(s), 50);
      result = await ended;
    } catch (err) {
      result = err as Error;
    } finally {
      s.ended = true;
      clearInterval(timer);
      await s.serial(async () => {
        if (result === null && s.delivery.pending > 0) await this.commit(s);
        else await s.delivery.abort();
      }).catch(async (err: unknown) => { log.warn({ err }, 'final commit failed'); await s.delivery.abort(); });
      await consumer.disconnect().catch((err: unknown) => log.warn({ err }, 'consumer disconnect failed'));
      await s.delivery.close();
      await this.restoring?.catch(() => undefined);
      // The state holds changes that were never made durable: rebuild it in the next session.
      if (this.cell.dirty) { this.cell.value = null; this.cell.dirty = false; }
      this.owns = false;
      this.health.assigned({});
      this.health.problem(null);
      this.session = null;
    }
    return result;
  }

  private onJoin(s: Session<O>, memberId: string, assignment: Record<string, number[]>): void {
    const owns = Object.values(assignment).some((ps) => ps.length > 0);
    // A member that left the group (a new session, or evicted and rejoined under a new member id) cannot know who
    // owned its partitions meanwhile; one that stayed a member saw every assignment it had.
    const key = JSON.stringify([memberId, Object.entries(assignment).map(([t, ps]) => [t, [...ps].sort((x, y) => x - y)]).sort()]);
    this.owns = owns;
    this.health.assigned(assignment);
    this.a.log.info({ owns, assignment }, owns ? 'partitions assigned' : 'no partitions assigned: standing by');
    // Another member may have written since this state was built (a takeover): rebuild it.
    if (!this.def.state.keepAcrossAssignments && key !== this.stateAssignment && !this.cell.dirty) this.cell.value = null;
    const run = s.serial(async () => {
      await s.delivery.assigned(assignment);
      if (!owns || this.cell.value !== null || s.ended) {
        if (!s.ended) this.machine.to('running', owns ? 'consuming' : 'standby');
        return;
      }
      this.machine.to('restoring', 'rebuilding the state before consuming');
      const started = this.now();
      this.metrics.restores.inc();
      this.cell.value = await this.def.state.restore();
      this.cell.dirty = false;
      this.stateAssignment = key;
      this.readGauges();
      this.a.log.info({ ms: this.now() - started }, 'state restored');
      if (!s.ended) this.machine.to('running', 'consuming');
    });
    const tracked: Promise<void> = run.catch((err: Error) => s.end(err)).finally(() => { if (this.restoring === tracked) this.restoring = null; });
    this.restoring = tracked;
  }

  private async onBatch(s: Session<O>, p: EachBatchPayload): Promise<void> {
    const { batch } = p;
    try {
      // Keep the group membership alive while the state is rebuilt.
      while (this.restoring && !s.ended) {
        const done = await Promise.race([this.restoring.then(() => true), sleep(2_000).then(() => false)]);
        if (!done) await p.heartbeat();
      }
      for (let i = 0; i < batch.messages.length; i += this.a.chunkMax) {
        if (!p.isRunning() || p.isStale() || s.ended) return;
        const chunk = batch.messages.slice(i, i + this.a.chunkMax);
        // Decode outside the queue: a registry outage throws here, before the state changes.
        const decoded = await Promise.all(chunk.map((m) => this.decode(m, batch.topic)));
        // A commit ahead in the queue may take long (a sink retrying through an outage): stay in the group meanwhile.
        const handled = await this.heartbeating(s.serial(() => this.handle(s, batch, chunk, decoded)), p, s);
        if (!handled) return;
        // Moves the fetch position only; the delivery commits the offsets.
        p.resolveOffset(chunk[chunk.length - 1]!.offset);
        await p.heartbeat();
      }
    } catch (err) {
      // Never let kafkajs retry the batch on its own: the state may hold what the delivery did not make durable.
      s.end(err as Error);
    }
  }

  private async handle(s: Session<O>, batch: Batch, chunk: KafkaMessage[], decoded: Awaited<ReturnType<InputDecoder<V>>>[]): Promise<boolean> {
    if (s.ended) return false;
    if (this.cell.value === null) throw new Error(`${this.def.name}: a batch arrived without a restored state`);
    const { topic, partition } = batch;
    const failedAt = this.now();
    const dead: DeadLetterRecord[] = [];
    const records: InputRecord<V>[] = [];
    const skipNull = this.def.input.tombstones?.includes(topic) === true;
    chunk.forEach((m, i) => {
      if (skipNull && (m.value === null || m.value === undefined)) return;
      const d = decoded[i]!;
      if (d.ok) records.push({ topic, partition, offset: m.offset, key: m.key ?? null, value: d.value });
      else dead.push(deadLetter(this.def.name, { topic, partition, offset: m.offset, key: m.key ?? null, value: m.value ?? null }, d.code, d.reason, failedAt));
    });
    const outcome = await this.isolation.run(records);
    const bytes = outcome.deadLetters.length ? new Map(chunk.map((m) => [m.offset, m])) : null;
    for (const n of outcome.deadLetters) {
      const m = bytes?.get(n.source.offset);
      dead.push(deadLetter(this.def.name, { ...n.source, key: m?.key ?? null, value: m?.value ?? null }, n.code, n.reason, failedAt));
    }
    const next = (BigInt(chunk[chunk.length - 1]!.offset) + 1n).toString();
    await s.delivery.add({ outputs: outcome.outputs, deadLetters: dead, next: [{ topic, partition, offset: next }], records: chunk.length, tally: outcome.tally });
    if (s.delivery.durableOnAdd) this.cell.dirty = false;
    if (dead.length) this.a.log.warn({ topic, partition, dlq: dead.map((d) => ({ offset: d.sourceOffset, code: d.code, reason: d.reason })) }, 'records sent to the DLQ');
    if (s.delivery.due(this.now())) await this.commit(s);
    return true;
  }

  /**
   * Waits for `work`, heartbeating every few seconds. A failed heartbeat (typically a rebalance) ends the session when
   * it holds records that are not durable (they would be read again); otherwise kafkajs rejoins after this batch.
   */
  private async heartbeating<T>(work: Promise<T>, p: EachBatchPayload, s: Session<O>): Promise<T> {
    let settled = false;
    const done = work.finally(() => { settled = true; });
    const every = Math.max(500, Math.min(3_000, Math.floor(this.a.sessionTimeoutMs / 3)));
    while (!settled) {
      await Promise.race([done.catch(() => undefined), sleep(every)]);
      if (settled) break;
      try {
        await p.heartbeat();
      } catch (err) {
        if (s.delivery.durableOnAdd || s.delivery.pending === 0) { await done.catch(() => undefined); break; }
        done.catch(() => undefined); // the session ends; the work gives up on its own
        throw err;
      }
    }
    return done;
  }

  private tick(s: Session<O>): void {
    if (s.ended) return;
    if (this.def.processor.punctuate && this.owns && this.now() - this.punctuatedAt >= (this.def.punctuateMs ?? 1_000)) {
      this.punctuatedAt = this.now();
      s.serial(() => this.punctuate(s)).catch((err: Error) => s.end(err));
    }
    // A commit in progress is not queued again behind itself.
    if (this.machine.state === 'committing' || !s.delivery.due(this.now())) return;
    s.serial(async () => { if (!s.ended && s.delivery.due(this.now())) await this.commit(s); }).catch((err: Error) => s.end(err));
  }

  /** What became due in a state changed from outside the input; no input offsets move. */
  private async punctuate(s: Session<O>): Promise<void> {
    if (s.ended || this.cell.value === null || this.restoring) return;
    const outcome = this.def.processor.punctuate!(this.cell.value);
    if (outcome.outputs.length === 0 && outcome.deadLetters.length === 0) return;
    this.cell.dirty = true;
    const failedAt = this.now();
    // The input bytes are not at hand any more: the dead letter names the record's topic, partition and offset.
    const dead = outcome.deadLetters.map((n) => deadLetter(this.def.name, { ...n.source, key: null, value: null }, n.code, n.reason, failedAt));
    await s.delivery.add({ outputs: outcome.outputs, deadLetters: dead, next: [], records: 0, tally: outcome.tally });
    if (s.delivery.durableOnAdd) this.cell.dirty = false;
    if (dead.length) this.a.log.warn({ dlq: dead.map((d) => ({ topic: d.sourceTopic, partition: d.sourcePartition, offset: d.sourceOffset, code: d.code, reason: d.reason })) }, 'records sent to the DLQ');
    if (s.delivery.due(this.now())) await this.commit(s);
  }

  private async commit(s: Session<O>): Promise<void> {
    if (s.delivery.pending === 0) return;
    this.machine.to('committing', `committing ${s.delivery.pending} records`);
    const done = this.metrics.commitSeconds.startTimer();
    let c;
    try {
      c = await s.delivery.commit();
    } catch (err) {
      this.metrics.commits.inc({ outcome: 'failed' });
      throw err;
    }
    done();
    this.cell.dirty = false;
    if (c.offsetsFailed !== undefined) {
      this.metrics.commits.inc({ outcome: 'offsets_failed' });
      this.a.log.warn({ err: c.offsetsFailed, records: c.records }, 'outputs published but their offsets not committed; they will be read again');
    } else {
      this.health.progress();
      this.retry.reset();
    }
    this.metrics.committed(c);
    if (c.offsetsFailed === undefined) for (const n of c.next) this.isolation.committed(n.topic, n.partition, n.offset);
    this.readGauges();
    this.machine.to('running', 'consuming');
  }

  private readGauges(): void {
    if (this.def.gauges && this.cell.value !== null) this.metrics.readGauges(this.def.gauges(this.cell.value));
  }
}
