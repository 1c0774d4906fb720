import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import type { AvroCodec } from '../registry.ts';
import { StageEncoder } from './encoder.ts';
import { sinkHeldOffsets, type OffsetHoldingSink } from './sink-held.ts';
import type { SessionPorts, SourceRef, Unit } from './types.ts';

/** A sink that keeps what it is given in memory and can be told to refuse writes, the way ClickHouse down does. */
class MemorySink implements OffsetHoldingSink<number> {
  readonly written: number[] = [];
  private waiting: number[] = [];
  refuse = false;
  async assigned(): Promise<void> {}
  add(outputs: readonly number[]): void { this.waiting.push(...outputs); }
  get held(): number { return this.waiting.length; }
  async write(_signal: AbortSignal, report: (p: string | null) => void): Promise<void> {
    if (this.refuse) { report('refused'); throw new Error('sink refused the write'); }
    this.written.push(...this.waiting);
    this.waiting = [];
  }
  discard(): void { this.waiting = []; }
}

// Never connected: these units carry no dead letters, so nothing is produced.
const kafka = new Kafka({ brokers: ['127.0.0.1:1'], logLevel: logLevel.NOTHING });
const encoder = new StageEncoder({} as AvroCodec, {}, 'dlq');

function session(o: { failCommit?: boolean } = {}) {
  const sink = new MemorySink();
  const commits: SourceRef[][] = [];
  const problems: (string | null)[] = [];
  const ports: SessionPorts = {
    groupId: 'g', signal: new AbortController().signal,
    commitOffsets: async (next) => { if (o.failCommit) throw new Error('rebalance in progress'); commits.push(next); },
    report: (p) => problems.push(p),
  };
  const delivery = sinkHeldOffsets<number>({ kafka, encoder, sink: () => sink, maxHeld: 3, lingerMs: 1_000 })(ports);
  return { sink, commits, problems, delivery };
}
const unit = (outputs: number[], partition: number, next: string): Unit<number> =>
  ({ outputs, deadLetters: [], next: [{ topic: 't', partition, offset: next }], records: outputs.length, tally: {} });

describe('sink-held offsets', () => {
  it('writes what is held, then commits the offsets reached, one per partition', async () => {
    const { sink, commits, delivery } = session();
    await delivery.add(unit([1, 2], 0, '2'));
    await delivery.add(unit([3], 1, '5'));
    await delivery.add(unit([4], 0, '3'));
    const c = await delivery.commit();
    expect(sink.written).toEqual([1, 2, 3, 4]);
    expect(commits).toEqual([[{ topic: 't', partition: 0, offset: '3' }, { topic: 't', partition: 1, offset: '5' }]]);
    expect([c.records, c.offsetsFailed, delivery.pending]).toEqual([4, undefined, 0]);
  });

  it('a write that fails commits nothing and drops what was held: it is all read again', async () => {
    const { sink, commits, delivery } = session();
    await delivery.add(unit([1, 2], 0, '2'));
    sink.refuse = true;
    await expect(delivery.commit()).rejects.toThrow('refused');
    expect([commits, sink.held, delivery.pending]).toEqual([[], 0, 0]);
    // The runner's final commit after the failure has nothing to commit.
    sink.refuse = false;
    expect((await delivery.commit()).records).toBe(0);
    expect(commits).toEqual([]);
  });

  it('a failed offset commit after the write is reported, not thrown: the sink holds the rows', async () => {
    const { sink, delivery, problems } = session({ failCommit: true });
    await delivery.add(unit([1], 0, '1'));
    const c = await delivery.commit();
    expect(sink.written).toEqual([1]);
    expect(c.offsetsFailed).toBeInstanceOf(Error);
    expect(problems).toEqual([null]);
  });

  it('is due by size (outputs the sink holds) or by age of the oldest record', async () => {
    const { delivery } = session();
    const before = Date.now();
    expect(delivery.due(before + 10_000)).toBe(false);
    await delivery.add(unit([1], 0, '1'));
    expect(delivery.due(before)).toBe(false);
    expect(delivery.due(Date.now() + 1_000)).toBe(true);
    await delivery.add(unit([2, 3], 0, '3'));
    expect(delivery.due(before)).toBe(true);
  });

  it('refuses a new assignment while records are held (kafkajs would read them again: written twice)', async () => {
    const { delivery } = session();
    await delivery.assigned({ t: [0] });
    await delivery.add(unit([1], 0, '1'));
    await expect(delivery.assigned({ t: [0, 1] })).rejects.toThrow('held');
  });
});
