// Rows → ClickHouse RowBinary (18.16 and current releases): each value in column order, in one reused buffer.
// Compared with JSONEachRow no text is built per row: no column names, no escaping, no number formatting.
import type { Column, ColumnType } from './tables.ts';

// Small integers, so the per-cell switch compares numbers, not type names.
const STRING = 0, UINT32 = 1, UINT64 = 2, FLOAT64 = 3, STRINGS = 4, UINT8 = 5;

const KIND: Record<ColumnType, number> = {
  String: STRING,
  UInt8: UINT8,
  UInt32: UINT32,
  UInt64: UINT64,
  Float64: FLOAT64,
  DateTime: UINT32, // seconds since the epoch, as ClickHouse stores it
  "DateTime('UTC')": UINT32,
  'Array(String)': STRINGS,
};

const TWO_32 = 4294967296;

const text = (v: unknown): string => (typeof v === 'string' ? v : v === null || v === undefined ? '' : String(v));
const MAX_UINT32 = TWO_32 - 1;

/** A whole number in [0, max]; anything else (NaN, negative, fractional, too large) is clamped, never thrown. */
function clampUInt(v: unknown, max: number): number {
  const n = typeof v === 'number' ? v : Number(v);
  if (!(n > 0)) return 0;
  return n >= max ? max : Math.floor(n);
}

/** A growing byte buffer with the RowBinary primitives. */
export class RowBinaryWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initialBytes = 64 * 1024) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  get length(): number {
    return this.pos;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + n));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  private varUInt(n: number): void {
    this.ensure(10);
    while (n >= 0x80) {
      this.buf[this.pos++] = (n & 0x7f) | 0x80;
      n = Math.floor(n / 128);
    }
    this.buf[this.pos++] = n;
  }

  /**
   * Length (LEB128) then UTF-8 bytes. Most values are short ASCII (ids, names, codes): those are copied byte by byte in
   * JS, which is cheaper than a call into Buffer.write per value; anything else goes through Buffer.write.
   */
  string(s: string): void {
    const n = s.length;
    if (n < 128) {
      this.ensure(1 + n * 3);
      const buf = this.buf;
      let p = this.pos + 1;
      let i = 0;
      for (; i < n; i += 1) {
        const c = s.charCodeAt(i);
        if (c >= 0x80) break;
        buf[p++] = c;
      }
      if (i === n) {
        buf[this.pos] = n;
        this.pos = p;
        return;
      }
      // Up to 42 UTF-16 units fit in 126 bytes: still one length byte, one pass.
      if (n <= 42) {
        const bytes = buf.write(s, this.pos + 1, 'utf8');
        buf[this.pos] = bytes;
        this.pos += 1 + bytes;
        return;
      }
    }
    const bytes = Buffer.byteLength(s, 'utf8');
    this.varUInt(bytes);
    this.ensure(bytes);
    this.pos += this.buf.write(s, this.pos, 'utf8');
  }

  uint8(v: unknown): void {
    this.ensure(1);
    this.buf[this.pos++] = clampUInt(v, 255);
  }

  uint32(v: unknown): void {
    this.ensure(4);
    this.buf.writeUInt32LE(clampUInt(v, MAX_UINT32), this.pos);
    this.pos += 4;
  }

  /** Offsets and versions arrive as decimal strings (exact above 2^53), counts and times as numbers. */
  uint64(v: unknown): void {
    this.ensure(8);
    if (typeof v === 'bigint' || (typeof v === 'string' && v.length > 15)) {
      let b: bigint;
      try { b = BigInt(v); } catch { b = 0n; }
      this.buf.writeBigUInt64LE(b < 0n ? 0n : b > 0xffffffffffffffffn ? 0xffffffffffffffffn : b, this.pos);
    } else {
      const n = clampUInt(v, Number.MAX_SAFE_INTEGER);
      this.buf.writeUInt32LE(n % TWO_32, this.pos);
      this.buf.writeUInt32LE(Math.floor(n / TWO_32), this.pos + 4);
    }
    this.pos += 8;
  }

  float64(v: unknown): void {
    this.ensure(8);
    this.buf.writeDoubleLE(typeof v === 'number' ? v : Number(v), this.pos);
    this.pos += 8;
  }

  /** Array(String): the count, then each element (non-text elements as their text). */
  strings(v: readonly unknown[]): void {
    this.varUInt(v.length);
    for (const s of v) this.string(text(s));
  }

  /** The bytes written so far; the writer starts over empty. */
  take(): Buffer {
    const out = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(this.buf.length);
    this.pos = 0;
    return out;
  }
}

/** Encodes rows (objects keyed by column name) in the columns' order. Missing text is '', missing numbers 0. */
export function encodeRows(columns: readonly Column[], rows: readonly Record<string, unknown>[], w = new RowBinaryWriter()): Buffer {
  const names = columns.map(([n]) => n);
  const kinds = columns.map(([, t]) => KIND[t]);
  for (const row of rows) {
    for (let c = 0; c < names.length; c += 1) {
      const v = row[names[c]!];
      switch (kinds[c]) {
        case STRING: w.string(text(v)); break;
        case UINT32: w.uint32(v); break;
        case UINT8: w.uint8(v); break;
        case UINT64: w.uint64(v); break;
        case FLOAT64: w.float64(v); break;
        default: w.strings(Array.isArray(v) ? v as unknown[] : []);
      }
    }
  }
  return w.take();
}
