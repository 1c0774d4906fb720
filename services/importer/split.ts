// Where each row of a file begins and ends, in constant memory (pure): CSV records (quote-aware, RFC 4180) and
// NDJSON lines, each with the line it starts on. A row over the size limit is scanned to its end without being held;
// a row whose quotes do not close is reported on the line it starts on, and reading resumes on the next line.
// csv-parse turns a record's text into fields (reader.ts); it cannot do this part: after an unclosed quote it reports
// the line where it gave up and swallows the rows in between, and after max_record_size it stops for good.

export type Piece =
  | { kind: 'record'; line: number; text: string }
  | { kind: 'bad'; line: number; problem: string }
  /**
   * The row starting on `line` cannot be read; the lines after its first one may be rows of their own and must be
   * read again from byte `offset` (line `resumeLine`): the splitter has stopped, the reader starts a new one there.
   */
  | { kind: 'restart'; line: number; problem: string; offset: number; resumeLine: number };

export interface SplitterOptions {
  /** Absolute byte offset of the first byte pushed (for restart offsets). */
  offset: number;
  /** Line number of the first byte pushed. */
  line: number;
  maxBytes: number;
}

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;
const COMMA = 0x2c;
const SPACE = 0x20;
const TAB = 0x09;
const BOM = [0xef, 0xbb, 0xbf];

const enum S { FieldStart, Unquoted, Quoted, QuoteInQuoted, AfterQuote, SkipLine, Stopped }

const show = (b: number): string => JSON.stringify(String.fromCharCode(b));

/** Collects one row's bytes up to the limit, and knows where and on which line it began. */
class RowBytes {
  private parts: Buffer[] = [];
  size = 0;
  oversized = false;
  /** Only spaces, tabs and CRs so far: a blank line, not a row. */
  blank = true;
  startLine = 0;
  /** Absolute offset just after the row's first LF, once seen: where the next line begins. */
  firstLineEnd = -1;

  constructor(private readonly max: number) {}

  add(chunk: Buffer, from: number, to: number): void {
    if (to <= from) return;
    this.size += to - from;
    if (this.oversized) return;
    if (this.size > this.max) {
      // Over the limit: forget what was held; only the count goes on.
      this.oversized = true;
      this.parts = [];
      return;
    }
    this.parts.push(chunk.subarray(from, to));
  }

  text(): string {
    let b = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts);
    if (b.length > 0 && b[b.length - 1] === CR) b = b.subarray(0, b.length - 1);
    return b.toString('utf8');
  }

  reset(line: number): void {
    this.parts = [];
    this.size = 0;
    this.oversized = false;
    this.blank = true;
    this.startLine = line;
    this.firstLineEnd = -1;
  }
}

abstract class Splitter {
  protected line: number;
  protected pos: number;
  protected readonly row: RowBytes;
  private bomSeen: number;

  constructor(protected readonly o: SplitterOptions) {
    this.line = o.line;
    this.pos = o.offset;
    this.row = new RowBytes(o.maxBytes);
    this.row.reset(o.line);
    this.bomSeen = o.offset === 0 ? 0 : 3;
  }

  /** Absolute offset of the next byte to push. */
  get position(): number { return this.pos; }

  push(chunk: Buffer): Piece[] {
    let from = 0;
    // A byte-order mark at the start of the file is not data (a read may cut it in two).
    while (this.bomSeen < 3 && from < chunk.length) {
      if (chunk[from] !== BOM[this.bomSeen]) { this.bomSeen = 3; break; }
      this.bomSeen += 1;
      from += 1;
      this.pos += 1;
    }
    const out: Piece[] = [];
    this.scan(chunk, from, out);
    return out;
  }

  protected tooLarge(what: string): string {
    const lines = this.line > this.row.startLine ? `, lines ${this.row.startLine}–${this.line}` : '';
    return `${what}: row of ${this.row.size} bytes is over the ${this.o.maxBytes}-byte limit (TESSERA_IMPORT_MAX_ROW_BYTES${lines})`;
  }

  protected abstract scan(chunk: Buffer, from: number, out: Piece[]): void;
  abstract end(): Piece[];
}

/** CSV with `,` between fields, `"` quotes (`""` inside), LF or CRLF line ends, spaces around fields allowed. */
export class CsvSplitter extends Splitter {
  private state: S = S.FieldStart;
  /** Why the row is malformed, while the rest of its first line is skipped. */
  private skipping: string | null = null;

  protected scan(chunk: Buffer, from: number, out: Piece[]): void {
    let segment = from; // where this chunk's part of the current row begins
    for (let i = from; i < chunk.length; i++) {
      const b = chunk[i]!;
      if (this.state === S.Stopped) return;
      if (this.state === S.SkipLine) {
        if (b === LF) {
          out.push({ kind: 'bad', line: this.row.startLine, problem: this.skipping! });
          this.line += 1;
          this.pos += i + 1 - segment;
          segment = i + 1;
          this.skipping = null;
          this.state = S.FieldStart;
          this.row.reset(this.line);
        }
        continue;
      }
      if (b !== SPACE && b !== TAB && b !== CR && b !== LF) this.row.blank = false;
      let malformed: string | null = null;
      switch (this.state) {
        case S.FieldStart:
          if (b === QUOTE) this.state = S.Quoted;
          else if (b !== COMMA && b !== SPACE && b !== TAB && b !== LF && b !== CR) this.state = S.Unquoted;
          break;
        case S.Unquoted:
          // A quote inside an unquoted field is left to csv-parse, which rejects the row for it.
          if (b === COMMA) this.state = S.FieldStart;
          break;
        case S.Quoted:
          if (b === QUOTE) this.state = S.QuoteInQuoted;
          break;
        case S.QuoteInQuoted:
          if (b === QUOTE) this.state = S.Quoted;
          else if (b === COMMA) this.state = S.FieldStart;
          else if (b === SPACE || b === TAB || b === CR) this.state = S.AfterQuote;
          else if (b !== LF) malformed = this.badQuote(b);
          break;
        case S.AfterQuote:
          if (b === COMMA) this.state = S.FieldStart;
          else if (b !== SPACE && b !== TAB && b !== CR && b !== LF) malformed = this.badQuote(b);
          break;
      }
      const inField = this.state === S.Quoted;
      if (malformed !== null) {
        if (this.row.firstLineEnd >= 0) {
          // The row ran over line ends inside a quote that was never a field: its later lines are read again.
          this.restart(malformed, out);
          return;
        }
        // Still on the row's first line: skip to its end and go on from the next line.
        this.row.add(chunk, segment, i + 1);
        this.pos += i + 1 - segment;
        segment = i + 1;
        this.skipping = malformed;
        this.state = S.SkipLine;
        continue;
      }
      if (b !== LF) continue;
      if (inField) {
        // A line break inside a quoted field: data, and the row goes on.
        this.row.add(chunk, segment, i + 1);
        this.pos += i + 1 - segment;
        segment = i + 1;
        if (this.row.firstLineEnd < 0) this.row.firstLineEnd = this.pos;
        this.line += 1;
        continue;
      }
      this.row.add(chunk, segment, i);
      this.pos += i + 1 - segment;
      segment = i + 1;
      this.emit(out);
      this.line += 1;
      this.state = S.FieldStart;
      this.row.reset(this.line);
    }
    if (this.state !== S.Stopped && this.state !== S.SkipLine) this.row.add(chunk, segment, chunk.length);
    this.pos += chunk.length - segment;
  }

  end(): Piece[] {
    const out: Piece[] = [];
    if (this.state === S.Stopped) return out;
    if (this.state === S.SkipLine) {
      out.push({ kind: 'bad', line: this.row.startLine, problem: this.skipping! });
    } else if (this.state === S.Quoted) {
      const problem = `CSV: quote not closed: the quoted field that starts on line ${this.row.startLine} runs to the end of the file`;
      if (this.row.firstLineEnd >= 0) this.restart(problem, out);
      else out.push({ kind: 'bad', line: this.row.startLine, problem });
    } else {
      this.emit(out);
    }
    this.state = S.Stopped;
    return out;
  }

  private badQuote(b: number): string {
    if (this.line === this.row.startLine) return `CSV: ${show(b)} after the closing quote of a field (a quote inside a quoted field is written "")`;
    return `CSV: quote not closed: the quoted field that starts on line ${this.row.startLine} meets ${show(b)} after a quote on line ${this.line}`;
  }

  private restart(problem: string, out: Piece[]): void {
    out.push({ kind: 'restart', line: this.row.startLine, problem, offset: this.row.firstLineEnd, resumeLine: this.row.startLine + 1 });
    this.state = S.Stopped;
  }

  private emit(out: Piece[]): void {
    if (this.row.blank) return;
    if (this.row.oversized) out.push({ kind: 'bad', line: this.row.startLine, problem: this.tooLarge('CSV') });
    else out.push({ kind: 'record', line: this.row.startLine, text: this.row.text() });
  }
}

/** NDJSON: one line per row (JSON strings cannot hold a raw line break), LF or CRLF. */
export class LineSplitter extends Splitter {
  protected scan(chunk: Buffer, from: number, out: Piece[]): void {
    let segment = from;
    for (let i = chunk.indexOf(LF, from); i >= 0; i = chunk.indexOf(LF, segment)) {
      this.row.add(chunk, segment, i);
      this.markBlank(chunk, segment, i);
      this.pos += i + 1 - segment;
      segment = i + 1;
      this.emit(out);
      this.line += 1;
      this.row.reset(this.line);
    }
    this.row.add(chunk, segment, chunk.length);
    this.markBlank(chunk, segment, chunk.length);
    this.pos += chunk.length - segment;
  }

  end(): Piece[] {
    const out: Piece[] = [];
    this.emit(out);
    this.row.reset(this.line);
    return out;
  }

  private markBlank(chunk: Buffer, from: number, to: number): void {
    for (let i = from; i < to && this.row.blank; i++) {
      const b = chunk[i]!;
      if (b !== SPACE && b !== TAB && b !== CR) this.row.blank = false;
    }
  }

  private emit(out: Piece[]): void {
    if (this.row.blank) return;
    if (this.row.oversized) out.push({ kind: 'bad', line: this.row.startLine, problem: this.tooLarge('NDJSON') });
    else out.push({ kind: 'record', line: this.row.startLine, text: this.row.text() });
  }
}
