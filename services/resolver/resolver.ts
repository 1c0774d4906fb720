// The resolver loop: touchpoints in; resolved events, profiles, identity changes and the changelog out,
// published in one Kafka transaction together with the consumed offsets.
import type { Batch, EachBatchPayload, Kafka, Message, Producer } from 'kafkajs';
import { backoff, sleep } from '../kit/backoff.ts';
import { deadLetter } from '../kit/dead-letter.ts';
import { describe as describeError } from '../kit/errors.ts';
import { createMissingTopics, idempotentProducer } from '../kit/kafka.ts';
import { LagMonitor } from '../kit/lag.ts';
import type { Logger } from '../kit/log.ts';
import type { Ops } from '../kit/ops.ts';
import { failureReason, PoisonRecordError, PoisonRecords, PROCESSING_FAILED } from '../kit/poison.ts';
import { StageReadiness } from '../kit/readiness.ts';
import { SCHEMAS, type DeadLetterRecord, type ResolvedEvent } from '../kit/records.ts';
import type { AvroCodec } from '../kit/registry.ts';
import type { Touchpoint } from '../contract/touchpoint.ts';
import { topicNames, type Topics } from '../kit/topics.ts';
import { singleOwnerAssigner } from '../kit/stage/single-owner.ts';
import type { ResolverConfig } from './config.ts';
import { extractIdentifiers, IdentityGraph, type Extraction, type StepResult } from '../identity/index.ts';
import type { ResolverMetrics } from './metrics.ts';
import { OutputBatch, type Out } from './outputs.ts';
import { RecentMessages } from './dedupe.ts';
import { readChangelog } from '../kit/changelog-reader.ts';
import { spliceResolved } from '../kit/splice.ts';
import { OpenTransaction } from './transaction.ts';
import { validateTouchpoint } from '../contract/validate.ts';
import { VersionClock } from './version-clock.ts';

export interface ResolverDeps {
  config: ResolverConfig;
  kafka: Kafka;
  codec: AvroCodec;
  log: Logger;
  ops: Ops;
  metrics: ResolverMetrics;
  now?: () => number;
  /**
   * Test-only seam, never set by main.ts: called right after a touchpoint was applied to the graph, inside the
   * per-record failure handling. An e2e test throws from it to make one real record fail after the graph changed
   * (a half-applied event), without replacing any component.
   */
  afterApply?: (touchpoint: Touchpoint) => void;
}

const SERVICE = 'resolver';
const withoutTouchpoint = ({ touchpoint: _t, ...rest }: ResolvedEvent) => rest;
const unresolvedStep = (): StepResult => ({ profileId: null, primaryIdentifier: null, links: [], merges: [], refusals: [], moves: [], profiles: [], changelog: [] });

export class Resolver {
  readonly topics: Topics;
  private graph: IdentityGraph | null = null; // null: must be restored before it is used
  private graphDirty = false;
  private owning = false;
  private stopping = false;
  private endSession: ((err: Error | null) => void) | null = null;
  private sessionFailed = false;
  private supervisor: Promise<void> | null = null;
  private schemaIds: Record<keyof typeof SCHEMAS, number> | null = null;
  private readonly clock: VersionClock;
  private readonly now: () => number;
  private restoreCount = 0;
  private restoring: Promise<void> | null = null;
  private open: OpenTransaction | null = null;
  private queue: Promise<void> = Promise.resolve();
  private readonly recent: RecentMessages;
  /** Records whose resolution threw: dead-lettered on the replay instead of being applied again. */
  private readonly poison = new PoisonRecords();
  private readonly readiness: StageReadiness;
  private readonly lag: LagMonitor;
  private committedInSession = false;

  constructor(private readonly d: ResolverDeps) {
    this.topics = topicNames(d.config.TESSERA_TOPIC_PREFIX);
    this.now = d.now ?? Date.now;
    this.clock = new VersionClock(this.now);
    this.recent = new RecentMessages(d.config.TESSERA_RESOLVER_DEDUPE_WINDOW);
    const stallMs = d.config.TESSERA_RESOLVER_STALL_MS;
    this.readiness = new StageReadiness({ stallMs, runningReason: 'resolving', now: this.now });
    d.ops.readinessFrom(() => this.readiness.readiness());
    this.lag = new LagMonitor({
      kafka: d.kafka, groupId: d.config.group, topic: this.topics.touchpoints, log: d.log,
      intervalMs: Math.max(500, Math.min(5_000, Math.floor(stallMs / 3))),
      onLag: (lag) => this.onLag(lag),
      onFailure: () => d.metrics.lag.reset(), // unknown, not a stale number
    });
  }

  /** Creates topics, registers schemas, then consumes until stop(); failures restart the session with backoff. */
  async start(): Promise<void> {
    const created = await createMissingTopics(this.d.kafka, this.topics, { partitions: this.d.config.TESSERA_PARTITIONS, replicationFactor: this.d.config.TESSERA_REPLICATION_FACTOR });
    if (created.length) this.d.log.info({ topics: created }, 'created topics');
    const t = this.topics;
    const subject = (topic: string) => `${topic}-value`;
    this.schemaIds = {
      touchpoint: await this.d.codec.register(SCHEMAS.touchpoint, subject(t.touchpoints)),
      resolved: await this.d.codec.register(SCHEMAS.resolved, subject(t.resolved)),
      profile: await this.d.codec.register(SCHEMAS.profile, subject(t.profiles)),
      identityChange: await this.d.codec.register(SCHEMAS.identityChange, subject(t.merges)),
      claim: await this.d.codec.register(SCHEMAS.claim, subject(t.changelog)),
      deadLetter: await this.d.codec.register(SCHEMAS.deadLetter, subject(t.dlq)),
    };
    this.lag.start();
    this.supervisor = this.supervise();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.endSession?.(null);
    await this.supervisor;
    await this.lag.stop();
    this.readiness.enter('stopped', 'stopped');
  }

  /** The graph, for tests and the explain endpoint; null while it is being restored. */
  get identityGraph(): IdentityGraph | null {
    return this.graph;
  }

  private async supervise(): Promise<void> {
    const delay = backoff(500, 15_000);
    while (!this.stopping) {
      this.committedInSession = false;
      const err = await this.session();
      if (this.stopping) break;
      this.readiness.enter('restarting', `restarting after: ${err ? describeError(err) : 'session ended'}`);
      // A session that committed was healthy until it failed: the next failure starts the back-off from the bottom.
      if (this.committedInSession) delay.reset();
      if (err instanceof PoisonRecordError) {
        // Not a fault of Kafka or the registry: replay at once, the record goes to the DLQ this time.
        this.d.metrics.poisonRestarts.inc();
        this.d.log.error({ err, ...err.ref }, 'resolving one record threw; rebuilding the graph and replaying without it');
        continue;
      }
      const wait = delay.next();
      this.d.log.error({ err, retryInMs: wait, graphKept: this.graph !== null }, 'resolver session failed; starting a new one');
      await sleep(wait);
    }
  }

  /** One producer + consumer lifetime. Resolves with the error that ended it (null on stop). */
  private async session(): Promise<Error | null> {
    const { config, kafka, log } = this.d;
    this.sessionFailed = false;
    const ended = new Promise<Error | null>((resolve) => { this.endSession = resolve; });
    // Connecting a transactional producer fences any zombie with the same transactional id and aborts its
    // open transaction, so the changelog we restore from is final.
    const producer = idempotentProducer(kafka, { transactionalId: config.transactionalId });
    const consumer = kafka.consumer({
      groupId: config.group,
      partitionAssigners: [singleOwnerAssigner(() => this.owning)],
      sessionTimeout: config.TESSERA_RESOLVER_SESSION_TIMEOUT_MS,
      heartbeatInterval: Math.min(3_000, Math.floor(config.TESSERA_RESOLVER_SESSION_TIMEOUT_MS / 3)),
      maxBytesPerPartition: 2 << 20,
      readUncommitted: false,
      retry: { retries: 5 },
    });
    let result: Error | null = null;
    let lingerTimer: NodeJS.Timeout | undefined;
    try {
      await producer.connect();
      consumer.on(consumer.events.GROUP_JOIN, (e) => {
        const owns = Object.values(e.payload.memberAssignment).some((ps) => ps.length > 0);
        // Taking over from another instance: its writes since our last restore are in the changelog.
        if (owns && !this.owning) this.graph = null;
        this.owning = owns;
        // Restore now rather than on the first batch, so readiness tells the truth and the first event waits for nothing.
        if (owns && !this.graph && !this.restoring) {
          this.restoring = this.restore().catch((err: Error) => this.fail(err)).finally(() => { this.restoring = null; });
        }
        if (!owns) this.readiness.enter('standby', 'standby: another resolver instance owns the input');
        log.info({ owns, assignment: e.payload.memberAssignment }, owns ? 'owning the input' : 'standing by');
      });
      consumer.on(consumer.events.CRASH, (e) => this.fail(e.payload.error));
      // Kafka answered: readiness goes stale without these (an outage shows as silence, not as an error).
      consumer.on(consumer.events.FETCH, () => this.readiness.contact());
      consumer.on(consumer.events.HEARTBEAT, () => this.readiness.contact());
      // After a rebalance kafkajs fetches again from the committed offsets, so records already in the open
      // transaction would be resolved twice: end the session, which aborts it and rebuilds the graph.
      consumer.on(consumer.events.REBALANCING, () => { if (this.open) this.fail(new Error('rebalance while a transaction was open')); });
      await consumer.connect();
      await consumer.subscribe({ topics: [this.topics.touchpoints], fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 1, // one graph: partitions are resolved one at a time
        eachBatch: (p) => this.eachBatch(p, producer),
      });
      lingerTimer = setInterval(() => this.lingerTick(), Math.max(10, Math.floor(config.TESSERA_RESOLVER_LINGER_MS / 2)));
      result = await ended;
    } catch (err) {
      result = err as Error;
    } finally {
      this.endSession = null;
      clearInterval(lingerTimer);
      await this.serial(async () => {
        // A clean stop commits what is resolved; after a failure the open transaction is aborted.
        const open = this.open;
        if (!open) return;
        if (result === null) await this.commitOpen().catch((err: unknown) => log.warn({ err }, 'final commit failed'));
        else { this.open = null; await open.abort().catch(() => undefined); }
      });
      if (this.open) { this.open = null; this.graphDirty = true; }
      await consumer.disconnect().catch((err: unknown) => log.warn({ err }, 'consumer disconnect failed'));
      // A producer whose last commit failed or timed out is thrown away; the next session makes a new one.
      await producer.disconnect().catch((err: unknown) => log.warn({ err }, 'producer disconnect failed'));
      if (this.graphDirty) {
        this.graph = null;
        this.graphDirty = false;
      }
      this.owning = false;
    }
    return result;
  }

  private fail(err: Error): void {
    this.sessionFailed = true;
    this.endSession?.(err);
  }

  private async eachBatch(p: EachBatchPayload, producer: Producer): Promise<void> {
    const { batch, resolveOffset, heartbeat, isRunning, isStale } = p;
    if (this.sessionFailed || this.stopping) return;
    try {
      while (this.restoring) {
        // Keep our group membership alive while the changelog is read.
        const done = await Promise.race([this.restoring.then(() => true), sleep(2_000).then(() => false)]);
        if (!done) await heartbeat();
      }
      if (this.sessionFailed) return;
      if (!this.graph) await this.restore();
      const max = this.d.config.TESSERA_RESOLVER_TXN_MAX;
      for (let i = 0; i < batch.messages.length; i += max) {
        if (!isRunning() || isStale() || this.sessionFailed || this.stopping) return;
        const chunk = batch.messages.slice(i, i + max);
        await this.serial(async () => {
          const open = this.open ?? (this.open = await OpenTransaction.begin(producer, this.now()));
          await this.resolveInto(open, batch, chunk);
          if (open.tally.events >= max) await this.commitOpen();
        });
        // Moves the fetch position only; the offset is committed inside the transaction.
        resolveOffset(chunk[chunk.length - 1]!.offset);
        await heartbeat();
      }
    } catch (err) {
      // Do not let kafkajs retry the batch: the graph may hold changes whose transaction did not commit.
      this.fail(err as Error);
    }
  }

  /** Runs `fn` after every earlier one: batches and the linger timer take turns on the open transaction. */
  private serial(fn: () => Promise<void>): Promise<void> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Commits the open transaction once it is older than the linger time (called by a timer). */
  private lingerTick(): void {
    const open = this.open;
    if (!open || this.sessionFailed || this.now() - open.openedAt < this.d.config.TESSERA_RESOLVER_LINGER_MS) return;
    this.serial(() => this.commitOpen()).catch((err: Error) => this.fail(err));
  }

  private async commitOpen(): Promise<void> {
    const open = this.open;
    if (!open) return;
    this.open = null;
    const { metrics } = this.d;
    const timer = metrics.batchSeconds.startTimer();
    try {
      await open.commit(this.d.config.group, this.d.config.TESSERA_RESOLVER_COMMIT_TIMEOUT_MS);
    } catch (err) {
      metrics.transactions.inc({ outcome: 'failed' });
      throw err;
    }
    timer();
    this.graphDirty = false;
    this.committedInSession = true;
    // Records up to these offsets are settled (resolved or dead-lettered): no longer suspects.
    for (const o of open.offsets.values()) this.poison.committed(o.topic, o.partition, o.offset);
    this.readiness.progress();
    metrics.lastCommit.set(this.now() / 1000);
    const t = open.tally;
    metrics.transactions.inc({ outcome: 'committed' });
    metrics.eventsIn.inc(t.events);
    for (const [topic, n] of t.out) metrics.eventsOut.inc({ topic }, n);
    for (const [code, n] of t.dlq) metrics.dlq.inc({ code }, n);
    metrics.merges.inc(t.merges);
    metrics.moves.inc(t.moves);
    metrics.refusals.inc(t.refusals);
    metrics.unresolved.inc(t.unresolved);
    metrics.duplicates.inc(t.duplicates);
    this.updateGauges();
  }

  private async restore(): Promise<void> {
    const { config, kafka, codec, log, metrics } = this.d;
    this.readiness.enter('restoring', 'restoring the identity graph from the changelog');
    const started = this.now();
    this.restoreCount += 1;
    const records = await readChangelog({
      kafka, codec, log, topic: this.topics.changelog,
      groupId: `${config.group}.restore.${config.TESSERA_RESOLVER_INSTANCE}.${process.pid}.${this.restoreCount}`,
    });
    this.graph = IdentityGraph.restore(records, config.identity);
    // The window must describe committed output only: start it afresh with the graph.
    this.recent.clear();
    this.graphDirty = false;
    metrics.restores.inc();
    this.updateGauges();
    log.info({ changelogRecords: records.length, ...this.graph.stats(), ms: this.now() - started }, 'identity graph restored');
    this.readiness.enter('running');
  }

  private onLag(lag: Map<number, bigint>): void {
    let total = 0n;
    for (const [partition, n] of lag) {
      this.d.metrics.lag.set({ partition: String(partition) }, Number(n));
      total += n;
    }
    this.readiness.measured(total);
  }

  /** Decodes, validates and resolves a chunk, and sends its records in the open transaction. */
  private async resolveInto(open: OpenTransaction, batch: Batch, chunk: Message[] & Batch['messages']): Promise<void> {
    const { config, codec, metrics } = this.d;
    const ids = this.schemaIds!;
    const graph = this.graph!;
    // Decode everything first: a registry outage throws here, before the graph changes.
    const decoded = [];
    for (const m of chunk) decoded.push({ m, d: await codec.decode<Touchpoint>(SCHEMAS.touchpoint, m.value) });

    const out = new OutputBatch(() => this.clock.next());
    const dead: DeadLetterRecord[] = [];
    const resolvedAt = this.now();
    this.graphDirty = true;
    for (const { m, d } of decoded) {
      const ref = { topic: batch.topic, partition: batch.partition, offset: m.offset };
      const origin = { ...ref, key: m.key ?? null, value: m.value ?? null };
      const known = this.poison.verdict(ref);
      if (known.kind === 'dead-letter') { dead.push(deadLetter(SERVICE, origin, known.code, known.reason, resolvedAt)); continue; }
      if (!d.ok) { dead.push(deadLetter(SERVICE, origin, d.code, d.reason, resolvedAt)); continue; }
      // Checking and extracting do not touch the graph: a throw there dead-letters the record on the spot.
      let extraction: Extraction;
      try {
        const valid = validateTouchpoint(d.value);
        if (!valid.ok) { dead.push(deadLetter(SERVICE, origin, valid.code, valid.reason, resolvedAt)); continue; }
        extraction = extractIdentifiers(d.value, config.identity);
      } catch (err) {
        dead.push(deadLetter(SERVICE, origin, PROCESSING_FAILED, failureReason('extracting identifiers', err), resolvedAt));
        continue;
      }
      if (this.recent.seen(d.value.messageId)) { open.tally.duplicates += 1; continue; }
      try {
        // Blocked values go into the claim too (never linked), so that un-blocking them later can link them.
        const blocked = extraction.blocked ?? [];
        const step = extraction.identifiers.length === 0 && blocked.length === 0
          ? unresolvedStep()
          : graph.apply({ messageId: d.value.messageId, eventTime: d.value.timestamp, identifiers: extraction.identifiers, ...(blocked.length ? { blocked } : {}) });
        this.d.afterApply?.(d.value);
        // Written with our own touchpoint schema: its bytes go into the resolved event as they are.
        out.addEvent(d.value, extraction, step, resolvedAt, d.schemaId === ids.touchpoint ? m.value!.subarray(5) : null);
      } catch (err) {
        // The graph may hold part of this event: the session ends (the transaction is aborted, the graph rebuilt from
        // the changelog) and on the replay this record is dead-lettered instead of applied.
        const reason = failureReason('resolving', err);
        this.poison.failed(ref, reason);
        throw new PoisonRecordError(ref, reason, err);
      }
      for (const x of extraction.dropped) metrics.dropped.inc({ code: x.code });
    }

    const t = this.topics;
    const enc = <V>(name: string, id: number, r: Out<V>, headers = false) => ({
      key: r.key,
      value: r.value === null ? null : codec.encode(name, id, r.value),
      ...(headers ? { headers: { version: String(r.version) } } : {}),
    });
    const topicMessages = [
      { topic: t.resolved, messages: out.resolved.map((r) => (r.touchpointBody ? { key: r.key, value: spliceResolved(ids.resolved, r.touchpointBody, withoutTouchpoint(r.value!)) } : enc(SCHEMAS.resolved, ids.resolved, r))) },
      { topic: t.profiles, messages: out.profileRecords().map((r) => enc(SCHEMAS.profile, ids.profile, r, true)) },
      { topic: t.merges, messages: out.changeRecords().map((r) => enc(SCHEMAS.identityChange, ids.identityChange, r)) },
      { topic: t.changelog, messages: out.claimRecords().map((r) => enc(SCHEMAS.claim, ids.claim, r)) },
      { topic: t.dlq, messages: dead.map((x) => ({ key: x.key, value: codec.encode(SCHEMAS.deadLetter, ids.deadLetter, x) })) },
    ].filter((tm) => tm.messages.length > 0);

    if (topicMessages.length) await open.txn.sendBatch({ topicMessages, acks: -1 });
    open.consumed(batch.topic, batch.partition, (BigInt(chunk[chunk.length - 1]!.offset) + 1n).toString());
    const tally = open.tally;
    tally.events += chunk.length;
    for (const tm of topicMessages) open.count(tally.out, tm.topic, tm.messages.length);
    for (const x of dead) open.count(tally.dlq, x.code, 1);
    tally.merges += out.counts.merges;
    tally.moves += out.counts.moves;
    tally.refusals += out.counts.refusals;
    tally.unresolved += out.counts.unresolved;
    if (dead.length) this.d.log.warn({ topic: batch.topic, partition: batch.partition, dlq: dead.map((x) => ({ offset: x.sourceOffset, code: x.code, reason: x.reason })) }, 'records sent to the DLQ');
  }

  private updateGauges(): void {
    if (!this.graph) return;
    const s = this.graph.stats();
    this.d.metrics.identifiers.set(s.identifiers);
    this.d.metrics.profiles.set(s.profiles);
    this.d.metrics.hubs.set(s.hubs);
  }
}
