import { describe, expect, it } from 'vitest';
import { Aborted, insertExactlyOnce, waitForQueries, type InsertContext } from './insert.ts';
import type { Row } from './rows.ts';
import type { Sink } from './sink.ts';
import type { Table } from './tables.ts';
import { Watermarks, type WatermarkRow } from './watermarks.ts';

const row = (partition: number, offset: number): Row => ({ src_topic: 't', src_partition: partition, src_offset: String(offset) });

type Fault = 'refused' | 'landed-then-error' | 'still-running';

/** An in-memory table that can fail in the ways a ClickHouse over HTTP fails. */
class FakeSink implements Sink {
  readonly table: Row[] = [];
  inserts = 0;
  private runningChecks = 0;
  private readonly faults: Fault[];
  constructor(faults: Fault[] = [], private down = 0) { this.faults = [...faults]; }

  async insert(_t: Table, rows: readonly Row[]): Promise<void> {
    this.inserts += 1;
    const fault = this.faults.shift();
    if (fault === 'refused') throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    this.table.push(...rows);
    if (fault === 'landed-then-error') throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    if (fault === 'still-running') { this.table.splice(this.table.length - rows.length); this.late = [...rows]; this.runningChecks = 2; throw new Error('timeout'); }
  }

  private late: Row[] = [];

  /** A timed-out insert runs on for two more checks, then lands. */
  async running(): Promise<boolean> {
    if (this.down > 0) { this.down -= 1; throw new Error('ClickHouse down'); }
    if (this.late.length === 0) return false;
    this.runningChecks -= 1;
    if (this.runningChecks > 0) return true;
    this.table.push(...this.late);
    this.late = [];
    return false;
  }

  async watermarks(): Promise<WatermarkRow[]> {
    const top = new Map<number, number>();
    for (const r of this.table) top.set(r.src_partition, Math.max(top.get(r.src_partition) ?? -1, Number(r.src_offset)));
    return [...top].map(([p, o]) => ({ target: 'identities', table_partition: '', src_topic: 't', src_partition: p, src_offset: String(o) }));
  }
}

function ctx(sink: Sink, signal = new AbortController().signal): InsertContext & { failures: number; unavailable: number; abandoned: string[] } {
  const c = {
    sink, marks: new Watermarks(), signal, initialDelayMs: 1, maxDelayMs: 2, failures: 0, unavailable: 0, abandoned: [] as string[],
    onFailure: () => { c.failures += 1; },
    onUnavailable: () => { c.unavailable += 1; },
    onAbandoned: (id: string) => { c.abandoned.push(id); },
  };
  return c;
}

const rows = [row(0, 1), row(0, 2), row(1, 7)];

describe('insertExactlyOnce', () => {
  it.each<[string, Fault[], number, number]>([
    ['writes at once when the insert succeeds', [], 1, 3],
    ['retries an insert that did not land', ['refused', 'refused'], 3, 3],
    ['does not insert again what landed although the insert failed', ['landed-then-error'], 1, 0],
    ['waits for a timed-out insert that still runs, then sees it landed', ['still-running'], 1, 0],
  ])('%s', async (_name, faults, inserts, writtenByCall) => {
    const sink = new FakeSink(faults);
    const c = ctx(sink);
    expect(await insertExactlyOnce(c, 'identities', '', rows)).toBe(writtenByCall);
    expect(sink.table).toEqual(rows);
    expect(sink.inserts).toBe(inserts);
    expect(c.failures).toBe(faults.length);
    expect([c.marks.get('identities', 't', 0), c.marks.get('identities', 't', 1)]).toEqual([2n, 7n]);
  });

  it('retries only the rows above the watermark it finds', async () => {
    const sink = new FakeSink(['refused']);
    sink.table.push(row(0, 1)); // written earlier by another attempt
    const c = ctx(sink);
    expect(await insertExactlyOnce(c, 'identities', '', [row(0, 2), row(1, 7)])).toBe(2);
    expect(sink.table).toEqual([row(0, 1), row(0, 2), row(1, 7)]);
  });

  it('keeps trying while ClickHouse cannot even be asked what landed', async () => {
    const sink = new FakeSink(['refused'], 3);
    const c = ctx(sink);
    await insertExactlyOnce(c, 'identities', '', rows);
    expect(c.unavailable).toBe(3);
    expect(sink.table).toEqual(rows);
  });

  it('gives up with Aborted when told to (rebalance or stop), writing nothing more', async () => {
    const sink = new FakeSink(['refused', 'refused', 'refused', 'refused']);
    const abort = new AbortController();
    const c = ctx(sink, abort.signal);
    c.onFailure = () => { if (sink.inserts === 2) abort.abort(); };
    await expect(insertExactlyOnce(c, 'identities', '', rows)).rejects.toBeInstanceOf(Aborted);
    expect(sink.table).toEqual([]);
    expect(c.marks.get('identities', 't', 0)).toBe(-1n);
    // The last attempt's outcome is unknown to the caller: it is handed over to be waited for.
    expect(c.abandoned).toHaveLength(1);
  });

  it('names an insert abandoned while the server still ran it; the next reader waits for it to land', async () => {
    const sink = new FakeSink(['still-running']);
    const abort = new AbortController();
    const c = ctx(sink, abort.signal);
    c.onFailure = () => abort.abort();
    await expect(insertExactlyOnce(c, 'identities', '', rows)).rejects.toBeInstanceOf(Aborted);
    expect(sink.table).toEqual([]);
    await waitForQueries(sink, new Set(c.abandoned));
    expect(sink.table).toEqual(rows); // it did land: read now, the watermarks cover it
  });
});
