// The import loop: rows → touchpoints → batched, acknowledged produces with bounded waiting; rejections reported.
import type { ConsentCategories } from '../contract/consent.ts';
import { createWriteStream, rmSync, type WriteStream } from 'node:fs';
import { basename } from 'node:path';
import { once } from 'node:events';
import { partitionKey } from '../contract/normalise.ts';
import { TesseraError } from '../kit/errors.ts';
import type { Touchpoint } from '../contract/touchpoint.ts';
import { referencedColumns, type Mapping } from './mapping.ts';
import { openRows, type Format } from './reader.ts';
import { importRow } from './rows.ts';

export interface Rejection { line: number; messageId: string | null; problems: string[] }

export interface Progress { bytesRead: number; rows: number; accepted: number; rejected: number }

export interface ImportOptions {
  file: string;
  format: Format;
  mapping: Mapping;
  /** Resolves once Kafka acknowledged every message; null for a dry run (validate only). */
  produce: ((messages: { key: string; value: Buffer }[]) => Promise<void>) | null;
  encode: (t: Touchpoint) => Buffer;
  clock: () => number;
  maxFutureMs: number;
  consentCategories?: ConsentCategories;
  batchSize: number;
  /**
   * Largest row, in the file and as an encoded touchpoint; also the most bytes one produce carries. Kafka refuses a
   * record batch over the topic's max.message.bytes, and with it every good row in the batch.
   */
  maxRowBytes: number;
  /** Produces waiting for acknowledgement at once: the file is not read further until one settles (back-pressure). */
  maxInflightBatches: number;
  reportPath: string;
  /** How many rejections the summary lists (all are in the report file). */
  listRejected: number;
  onProgress?: (p: Progress) => void;
}

export interface Summary extends Progress {
  firstRejections: Rejection[];
  reportPath: string | null;
  dryRun: boolean;
}

export async function runImport(o: ImportOptions): Promise<Summary> {
  // A report left by an earlier run would describe rows this run may have accepted.
  rmSync(o.reportPath, { force: true });
  const source = openRows(o.file, o.format, o.maxRowBytes);
  const file = basename(o.file);
  const progress: Progress = { bytesRead: 0, rows: 0, accepted: 0, rejected: 0 };
  const firstRejections: Rejection[] = [];
  let report: WriteStream | null = null;
  const inflight = new Set<Promise<void>>();
  let failure: unknown = null;
  let batch: { key: string; value: Buffer }[] = [];
  let batchBytes = 0;

  const reject = async (r: Rejection) => {
    progress.rejected += 1;
    if (firstRejections.length < o.listRejected) firstRejections.push(r);
    report ??= createWriteStream(o.reportPath);
    if (!report.write(`${JSON.stringify(r)}\n`)) await once(report, 'drain');
  };

  const flush = async () => {
    if (batch.length === 0) return;
    const messages = batch;
    batch = [];
    batchBytes = 0;
    if (!o.produce) {
      progress.accepted += messages.length;
      return;
    }
    const p = o.produce(messages).then(
      () => { progress.accepted += messages.length; },
      (err: unknown) => { failure ??= err; },
    ).finally(() => inflight.delete(p));
    inflight.add(p);
    while (inflight.size >= o.maxInflightBatches) await Promise.race(inflight);
  };

  const tick = () => { progress.bytesRead = source.bytesRead(); o.onProgress?.(progress); };

  try {
    for await (const item of source.items) {
      if (failure) break;
      if (item.kind === 'header') {
        const missing = referencedColumns(o.mapping).filter((c) => !item.columns.includes(c));
        if (missing.length > 0) {
          throw new TesseraError('TSR_IMPORT_UNKNOWN_COLUMNS',
            `the mapping reads columns the file does not have: ${missing.map((c) => JSON.stringify(c)).join(', ')}; the header has ${item.columns.map((c) => JSON.stringify(c)).join(', ')}`);
        }
        continue;
      }
      progress.rows += 1;
      if (item.kind === 'bad') {
        await reject({ line: item.line, messageId: null, problems: [item.problem] });
        continue;
      }
      const r = importRow(o.mapping, item.cells, { file, line: item.line, receivedAt: o.clock(), maxFutureMs: o.maxFutureMs, ...(o.consentCategories ? { consentCategories: o.consentCategories } : {}) });
      if (!r.ok) {
        await reject({ line: r.line, messageId: r.messageId, problems: r.problems });
        continue;
      }
      const value = o.encode(r.touchpoint);
      if (value.length > o.maxRowBytes) {
        // A mapping can repeat a large cell in several fields: the message, not only the row, must fit.
        await reject({ line: item.line, messageId: r.touchpoint.messageId, problems: [`the touchpoint is ${value.length} bytes encoded, over the ${o.maxRowBytes}-byte limit (TESSERA_IMPORT_MAX_ROW_BYTES)`] });
        continue;
      }
      if (batchBytes + value.length > o.maxRowBytes) await flush();
      batch.push({ key: partitionKey(r.touchpoint), value });
      batchBytes += value.length;
      if (batch.length >= o.batchSize) await flush();
      if ((progress.rows & 1023) === 0) tick();
    }
    if (!failure) await flush();
    await Promise.all(inflight);
  } finally {
    if (report) {
      const r: WriteStream = report;
      await new Promise<void>((resolve) => r.end(resolve));
    }
    tick();
  }
  if (failure) {
    throw new TesseraError('TSR_IMPORT_PRODUCE_FAILED',
      `Kafka did not acknowledge a batch: ${(failure as Error).message}. ${progress.accepted} rows were acknowledged; re-running the import is safe (messageIds are deterministic, so consumers dedupe)`,
      { cause: failure });
  }
  return { ...progress, firstRejections, reportPath: progress.rejected > 0 ? o.reportPath : null, dryRun: o.produce === null };
}
