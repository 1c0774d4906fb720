// Streams rows out of a CSV (header row, quoted fields) or NDJSON file with their line numbers, in constant memory.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { parse } from 'csv-parse';
import type { Cells } from './rows.ts';

export type Format = 'csv' | 'ndjson';

export type SourceItem =
  | { kind: 'header'; columns: string[] }
  | { kind: 'row'; line: number; cells: Cells }
  | { kind: 'bad'; line: number; problem: string };

export interface RowSource {
  items: AsyncIterable<SourceItem>;
  /** Bytes read from the file so far (for progress). */
  bytesRead(): number;
}

export function openRows(path: string, format: Format): RowSource {
  // 1 MiB reads: fewer syscalls on multi-GB files, and the parser pauses the stream when the consumer lags.
  const file = createReadStream(path, { highWaterMark: 1 << 20 });
  let bytes = 0;
  file.on('data', (chunk) => { bytes += chunk.length; });
  return { items: format === 'csv' ? csvItems(file) : ndjsonItems(file), bytesRead: () => bytes };
}

const countNewlines = (s: string): number => {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', i + 1)) n += 1;
  return n;
};

async function* csvItems(file: NodeJS.ReadableStream): AsyncGenerator<SourceItem> {
  const skipped: SourceItem[] = [];
  const parser = file.pipe(parse({
    bom: true, trim: true, raw: true, relax_column_count: true, skip_empty_lines: true, skip_records_with_error: true,
  }));
  // A record the parser cannot read (an unclosed quote) is reported and parsing goes on.
  parser.on('skip', (err: Error & { lines?: number }) => skipped.push({ kind: 'bad', line: err.lines ?? 0, problem: `CSV: ${err.message}` }));
  let header: string[] | null = null;
  let index: Map<string, number> = new Map();
  let linesBefore = 0;
  for await (const out of parser as AsyncIterable<{ record: string[]; raw: string }>) {
    while (skipped.length) yield skipped.shift()!;
    // The record starts after the lines already consumed and any empty lines the parser skipped.
    const leading = /^[\r\n]*/.exec(out.raw)![0];
    const line = linesBefore + 1 + countNewlines(leading);
    linesBefore += countNewlines(out.raw);
    if (!out.raw.endsWith('\n')) linesBefore += 1;
    if (header === null) {
      header = out.record;
      index = new Map(header.map((h, i) => [h, i]));
      yield { kind: 'header', columns: header };
      continue;
    }
    if (out.record.length !== header.length) {
      yield { kind: 'bad', line, problem: `CSV: expected ${header.length} fields as in the header, got ${out.record.length}` };
      continue;
    }
    const record = out.record;
    yield { kind: 'row', line, cells: (column) => { const i = index.get(column); return i === undefined ? undefined : record[i]; } };
  }
  while (skipped.length) yield skipped.shift()!;
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

async function* ndjsonItems(file: NodeJS.ReadableStream): AsyncGenerator<SourceItem> {
  const lines = createInterface({ input: file, crlfDelay: Infinity });
  let line = 0;
  for await (const text of lines) {
    line += 1;
    const trimmed = (line === 1 ? text.replace(/^\uFEFF/, '') : text).trim();
    if (trimmed === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (err) {
      yield { kind: 'bad', line, problem: `NDJSON: not valid JSON: ${(err as Error).message}` };
      continue;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      yield { kind: 'bad', line, problem: `NDJSON: expected a JSON object per line, got ${Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value}` };
      continue;
    }
    const obj = value as Record<string, unknown>;
    yield { kind: 'row', line, cells: (column) => lookup(obj, column) };
  }
}
