// Transactional delivery: outputs, dead letters and the consumed offsets of several chunks in one Kafka
// transaction, so the per-transaction round trips are paid once per few thousand records, not per batch.
import type { Kafka, Producer, Transaction } from 'kafkajs';
import { TesseraError } from '../errors.ts';
import { idempotentProducer } from '../kafka.ts';
import { countUnit, type KafkaOut, type StageEncoder } from './encoder.ts';
import { Pending } from './pending.ts';
import type { Committed, Delivery, SessionPorts, Unit } from './types.ts';

export interface TransactionalOptions {
  kafka: Kafka;
  transactionalId: string;
  encoder: StageEncoder;
  /** A transaction commits once it holds this many input records, or once it is lingerMs old. */
  maxRecords: number;
  lingerMs: number;
  /** A commit that takes longer has an unknown outcome: the session ends and the producer is thrown away. */
  commitTimeoutMs: number;
  /**
   * How long the broker keeps a transaction of a dead producer open before aborting it. A standby taking over reads
   * the changelog only past it (read_committed), so this bounds a takeover after a crash.
   */
  transactionTimeoutMs: number;
}

export function transactional(o: TransactionalOptions): (ports: SessionPorts) => Delivery<KafkaOut> {
  return (ports) => new TransactionalDelivery(o, ports);
}

class TransactionalDelivery implements Delivery<KafkaOut> {
  readonly durableOnAdd = false;
  private readonly producer: Producer;
  private txn: Transaction | null = null;
  private readonly held = new Pending();

  constructor(private readonly o: TransactionalOptions, private readonly ports: SessionPorts) {
    this.producer = idempotentProducer(o.kafka, { transactionalId: o.transactionalId, transactionTimeout: o.transactionTimeoutMs });
  }

  // Connecting with a transactional id fences any zombie with the same id and aborts its open transaction,
  // so a changelog read after this is final.
  async open(): Promise<void> { await this.producer.connect(); }

  async assigned(): Promise<void> { /* a rebalance with an open transaction ends the session before this */ }

  get pending(): number { return this.held.records; }

  due(now: number): boolean {
    return this.held.records >= this.o.maxRecords || (this.held.records > 0 && this.held.age(now) >= this.o.lingerMs);
  }

  async add(unit: Unit<KafkaOut>): Promise<void> {
    this.txn ??= await this.producer.transaction();
    const topicMessages = this.o.encoder.topicMessages(unit.outputs, unit.deadLetters);
    if (topicMessages.length) await this.txn.sendBatch({ topicMessages, acks: -1 });
    this.held.add(unit, Date.now(), (out, dlq) => countUnit(unit.outputs, unit.deadLetters, out, dlq, this.o.encoder.dlqTopic));
  }

  async commit(): Promise<Committed> {
    const txn = this.txn;
    if (!txn) return this.held.take();
    this.txn = null;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TesseraError('TSR_ERR_TXN_TIMEOUT',
        `the transaction did not commit within ${this.o.commitTimeoutMs} ms; its outcome is unknown, starting over with a new producer`)),
      this.o.commitTimeoutMs);
    });
    try {
      await Promise.race([this.commitNow(txn), timeout]);
    } finally {
      clearTimeout(timer);
    }
    return this.held.take();
  }

  private async commitNow(txn: Transaction): Promise<void> {
    try {
      const byTopic = new Map<string, { partition: number; offset: string }[]>();
      for (const n of this.held.offsets()) byTopic.set(n.topic, [...(byTopic.get(n.topic) ?? []), { partition: n.partition, offset: n.offset }]);
      await txn.sendOffsets({ consumerGroupId: this.ports.groupId, topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })) });
      await txn.commit();
    } catch (err) {
      await txn.abort().catch(() => undefined);
      throw err;
    }
  }

  async abort(): Promise<void> {
    const txn = this.txn;
    this.txn = null;
    this.held.reset();
    await txn?.abort().catch(() => undefined);
  }

  async close(): Promise<void> {
    await this.producer.disconnect().catch(() => undefined);
  }
}
