// The contracts between the stage runner and a stage: a pure processor, its state store, and a delivery mode.
import type { KafkaMessage } from 'kafkajs';
import type { DeadLetterRecord } from '../records.ts';

/** Where a record came from; `offset` is the record's own offset. */
export interface SourceRef { topic: string; partition: number; offset: string }

/** A decoded input record. */
export interface InputRecord<V> extends SourceRef { key: Buffer | null; value: V }

/** A record the processor refuses, with a stable code and a reason a human can act on (→ DLQ). */
export interface DeadLetterNote { source: SourceRef; code: string; reason: string }

/** Counts of what a batch did, by name (the stage declares the names; the runner turns them into counters). */
export type Tally = Record<string, number>;

export interface Outcome<O> { outputs: O[]; deadLetters: DeadLetterNote[]; tally: Tally }

/** Turns one Kafka message into the stage's input value; a permanent problem is a value (→ DLQ), an outage throws. */
export type InputDecoder<V> = (message: KafkaMessage, topic: string) => Promise<{ ok: true; value: V } | { ok: false; code: string; reason: string }>;

/**
 * Pure per-batch processing, as a Kafka Streams processor: no I/O, no clock, no randomness beyond what `state`
 * holds. It may change `state`; the runner restores the state when what it did is not made durable. An exception
 * means a record it cannot process: the runner isolates that record and dead-letters it.
 */
export interface Processor<S, V, O> {
  process(state: S, records: readonly InputRecord<V>[]): Outcome<O>;
  /**
   * For a state that also changes from outside the input (a table a stream is joined with, kept current by its own
   * reader): what became due since, without an input record, as a Kafka Streams punctuator. The runner calls it every
   * `punctuateMs` while it owns partitions; its outputs go the way process()'s go.
   */
  punctuate?(state: S): Outcome<O>;
}

export interface StateStore<S> {
  /** Builds the state that the durable output describes (read a changelog; or an empty cache). */
  restore(): Promise<S>;
  /**
   * True when the state stays true whatever partitions this member holds (a cache of what was published);
   * false when it describes the whole input and must be rebuilt when ownership changes (the identity graph).
   */
  keepAcrossAssignments: boolean;
}

/** What one processed chunk hands to the delivery: its outputs, its dead letters and the offsets to commit. */
export interface Unit<O> {
  outputs: O[];
  deadLetters: DeadLetterRecord[];
  /** The next offset to consume per partition, as of the end of this chunk. */
  next: SourceRef[];
  records: number;
  tally: Tally;
}

/** What became durable in one commit, for the metrics. */
export interface Committed {
  records: number;
  /** The offsets committed (next to read), one per partition. */
  next: SourceRef[];
  tally: Tally;
  out: Map<string, number>;
  dlq: Map<string, number>;
  /** Set when the outputs are durable but the offsets could not be committed (at least once: they are read again). */
  offsetsFailed?: unknown;
}

/** What the runner gives a delivery for one session (one consumer lifetime). */
export interface SessionPorts {
  groupId: string;
  /** Commits consumer offsets (next offset to read) outside any transaction. */
  commitOffsets(next: SourceRef[]): Promise<void>;
  /**
   * Aborted when the session ends on an error (a rebalance, a fault) or a stop can wait no longer: a commit that is
   * retrying on its own (a sink riding out an outage) gives up and throws, and what it held is read again.
   */
  signal: AbortSignal;
  /** A fault the delivery is riding out without ending the session (a sink refusing writes): /readyz says it until null. */
  report(problem: string | null): void;
}

/**
 * How outputs and offsets become durable. Three modes fit: transactional (outputs and offsets in one Kafka
 * transaction, transactional.ts), at-least-once (outputs acknowledged, then offsets committed, at-least-once.ts), and
 * sink-held offsets (rows carry their source offsets, the sink keeps the watermark, Kafka offsets are only a hint,
 * sink-held.ts).
 */
export interface Delivery<O> {
  /**
   * True when add() makes the outputs durable at once (at-least-once): the state then matches durable output
   * after every chunk, so a record that throws can be isolated in place without a restart.
   */
  readonly durableOnAdd: boolean;
  /** Starts a session: connect producers (a transactional producer fences its zombie here). */
  open(): Promise<void>;
  /** A new assignment: a sink reads its watermarks here; pending offsets of lost partitions are dropped. */
  assigned(assignment: Record<string, number[]>): Promise<void>;
  /** Takes one processed chunk. */
  add(unit: Unit<O>): Promise<void>;
  /** Records added and not yet committed. */
  readonly pending: number;
  /** Whether a commit is due (by size or age). */
  due(now: number): boolean;
  /** Makes everything added durable with its offsets; throws if it cannot (the session then ends). */
  commit(): Promise<Committed>;
  /** Discards what was added and not committed (a transaction abort). Never throws. */
  abort(): Promise<void>;
  close(): Promise<void>;
}
