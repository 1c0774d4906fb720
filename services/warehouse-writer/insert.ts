// One table partition's rows into ClickHouse exactly once: insert, and after a failure find out what landed before
// retrying.
import { randomUUID } from 'node:crypto';
import { backoff, sleep } from '../kit/backoff.ts';
import type { Row } from './rows.ts';
import type { Sink } from './sink.ts';
import { TABLES, type Table } from './tables.ts';
import { unwritten, type Watermarks } from './watermarks.ts';

/** The write was given up (the session ended, or a stop could not wait longer); nothing of it gets committed. */
export class Aborted extends Error {}

export interface InsertContext {
  sink: Sink;
  marks: Watermarks;
  /** Aborts waiting between retries. */
  signal: AbortSignal;
  onFailure(err: unknown, table: Table, rows: number): void;
  onUnavailable(err: unknown, table: Table): void;
  /**
   * The write was given up while this query may still run on the server (its outcome unknown): whoever reads the
   * watermarks next must first wait until the server no longer runs it (waitForQueries).
   */
  onAbandoned(queryId: string): void;
  initialDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * Inserts `rows` (all in one table partition: one atomic part) and returns how many were written by this call. An
 * insert that fails may still have landed (the acknowledgement was lost): before retrying, wait until the server no
 * longer runs it, re-read the table's watermarks and retry only the rows above them. Afterwards the watermarks of
 * that table partition cover the rows.
 */
export async function insertExactlyOnce(ctx: InsertContext, table: Table, tablePart: string, rows: Row[]): Promise<number> {
  let pending = rows;
  const delay = backoff(ctx.initialDelayMs ?? 200, ctx.maxDelayMs ?? 10_000);
  for (;;) {
    const queryId = `tessera-writer-${table}-${randomUUID()}`;
    try {
      try {
        await ctx.sink.insert(table, pending, queryId, ctx.signal);
        break;
      } catch (err) {
        if (ctx.signal.aborted) throw new Aborted('write abandoned (the session ended or a stop could not wait longer); its records will be read again');
        ctx.onFailure(err, table, pending.length);
      }
      pending = await stillUnwritten(ctx, table, pending, queryId, delay);
    } catch (err) {
      // Only the last attempt can still be running: each earlier one was seen to end before the next.
      if (err instanceof Aborted) ctx.onAbandoned(queryId);
      throw err;
    }
    if (pending.length === 0) break;
  }
  const top = new Map<string, Row>();
  for (const r of pending) top.set(`${r.src_topic}#${r.src_partition}`, r);
  for (const r of top.values()) ctx.marks.raise(table, r.src_topic, r.src_partition, BigInt(r.src_offset), tablePart);
  return pending.length;
}

async function stillUnwritten(ctx: InsertContext, table: Table, rows: Row[], queryId: string, delay: ReturnType<typeof backoff>): Promise<Row[]> {
  for (;;) {
    await sleep(delay.next(), ctx.signal);
    if (ctx.signal.aborted) throw new Aborted('write abandoned (the session ended or a stop could not wait longer); its records will be read again');
    try {
      // A failed insert may still be running server-side (a client timeout): its outcome is only known once it ends.
      while (await ctx.sink.running(queryId)) {
        await sleep(200, ctx.signal);
        if (ctx.signal.aborted) throw new Aborted('write abandoned while an insert was still running');
      }
      ctx.marks.load(await ctx.sink.watermarks([...new Set(rows.map((r) => r.src_topic))], [table]), TABLES);
      return unwritten(rows, table, ctx.marks);
    } catch (err) {
      if (err instanceof Aborted) throw err;
      ctx.onUnavailable(err, table);
    }
  }
}

/** Waits until the server runs none of these queries (each abandoned while its outcome was unknown), forgetting each. */
export async function waitForQueries(sink: Sink, queryIds: Set<string>): Promise<void> {
  for (const id of [...queryIds]) {
    while (await sink.running(id)) await sleep(200);
    queryIds.delete(id);
  }
}
