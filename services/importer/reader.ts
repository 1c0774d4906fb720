// Streams rows out of a CSV (header row, quoted fields) or NDJSON file with their line numbers, in constant memory:
// split.ts finds where rows begin and end, csv-parse reads a CSV record's fields, JSON.parse an NDJSON line.
import { createReadStream } from 'node:fs';
import { parse } from 'csv-parse/sync';
import { TesseraError } from '../kit/errors.ts';
import type { Cells } from './rows.ts';
import { CsvSplitter, LineSplitter, type Piece, type SplitterOptions } from './split.ts';

export type Format = 'csv' | 'ndjson';

export type SourceItem =
  | { kind: 'header'; columns: string[] }
  | { kind: 'row'; line: number; cells: Cells }
  | { kind: 'bad'; line: number; problem: string };

export interface RowSource {
  items: AsyncIterable<SourceItem>;
  /** How far into the file reading has got, in bytes (for progress). */
  bytesRead(): number;
}

/** Rows larger than this are rejected by default: well under Kafka's default 1 MB message size. */
export const DEFAULT_MAX_ROW_BYTES = 512 * 1024;

export function openRows(path: string, format: Format, maxRowBytes = DEFAULT_MAX_ROW_BYTES): RowSource {
  let position = 0;
  const create = (o: SplitterOptions) => (format === 'csv' ? new CsvSplitter(o) : new LineSplitter(o));
  const pieces = splitFile(path, create, maxRowBytes, (p) => { position = Math.max(position, p); });
  return { items: format === 'csv' ? csvItems(pieces) : ndjsonItems(pieces), bytesRead: () => position };
}

/**
 * The file's rows as pieces. After a row whose quote never closed, reading starts again at the row's second line
 * (those lines may be rows of their own): the file is opened again at that offset, nothing is held in memory.
 */
async function* splitFile(
  path: string, create: (o: SplitterOptions) => CsvSplitter | LineSplitter, maxBytes: number, onPosition: (p: number) => void,
): AsyncGenerator<Exclude<Piece, { kind: 'restart' }>> {
  let from: { offset: number; line: number } | null = { offset: 0, line: 1 };
  while (from) {
    const splitter = create({ ...from, maxBytes });
    // 1 MiB reads: fewer syscalls on multi-GB files; the stream pauses while the consumer of these rows lags.
    const file = createReadStream(path, { start: from.offset, highWaterMark: 1 << 20 });
    from = null;
    try {
      for await (const chunk of file as AsyncIterable<Buffer>) {
        for (const p of splitter.push(chunk)) {
          if (p.kind !== 'restart') { yield p; continue; }
          yield { kind: 'bad', line: p.line, problem: p.problem };
          from = { offset: p.offset, line: p.resumeLine };
          break;
        }
        onPosition(splitter.position);
        if (from) break;
      }
      if (!from) {
        for (const p of splitter.end()) {
          if (p.kind !== 'restart') { yield p; continue; }
          yield { kind: 'bad', line: p.line, problem: p.problem };
          from = { offset: p.offset, line: p.resumeLine };
        }
      }
    } finally {
      file.destroy();
    }
  }
}

const CSV_OPTIONS = { trim: true, relax_column_count: true, skip_empty_lines: false, record_delimiter: '\n' } as const;
/** Records parsed by one csv-parse call: a parser per record costs ~10 times more than the record itself. */
const BATCH_RECORDS = 500;
const BATCH_CHARS = 1 << 20;

/** csv-parse's messages name line 1 of the text it was given; the row's own line is reported beside them. */
const csvProblem = (err: unknown): string => `CSV: ${(err as Error).message.replace(/ (at|on) line \d+/g, '')}`;

/** The fields of each record; a record csv-parse refuses (e.g. a quote inside an unquoted field) becomes its problem. */
function fields(batch: { line: number; text: string }[]): (string[] | { problem: string })[] {
  try {
    const records = parse(batch.map((r) => r.text).join('\n'), CSV_OPTIONS) as string[][];
    if (records.length === batch.length) return records;
  } catch { /* one of them is bad: read each alone */ }
  return batch.map((r) => {
    try {
      const [record] = parse(r.text, CSV_OPTIONS) as string[][];
      return record ?? [];
    } catch (err) {
      return { problem: csvProblem(err) };
    }
  });
}

async function* csvItems(pieces: AsyncIterable<Exclude<Piece, { kind: 'restart' }>>): AsyncGenerator<SourceItem> {
  let header: string[] | null = null;
  let index = new Map<string, number>();
  let batch: { line: number; text: string }[] = [];
  let chars = 0;

  function* drain(): Generator<SourceItem> {
    const parsed = fields(batch);
    for (let i = 0; i < batch.length; i++) {
      const line = batch[i]!.line;
      const record = parsed[i]!;
      if (!Array.isArray(record)) { yield { kind: 'bad', line, problem: record.problem }; continue; }
      if (record.length !== header!.length) {
        yield { kind: 'bad', line, problem: `CSV: expected ${header!.length} fields as in the header, got ${record.length}` };
        continue;
      }
      yield { kind: 'row', line, cells: (column) => { const c = index.get(column); return c === undefined ? undefined : record[c]; } };
    }
    batch = [];
    chars = 0;
  }

  for await (const p of pieces) {
    if (header === null) {
      const parsed = p.kind === 'record' ? fields([p])[0]! : { problem: p.problem };
      if (!Array.isArray(parsed)) {
        throw new TesseraError('TSR_IMPORT_BAD_HEADER', `the header row (line ${p.line}) cannot be read: ${parsed.problem}`);
      }
      header = parsed;
      index = new Map(header.map((h, i) => [h, i]));
      yield { kind: 'header', columns: header };
      continue;
    }
    if (p.kind === 'bad') {
      // Rows keep their order: what is batched before a bad row is reported first.
      yield* drain();
      yield p;
      continue;
    }
    batch.push(p);
    chars += p.text.length;
    if (batch.length >= BATCH_RECORDS || chars >= BATCH_CHARS) yield* drain();
  }
  if (batch.length > 0) yield* drain();
}

/** A field by name, or by dotted path into nested objects ("customer.email"). */
function lookup(obj: Record<string, unknown>, column: string): unknown {
  if (column in obj) return obj[column];
  let v: unknown = obj;
  for (const part of column.split('.')) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  return v;
}

async function* ndjsonItems(pieces: AsyncIterable<Exclude<Piece, { kind: 'restart' }>>): AsyncGenerator<SourceItem> {
  for await (const p of pieces) {
    if (p.kind === 'bad') { yield p; continue; }
    let value: unknown;
    try {
      value = JSON.parse(p.text);
    } catch (err) {
      yield { kind: 'bad', line: p.line, problem: `NDJSON: not valid JSON: ${(err as Error).message}` };
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      yield { kind: 'bad', line: p.line, problem: `NDJSON: expected a JSON object per line, got ${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value}` };
      continue;
    }
    const obj = value as Record<string, unknown>;
    yield { kind: 'row', line: p.line, cells: (column) => lookup(obj, column) };
  }
}
