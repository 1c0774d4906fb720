import { describe, expect, it } from 'vitest';
import { Isolation, ReplayNeeded, type StateCell } from './isolate.ts';
import type { InputRecord, Outcome, Processor } from './types.ts';

/** A processor that sums values into its state and throws on a value below zero — as a real bug would. */
const summing: Processor<{ sum: number; seen: number[] }, number, number> = {
  process(state, records): Outcome<number> {
    const outputs: number[] = [];
    for (const r of records) {
      state.seen.push(r.value);
      if (r.value < 0) throw new RangeError(`negative value ${r.value}`);
      state.sum += r.value;
      outputs.push(state.sum);
    }
    return { outputs, deadLetters: [], tally: { records: records.length } };
  },
};

const records = (...values: number[]): InputRecord<number>[] => values.map((value, i) => ({ topic: 'in', partition: 0, offset: String(100 + i), key: null, value }));

function setup(inPlace: boolean) {
  const cell: StateCell<{ sum: number; seen: number[] }> = { value: { sum: 0, seen: [] }, dirty: false };
  let restores = 0;
  const iso = new Isolation({ stage: 'test', processor: summing, cell, inPlace: () => inPlace, restore: async () => { restores += 1; return { sum: 0, seen: [] }; } });
  return { cell, iso, restores: () => restores };
}

describe('Isolation', () => {
  it('passes a healthy chunk to the processor in one call and marks the state dirty', async () => {
    const { cell, iso, restores } = setup(true);
    const out = await iso.run(records(1, 2, 3));
    expect(out).toEqual({ outputs: [1, 3, 6], deadLetters: [], tally: { records: 3 } });
    expect([cell.dirty, restores()]).toEqual([true, 0]);
  });

  it('in place: restores the state, replays one by one, dead-letters the record that throws and goes on', async () => {
    const { cell, iso, restores } = setup(true);
    const out = await iso.run(records(1, -5, 3));
    // The state restarted empty after the throw (a cache forgets; it never lies): 3, not 4.
    expect(out.outputs).toEqual([1, 3]);
    expect(out.deadLetters).toEqual([{ source: { topic: 'in', partition: 0, offset: '101', key: null, value: -5 }, code: 'TSR_DLQ_PROCESSING_FAILED', reason: 'test threw RangeError: negative value -5' }]);
    expect(out.tally).toEqual({ records: 2 });
    // Restored after the chunk threw and after the record threw alone: no half-applied record is left in the state.
    expect(restores()).toBe(2);
    expect(cell.value!.seen).toEqual([3]);
  });

  it('with a session restart: suspects the chunk, convicts the record on replay, dead-letters it on the next replay', async () => {
    const { cell, iso, restores } = setup(false);
    // After each ReplayNeeded the runner ends the session, restores the state and reads the input again.
    const restart = () => { cell.value = { sum: 0, seen: [] }; };
    await expect(iso.run(records(1, -5, 3))).rejects.toBeInstanceOf(ReplayNeeded);
    restart();
    await expect(iso.run(records(1, -5, 3))).rejects.toMatchObject({ name: 'PoisonRecordError', ref: expect.objectContaining({ offset: '101' }) });
    restart();
    const third = await iso.run(records(1, -5, 3));
    expect(third.outputs).toEqual([1, 4]);
    expect(third.deadLetters.map((d) => [d.source.offset, d.code])).toEqual([['101', 'TSR_DLQ_PROCESSING_FAILED']]);
    expect(cell.value!.seen).toEqual([1, 3]);
    expect(restores()).toBe(0); // never in place: an open transaction depends on the state
  });

  it('refuses to run without a restored state', async () => {
    const { cell, iso } = setup(true);
    cell.value = null;
    await expect(iso.run(records(1))).rejects.toMatchObject({ code: 'TSR_ERR_STAGE_STATE' });
  });
});
