// Sink-held offsets: outputs go to a sink that stores each record's source offset beside it, so the sink itself knows
// what it holds; Kafka offsets are committed afterwards only as a hint where to start reading.
import type { Kafka, Producer } from 'kafkajs';
import { idempotentProducer } from '../kafka.ts';
import { countUnit, type StageEncoder } from './encoder.ts';
import { commitDurable, Pending } from './pending.ts';
import type { Committed, Delivery, SessionPorts, Unit } from './types.ts';

/** The sink's side, one per session: what it already holds, what waits, and writing it exactly once. */
export interface OffsetHoldingSink<O> {
  /** A new assignment: reads the source offsets the sink holds (outputs at or below them are not written again). */
  assigned(assignment: Record<string, number[]>): Promise<void>;
  /** Takes one chunk's outputs, keeping only what the sink does not hold yet. */
  add(outputs: readonly O[]): void;
  /** What waits to be written, in the sink's unit (rows), for the size trigger. */
  readonly held: number;
  /**
   * Writes everything held, each part atomically with its source offsets, retrying on its own through faults
   * (reporting them) until it is written or `signal` aborts (then it throws and nothing of it counts as written).
   */
  write(signal: AbortSignal, report: (problem: string | null) => void): Promise<void>;
  /** Forgets what is held: the session ended and its records are read again. */
  discard(): void;
}

export interface SinkHeldOptions<O> {
  kafka: Kafka;
  /** Dead letters only: the outputs go to the sink. */
  encoder: StageEncoder;
  sink: () => OffsetHoldingSink<O>;
  /** A commit is due once the sink holds this many outputs, or once the oldest record added is lingerMs old. */
  maxHeld: number;
  lingerMs: number;
}

export function sinkHeldOffsets<O>(o: SinkHeldOptions<O>): (ports: SessionPorts) => Delivery<O> {
  return (ports) => new SinkHeldDelivery(o, ports);
}

/**
 * Exactly once into the sink without Kafka transactions: the sink skips what it holds, so reading records again
 * (a crash between a write and its offset commit, a reset of the group's offsets) writes nothing twice. Dead letters
 * are sent when their chunk is added, at least once (a record dead-lettered and not yet committed is sent again).
 */
class SinkHeldDelivery<O> implements Delivery<O> {
  readonly durableOnAdd = false;
  private readonly producer: Producer;
  private readonly sink: OffsetHoldingSink<O>;
  private readonly held = new Pending();

  constructor(private readonly o: SinkHeldOptions<O>, private readonly ports: SessionPorts) {
    this.producer = idempotentProducer(o.kafka);
    this.sink = o.sink();
  }

  async open(): Promise<void> { await this.producer.connect(); }

  async assigned(assignment: Record<string, number[]>): Promise<void> {
    // kafkajs reads every assigned partition again from its committed offset: held records would be written twice.
    if (this.held.records > 0) throw new Error(`a new assignment while ${this.held.records} records were held; they are read again`);
    await this.sink.assigned(assignment);
  }

  get pending(): number { return this.held.records; }

  due(now: number): boolean {
    return this.sink.held >= this.o.maxHeld || (this.held.records > 0 && this.held.age(now) >= this.o.lingerMs);
  }

  async add(unit: Unit<O>): Promise<void> {
    if (unit.deadLetters.length) await this.producer.sendBatch({ topicMessages: this.o.encoder.topicMessages([], unit.deadLetters), acks: -1 });
    this.sink.add(unit.outputs);
    this.held.add(unit, Date.now(), (out, dlq) => countUnit([], unit.deadLetters, out, dlq, this.o.encoder.dlqTopic));
  }

  /** The sink holds what it wrote: a failed offset commit only means records are read again and skipped. */
  async commit(): Promise<Committed> {
    try {
      await this.sink.write(this.ports.signal, this.ports.report);
    } catch (err) {
      // What was held may be partly written: nothing of it may be committed; it is all read again (and what landed
      // skipped by the sink).
      await this.abort();
      throw err;
    }
    this.ports.report(null);
    return commitDurable(this.held, this.ports);
  }

  async abort(): Promise<void> {
    this.held.reset();
    this.sink.discard();
  }

  async close(): Promise<void> {
    await this.producer.disconnect().catch(() => undefined);
  }
}
