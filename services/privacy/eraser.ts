// The privacy service: completes each erasure in ClickHouse after the link stage erased it from the graph, and keeps
// the audit table. Reads privacy.requests in order (its own consumer group) and commits a request only when it is done,
// so an erasure interrupted by a crash is taken up again after the restart; every step is idempotent.
import type { Consumer, Kafka, Producer } from 'kafkajs';
import { sleep } from '../kit/backoff.ts';
import { select, type ClickHouseClient } from '../kit/clickhouse.ts';
import { idempotentProducer } from '../kit/kafka.ts';
import type { Logger } from '../kit/log.ts';
import { PRIVACY_SCHEMAS, type PrivacyAuditRecord, type PrivacyRequestRecord } from '../kit/records.ts';
import type { AvroCodec } from '../kit/registry.ts';
import { str } from '../kit/sql.ts';
import { StageEncoder } from '../kit/stage/encoder.ts';
import type { Topics } from '../kit/topics.ts';
import type { Identifier, IdentityConfig } from '../identity/index.ts';
import { storeAudit } from './audit-store.ts';
import { followTopic, type Follower } from './follow.ts';
import { normaliseSubject, validateRequest } from './subject.ts';
import { SuppressionList } from './suppression.ts';
import { countPlan, planFor, submitPlan, untilMutationsDone } from './warehouse-erasure.ts';

export interface EraserOptions {
  kafka: Kafka;
  codec: AvroCodec;
  ch: ClickHouseClient;
  database: string;
  topics: Topics;
  identity: IdentityConfig;
  key: Buffer;
  log: Logger;
  groupId: string;
  /** Test seam for the crash test: stop, without finishing, once the mutations of an erasure are submitted. */
  pauseAfterMutations?: boolean;
}

export class Eraser {
  /** Audit records by request id, as read from privacy.audit. */
  private readonly answers = new Map<string, PrivacyAuditRecord[]>();
  private follower: Follower | null = null;
  private consumer: Consumer | null = null;
  private producer: Producer | null = null;
  private readonly encoder: StageEncoder;
  private readonly hashes: SuppressionList;
  private stopping = false;

  constructor(private readonly o: EraserOptions) {
    this.encoder = new StageEncoder(o.codec, { [o.topics.privacyAudit]: PRIVACY_SCHEMAS.audit }, o.topics.dlq);
    this.hashes = new SuppressionList(o.key);
  }

  async start(): Promise<void> {
    const o = this.o;
    await this.encoder.register();
    this.producer = idempotentProducer(o.kafka);
    await this.producer.connect();
    // Every audit record goes to ClickHouse too (the link stage's answers and the exports included); rows replace by
    // (request, step), so reading the topic again on each start writes nothing new.
    this.follower = await followTopic<PrivacyAuditRecord>({
      kafka: o.kafka, codec: o.codec, topic: o.topics.privacyAudit, schema: PRIVACY_SCHEMAS.audit, log: o.log,
      groupId: `${o.groupId}.audit.${process.pid}.${Date.now()}`,
      apply: async (a) => {
        const list = this.answers.get(a.requestId) ?? [];
        list.push(a);
        this.answers.set(a.requestId, list);
        for (;;) {
          try { await storeAudit(o.ch, o.database, [a]); return; } catch (err) {
            o.log.warn({ err, requestId: a.requestId }, 'audit row not stored yet (ClickHouse); retrying');
            await sleep(1_000);
          }
        }
      },
    });
    await this.follower.caughtUp;
    const consumer = o.kafka.consumer({ groupId: o.groupId, sessionTimeout: 30_000, maxWaitTimeInMs: 500 });
    this.consumer = consumer;
    await consumer.connect();
    await consumer.subscribe({ topics: [o.topics.privacyRequests], fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch, heartbeat, isRunning, isStale }) => {
        for (const m of batch.messages) {
          if (!isRunning() || isStale() || this.stopping) return;
          await this.handle(m.value, m.offset, heartbeat);
          await consumer.commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: (BigInt(m.offset) + 1n).toString() }]);
        }
      },
    });
    o.log.info({ groupId: o.groupId }, 'privacy service started');
  }

  async stop(): Promise<void> {
    this.stopping = true;
    await this.consumer?.disconnect();
    await this.follower?.stop();
    await this.producer?.disconnect();
  }

  private async handle(value: Buffer | null, offset: string, heartbeat: () => Promise<void>): Promise<void> {
    const o = this.o;
    const d = await o.codec.decode<PrivacyRequestRecord>(PRIVACY_SCHEMAS.request, value);
    // The link stage dead-letters what does not decode and answers what is invalid: nothing for ClickHouse to do.
    if (!d.ok || d.value.kind !== 'erase') return;
    const r = d.value;
    const subject = validateRequest(r, (type, v) => normaliseSubject(type, v, o.identity));
    if (!subject.ok) return;
    const log = o.log.child({ requestId: r.requestId, offset });
    // Pending until the link stage has answered: the warehouse follows the graph, never runs ahead of it.
    let graph: PrivacyAuditRecord | undefined;
    for (let waited = 0; ; waited += 1) {
      const list = this.answers.get(r.requestId) ?? [];
      if (list.some((a) => a.step === 'warehouse' && a.final)) { log.info('erasure already completed'); return; }
      graph = list.find((a) => a.step === 'graph' && a.outcome === 'erased') ?? list.find((a) => a.step === 'graph');
      if (graph !== undefined) break;
      if (this.stopping) throw new Error('stopping');
      if (waited % 40 === 0) log.info('waiting for the link stage to erase the identifier from the graph');
      await sleep(250);
      await heartbeat();
    }
    if (graph.outcome !== 'erased') return;
    await this.erase(r, subject.identifier, graph, heartbeat, log);
  }

  private async erase(r: PrivacyRequestRecord, id: Identifier, graph: PrivacyAuditRecord, heartbeat: () => Promise<void>, log: Logger): Promise<void> {
    const o = this.o, db = o.database;
    const hash = this.hashes.hashOf(id);
    const base = { requestId: r.requestId, kind: 'erase', step: 'warehouse' as const, hash, identifierType: id.type, requestedBy: r.requestedBy, requestedAt: r.requestedAt };
    // Counts from a first attempt that crashed stand: the rows it removed are no longer there to count.
    const pending = await select<{ count_names: string[]; count_values: string[] }>(o.ch,
      `SELECT count_names, count_values FROM ${db}.privacy_audit FINAL WHERE request_id = ${str(r.requestId)} AND step = 'warehouse'`);
    const plan = await planFor(o.ch, db, id, o.key);
    let counts: Record<string, number>;
    if (pending.length > 0) {
      counts = Object.fromEntries(pending[0]!.count_names.map((n, i) => [n, Number(pending[0]!.count_values[i])]));
      log.info({ counts }, 'resuming an interrupted erasure');
    } else {
      counts = { ...graph.counts, ...(await countPlan(o.ch, plan)) };
      await storeAudit(o.ch, db, [{ ...base, outcome: 'pending', code: null, final: false, reason: 'ClickHouse mutations submitted', counts }]);
    }
    await submitPlan(o.ch, plan);
    log.info({ mutations: plan.length }, 'erasure mutations submitted');
    if (o.pauseAfterMutations) {
      log.warn('paused after submitting the mutations (TESSERA_PRIVACY_PAUSE_AFTER_MUTATIONS, a test seam)');
      await new Promise<never>(() => undefined);
    }
    await untilMutationsDone(o.ch, db, heartbeat, log);
    const final: PrivacyAuditRecord = { ...base, outcome: 'erased', code: null, final: true, reason: 'erased from the identity graph and ClickHouse; suppressed from now on', counts };
    await storeAudit(o.ch, db, [final]);
    await this.producer!.send({ topic: o.topics.privacyAudit, messages: [this.encoder.encode({ topic: o.topics.privacyAudit, key: r.requestId, value: final })] });
    log.info({ counts }, 'erasure completed');
  }
}
