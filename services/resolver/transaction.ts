// One open Kafka transaction of the resolver: records sent so far, input offsets to commit with them, and the
// counts to report once it commits. It spans several fetched batches so the per-transaction round trips
// (add partitions, add offsets, commit) are paid once per few thousand events, not per batch.
import type { Producer, Transaction } from 'kafkajs';
import { TesseraError } from '../kit/errors.ts';

export interface Tally {
  events: number;
  out: Map<string, number>;
  dlq: Map<string, number>;
  merges: number;
  moves: number;
  refusals: number;
  unresolved: number;
  duplicates: number;
}

export class OpenTransaction {
  readonly offsets = new Map<string, { topic: string; partition: number; offset: string }>();
  readonly tally: Tally = { events: 0, out: new Map(), dlq: new Map(), merges: 0, moves: 0, refusals: 0, unresolved: 0, duplicates: 0 };

  private constructor(readonly txn: Transaction, readonly openedAt: number) {}

  static async begin(producer: Producer, now: number): Promise<OpenTransaction> {
    return new OpenTransaction(await producer.transaction(), now);
  }

  /** The next offset to consume from a partition, committed with the transaction. */
  consumed(topic: string, partition: number, nextOffset: string): void {
    this.offsets.set(`${topic}\u0000${partition}`, { topic, partition, offset: nextOffset });
  }

  count(map: Map<string, number>, key: string, n: number): void {
    map.set(key, (map.get(key) ?? 0) + n);
  }

  /**
   * Commits the records together with the consumer offsets; on any failure aborts (best effort) and throws.
   * Past `timeoutMs` the outcome is unknown: it throws, and the caller throws the producer away (a new one with the
   * same transactional id fences this one and settles the transaction either way).
   */
  async commit(groupId: string, timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new TesseraError('TSR_ERR_TXN_TIMEOUT',
        `the transaction did not commit within ${timeoutMs} ms; its outcome is unknown, starting over with a new producer`)), timeoutMs);
    });
    try {
      await Promise.race([this.commitNow(groupId), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async commitNow(groupId: string): Promise<void> {
    try {
      const byTopic = new Map<string, { partition: number; offset: string }[]>();
      for (const o of this.offsets.values()) {
        const list = byTopic.get(o.topic) ?? [];
        list.push({ partition: o.partition, offset: o.offset });
        byTopic.set(o.topic, list);
      }
      await this.txn.sendOffsets({ consumerGroupId: groupId, topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })) });
      await this.txn.commit();
    } catch (err) {
      await this.txn.abort().catch(() => undefined);
      throw err;
    }
  }

  async abort(): Promise<void> {
    await this.txn.abort();
  }
}
