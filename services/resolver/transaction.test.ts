import type { Producer, Transaction } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { OpenTransaction } from './transaction.ts';

function fakeProducer(commit: () => Promise<void>) {
  const calls: string[] = [];
  const txn = {
    sendOffsets: async (o: { topics: { topic: string; partitions: { partition: number; offset: string }[] }[] }) => { calls.push(`offsets ${JSON.stringify(o.topics)}`); },
    commit: async () => { calls.push('commit'); await commit(); },
    abort: async () => { calls.push('abort'); },
  } as unknown as Transaction;
  return { producer: { transaction: async () => txn } as unknown as Producer, calls };
}

describe('OpenTransaction', () => {
  it('commits the offsets of every partition it consumed, the latest per partition', async () => {
    const { producer, calls } = fakeProducer(async () => undefined);
    const open = await OpenTransaction.begin(producer, 0);
    open.consumed('in', 0, '10');
    open.consumed('in', 1, '5');
    open.consumed('in', 0, '12');
    await open.commit('g', 1000);
    expect(calls).toEqual(['offsets [{"topic":"in","partitions":[{"partition":0,"offset":"12"},{"partition":1,"offset":"5"}]}]', 'commit']);
  });

  it('aborts and rethrows when the commit fails', async () => {
    const { producer, calls } = fakeProducer(async () => { throw new Error('coordinator gone'); });
    const open = await OpenTransaction.begin(producer, 0);
    await expect(open.commit('g', 1000)).rejects.toThrow('coordinator gone');
    expect(calls.at(-1)).toBe('abort');
  });

  it('gives up on a commit that does not return in time, with a retriable coded error', async () => {
    const { producer } = fakeProducer(() => new Promise<void>(() => undefined));
    const open = await OpenTransaction.begin(producer, 0);
    await expect(open.commit('g', 50)).rejects.toMatchObject({ code: 'TSR_ERR_TXN_TIMEOUT', retriable: true });
  });
});
