// At-least-once delivery: each chunk's outputs and dead letters are sent and acknowledged, and the consumed
// offsets are committed afterwards, every commitIntervalMs. A crash in between re-reads and re-sends records, so
// the outputs must be idempotent for their consumer.
import type { Kafka, Producer } from 'kafkajs';
import { idempotentProducer } from '../kafka.ts';
import { countUnit, type KafkaOut, type StageEncoder } from './encoder.ts';
import { commitDurable, Pending } from './pending.ts';
import type { Committed, Delivery, SessionPorts, Unit } from './types.ts';

export interface AtLeastOnceOptions {
  kafka: Kafka;
  encoder: StageEncoder;
  commitIntervalMs: number;
}

export function atLeastOnce(o: AtLeastOnceOptions): (ports: SessionPorts) => Delivery<KafkaOut> {
  return (ports) => new AtLeastOnceDelivery(o, ports);
}

class AtLeastOnceDelivery implements Delivery<KafkaOut> {
  readonly durableOnAdd = true;
  private readonly producer: Producer;
  private readonly held = new Pending();

  constructor(private readonly o: AtLeastOnceOptions, private readonly ports: SessionPorts) {
    this.producer = idempotentProducer(o.kafka);
  }

  async open(): Promise<void> { await this.producer.connect(); }

  /** Offsets of partitions that moved to another member are not ours to commit any more. */
  async assigned(assignment: Record<string, number[]>): Promise<void> { this.held.keepOnly(assignment); }

  get pending(): number { return this.held.records; }

  due(now: number): boolean {
    return this.held.records > 0 && this.held.age(now) >= this.o.commitIntervalMs;
  }

  async add(unit: Unit<KafkaOut>): Promise<void> {
    const topicMessages = this.o.encoder.topicMessages(unit.outputs, unit.deadLetters);
    if (topicMessages.length) await this.producer.sendBatch({ topicMessages, acks: -1 });
    this.held.add(unit, Date.now(), (out, dlq) => countUnit(unit.outputs, unit.deadLetters, out, dlq, this.o.encoder.dlqTopic));
  }

  /** The outputs are already durable: a failed offset commit means they are read and published again. */
  async commit(): Promise<Committed> {
    return commitDurable(this.held, this.ports);
  }

  async abort(): Promise<void> { this.held.reset(); }

  async close(): Promise<void> {
    await this.producer.disconnect().catch(() => undefined);
  }
}
